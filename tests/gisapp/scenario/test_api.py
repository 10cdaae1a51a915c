"""``/api/scenario`` and ``strukturbild scenario`` on the real Värmland build."""

from __future__ import annotations

import pytest

from gisapp.cli import main


def _near(built, kommunkod: str, metres: float) -> set[str]:
    """Kommuner within ``metres`` of ``kommunkod``'s polygon."""
    kommuner = built.layer("kommuner").set_index("kommunkod").geometry
    return {k for k, shape in kommuner.items() if shape.distance(kommuner[kommunkod]) < metres}


def _kil_pharmacies(built) -> list[str]:
    service = built.layer("service")
    return service.loc[(service["kategori"] == "apotek") & (service["kommunkod"] == "1715"),
                       "id"].tolist()


def test_closing_kil_pharmacies_moves_kil_beyond_the_threshold(client, built):
    ids = _kil_pharmacies(built)
    assert ids
    response = client.get("/api/scenario", query_string={"ta_bort": ids, "km": "5"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["metod"] == "fågelvägen"
    kil = next(r for r in body["summary"] if r["niva"] == "kommun" and r["grupp"] == "1715")
    origins = built.layer("tillganglighet").drop_duplicates("id")
    assert kil["befolkning"] == origins.loc[origins["kommunkod"] == "1715", "befolkning"].sum()
    assert kil["bef_over_5km_efter"] > kil["bef_over_5km_fore"]
    changed = {r["kommunkod"] for r in body["changed"]}
    assert "1715" in changed  # and squares of neighbours whose nearest pharmacy was in Kil
    assert changed <= _near(built, "1715", 10_000)
    assert all(r["km_efter"] > r["km_fore"] and 12 < r["lon"] < 14 for r in body["changed"])
    assert {r["omrade"] for r in body["changed"]} == {"tatort", "landsbygd"}
    assert all(r["namn"].endswith(f"(ruta {r['id'].split(':')[0]})") for r in body["changed"])


def test_adding_a_pharmacy_brings_a_tatort_closer(client, built):
    layer = built.layer("tillganglighet").to_crs(4326)
    farthest = layer.sort_values("km").iloc[-1]
    spot = f"apotek@{farthest.geometry.x:.5f},{farthest.geometry.y:.5f}"
    body = client.get("/api/scenario", query_string={"lagg_till": spot}).get_json()
    changed = {r["id"]: r for r in body["changed"]}
    assert changed[farthest["id"]]["km_efter"] < 0.01
    assert changed[farthest["id"]]["km_fore"] == pytest.approx(farthest["km"])


@pytest.mark.parametrize(("query", "parameter"), [
    ({}, "ta_bort"),
    ({"lagg_till": "kiosk@13.5,59.4"}, "lagg_till"),
    ({"lagg_till": "apotek@13.5"}, "lagg_till"),
    ({"flytta": "pipos:1@999,59"}, "flytta"),
    ({"ta_bort": "x", "km": "-1"}, "km"),
    ({"ta_bort": "x", "minuter": "nan"}, "minuter"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, query, parameter):
    response = client.get("/api/scenario", query_string=query)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


def test_unknown_or_repeated_service_ids_are_400_naming_the_parameter(client, built):
    response = client.get("/api/scenario?ta_bort=pipos:finns-inte")
    assert response.status_code == 400 and response.get_json()["parameter"] == "ta_bort"
    assert "pipos:finns-inte" in response.get_json()["detail"]
    real = built.layer("service")["id"].iloc[0]
    twice = client.get("/api/scenario", query_string={"ta_bort": [real, real]})
    assert twice.status_code == 400 and "more than once" in twice.get_json()["detail"]
    moved = client.get("/api/scenario?flytta=nope@13.5,59.4")
    assert moved.status_code == 400 and moved.get_json()["parameter"] == "flytta"


def test_cli_scenario_prints_summary_and_writes_csv(build_dir, built, tmp_path, capsys):
    out = tmp_path / "kil.csv"
    args = ["scenario", "--build-dir", str(build_dir), "--km", "5", "--out", str(out)]
    for i in _kil_pharmacies(built):
        args += ["--remove", i]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "fågelvägen" in printed and "Pendlingskommun" in printed
    assert out.read_text("utf-8").startswith("id,")
    assert main(["scenario", "--build-dir", str(build_dir), "--remove", "nope"]) == 1


def test_surface_is_the_grid_and_needs_grid_origins(client, no_grid_client):
    response = client.get("/api/tillganglighet.tif?kategori=apotek")
    assert response.status_code == 200 and response.data[:2] in (b"II", b"MM")
    response = no_grid_client.get("/api/tillganglighet.tif?kategori=apotek")
    assert response.status_code == 404
    assert "befolkning per ruta" in response.get_json()["detail"]
    assert client.get("/api/tillganglighet.tif?kategori=kiosk").status_code == 400
    assert client.get("/api/tillganglighet.tif?matt=mil").get_json()["parameter"] == "matt"


def test_adding_the_first_point_of_a_category_shows_who_it_serves(client, built):
    assert "bibliotek" not in set(built.layer("service")["kategori"])  # none in the sources
    response = client.get("/api/scenario",
                          query_string={"lagg_till": "bibliotek@13.5035,59.3793", "km": "10"})
    assert response.status_code == 200
    body = response.get_json()
    lan = next(r for r in body["summary"] if r["niva"] == "region")
    assert lan["kategori"] == "bibliotek"
    assert lan["bef_over_10km_fore"] == lan["befolkning"]  # nobody had one before
    assert 0 < lan["bef_over_10km_efter"] < lan["befolkning"]  # Karlstad is within 10 km
    assert all(r["km_fore"] is None and r["km_efter"] is not None for r in body["changed"])
