"""Indicator API, comparison page, kommun profile and choropleth on the real build; broadband
and grid paths on a build whose data dir adds the marked fixtures to the real data."""

from __future__ import annotations

import hashlib
import io
import re

import pandas as pd
import pytest

from data_sources import bredband_pts
from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import FileStore
from tests.conftest import FIXTURES
from tests.fixtures.bredband.pts_tabellbilaga import write_workbook

SKR_GROUPS_VARMLAND = {"Större stad", "Pendlingskommun nära större stad",
                       "Lågpendlingskommun nära större stad", "Pendlingskommun nära mindre tätort",
                       "Landsbygdskommun", "Landsbygdskommun med besöksnäring"}


def client_on(tmp_path_factory, data_dir, files: dict[str, bytes]):
    """A client on a build of the real data plus ``files`` (path in the data dir → bytes)."""
    root = tmp_path_factory.mktemp("fixture_data")
    for part in data_dir.iterdir():
        if part.is_dir():
            (root / part.name).symlink_to(part, target_is_directory=True)
    for relative, content in files.items():
        (root / relative).parent.mkdir(exist_ok=True)
        (root / relative).write_bytes(content)
    builds = tmp_path_factory.mktemp("fixture_builds")
    run_build(DataDir(root, "test"), FileStore(builds))
    return create_app({"BUILD_DIR": str(builds), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def fixture_client(tmp_path_factory, data_dir):
    """A client on a build of the real data plus the broadband CSV fixture."""
    return client_on(tmp_path_factory, data_dir, {
        "digital/bredband_pts_kommun.csv":
            (FIXTURES / "bredband" / "bredband_pts_kommun_fixture.csv").read_bytes(),
    })


@pytest.fixture(scope="module")
def pts_client(tmp_path_factory, data_dir):
    """A client on a build of the real data plus a PTS-layout workbook with shares only."""
    workbook = write_workbook(tmp_path_factory.mktemp("pts") / "pts.xlsx", with_counts=False)
    return client_on(tmp_path_factory, data_dir, {bredband_pts.FILE: workbook.read_bytes()})


def test_every_indicator_names_its_source_files_with_hashes(client, built, data_dir):
    body = client.get("/api/indikatorer").get_json()
    present = set(built.indicators["indikator"])
    for entry in body["indikatorer"]:
        files = [f for source in entry["kallor"] for f in source["files"]]
        if entry["id"] in present:
            assert files and all(len(f["sha256"]) == 64 for f in files if f["sha256"]), entry
        else:
            assert entry["kallor"] == []  # a missing indicator has no sources, not made-up ones
    population = next(e for e in body["indikatorer"] if e["id"] == "befolkning")
    paths = {f["path"]: f["sha256"] for s in population["kallor"] for f in s["files"]}
    kolada = next(p for p in paths if "befolkning" in p or "folkmangd" in p)
    assert paths[kolada] == hashlib.sha256((data_dir / kolada).read_bytes()).hexdigest()
    page = client.get("/kommun/1780").get_data(as_text=True)
    assert f"sha256 {paths[kolada][:12]}" in page
    compare = client.get("/jamfor?indikator=befolkning").get_data(as_text=True)
    assert f"sha256 {paths[kolada][:12]}" in compare


def test_api_rows_and_aggregates_for_one_kommun(client, built):
    body = client.get("/api/indikatorer?kommun=1780&indikator=befolkning").get_json()
    assert body["klassning"] == "skr"
    assert body["klassningar"] == {"skr": "SKR:s kommungruppsindelning 2023"}
    rows = {r["omrade"]: r for r in body["rader"]}
    assert rows["hela_kommunen"]["varde"] == 99007 and rows["hela_kommunen"]["ar"] == "2025"
    assert set(rows) == {"hela_kommunen"}  # the register has no tätort/landsbygd split
    grid = client.get("/api/indikatorer?kommun=1780&indikator=befolkning_ruta").get_json()
    split = {r["omrade"]: r for r in grid["rader"]}
    assert split["tatort"]["varde"] + split["landsbygd"]["varde"] == 97_737
    assert split["hela_kommunen"]["varde"] == 97_737
    assert {r["ar"] for r in grid["rader"]} == {"2024"}
    assert {r["grupp"] for r in body["klasser"]} == {"Större stad"}
    lan = {r["omrade"]: r for r in body["lan"]}
    assert lan["hela_kommunen"]["varde"] == 283_028
    assert lan["hela_kommunen"]["antal_kommuner"] == 16


def test_api_class_share_is_weighted_by_denominators(client, built):
    body = client.get("/api/indikatorer?indikator=andel_i_tatort").get_json()
    rows = pd.DataFrame(body["rader"])
    assert len(rows) == 16
    for group in body["klasser"]:
        members = rows[rows["klass"] == group["grupp"]]
        assert group["varde"] == pytest.approx(100 * members["teljare"].sum()
                                               / members["namnare"].sum())
        assert group["antal_kommuner"] == len(members)


def test_api_csv_has_kommun_class_and_lan_rows(client):
    response = client.get("/api/indikatorer?kommun=1785&format=csv")
    assert response.mimetype == "text/csv"
    frame = pd.read_csv(io.StringIO(response.get_data(as_text=True)), dtype={"kommunkod": str})
    assert set(frame["niva"]) == {"kommun", "klass", "lan"}
    assert set(frame.loc[frame["niva"] == "kommun", "kommunkod"]) == {"1785"}
    assert set(frame.loc[frame["niva"] == "klass", "grupp"]) == {"Landsbygdskommun"}


@pytest.mark.parametrize(("query", "parameter"), [
    ("kommun=abc", "kommun"), ("kommun=0114", "kommun"), ("indikator=finns_inte", "indikator"),
    ("klassning=tillvaxtverket", "klassning"), ("format=xml", "format"),
])
def test_api_rejects_bad_parameters_by_name(client, query, parameter):
    response = client.get(f"/api/indikatorer?{query}")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter


def test_broadband_without_a_file_is_reported_missing_not_zero(client, built):
    assert "bredband" in built.manifest["missing"]
    body = client.get("/api/indikatorer?indikator=bredband_1gbit_hushall").get_json()
    assert body["rader"] == [] and body["klasser"] == [] and body["lan"] == []
    (missing,) = body["saknas"]
    assert missing["indikator"] == "bredband_1gbit_hushall"
    assert "saknar data" in missing["orsak"] and "bredband_pts_kommun.csv" in missing["orsak"]


def test_broadband_fixture_flows_to_api_and_layer(fixture_client):
    body = fixture_client.get("/api/indikatorer?indikator=bredband_1gbit_hushall").get_json()
    assert body["saknas"] == []
    rows = {(r["kommunkod"], r["omrade"]): r for r in body["rader"]}
    assert {k for k, _ in rows} == {"1780", "1715"}  # the others have no row, not a zero
    assert rows[("1715", "tatort")]["varde"] == pytest.approx(95.0)
    whole = rows[("1780", "hela_kommunen")]
    assert whole["namnare"] == 44_000
    assert whole["varde"] == pytest.approx(100 * (38_800 + 800 + 1_800) / 44_000)
    lan = {r["omrade"]: r for r in body["lan"]}["hela_kommunen"]
    # 2 of 16 kommuner have a row: no län value is made up from part of the län
    assert lan["varde"] is None and lan["teljare"] is None
    assert (lan["antal_kommuner"], lan["kommuner_i_gruppen"]) == (2, 16)
    klass = {r["grupp"]: r for r in body["klasser"] if r["omrade"] == "hela_kommunen"}
    assert klass["Större stad"]["varde"] == pytest.approx(whole["varde"])  # Karlstad alone


def test_pts_workbook_shares_flow_to_api_with_provenance_and_no_weighted_totals(pts_client):
    body = pts_client.get("/api/indikatorer?indikator=bredband_1gbit_hushall").get_json()
    assert body["saknas"] == []
    rows = {(r["kommunkod"], r["omrade"]): r for r in body["rader"]}
    assert set(rows) == {(k, o) for k in ("1780", "1715") for o in ("tatort", "hela_kommunen")}
    assert rows[("1715", "tatort")]["varde"] == pytest.approx(95.0)
    assert rows[("1715", "tatort")]["teljare"] is None  # PTS gave a share, no count
    assert rows[("1780", "hela_kommunen")]["ar"] == "2024"
    lan = {r["omrade"]: r for r in body["lan"]}["hela_kommunen"]
    assert lan["varde"] is None  # never an average of percentages
    provenance = pts_client.get("/api/provenance").get_json()
    (source,) = provenance["layers"]["bredband"]["sources"]
    assert source["name"] == "bredband_pts"
    assert source["publisher"] == "Post- och telestyrelsen (PTS)"
    assert source["files"][0]["path"] == bredband_pts.FILE
    assert len(source["files"][0]["sha256"]) == 64
    notes = " ".join(provenance["layers"]["bredband"]["notes"])
    assert "andelar men inte antal" in notes


def test_grid_gives_population_by_area_of_one_year(client, data_dir):
    body = client.get("/api/indikatorer?indikator=befolkning_ruta").get_json()
    rows = {(r["kommunkod"], r["omrade"]): r["varde"] for r in body["rader"]}
    for kommunkod in {k for k, _ in rows}:
        assert rows[(kommunkod, "tatort")] + rows[(kommunkod, "landsbygd")] == \
            rows[(kommunkod, "hela_kommunen")]
    lan = {r["omrade"]: r["varde"] for r in body["lan"]}
    assert lan["hela_kommunen"] == 282_698  # the Värmland GeoPackage's total
    assert lan["tatort"] + lan["landsbygd"] == 282_698
    assert {r["ar"] for r in body["rader"]} == {"2024"}  # read from the file's name
    sources = next(e for e in body["indikatorer"] if e["id"] == "befolkning_ruta")["kallor"]
    (grid,) = [f for source in sources for f in source["files"] if "population/" in f["path"]]
    assert grid["path"] == "population/scb_befolkning_1km_2024_sverige.csv"
    assert grid["sha256"] == hashlib.sha256((data_dir / grid["path"]).read_bytes()).hexdigest()


def test_comparison_page_groups_all_kommuner_with_reference_lines(client, built):
    html = client.get("/jamfor?indikator=andel_i_tatort").get_data(as_text=True)
    for kommun in built.manifest["region"]["kommuner"]:
        assert f">{kommun['kommunnamn']}</a>" in html
    for group in SKR_GROUPS_VARMLAND:
        assert f'<tr class="group"><th colspan="2">{group}</th>' in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    # class averages + län, each drawn and listed in the legend; Karlstad is alone in
    # "Större stad" and Storfors in "Pendlingskommun nära mindre tätort" (SKR 2023): a
    # group value that is the kommun's own bar is said in a note instead of a line
    alone = {"Större stad": "Karlstad", "Pendlingskommun nära mindre tätort": "Storfors"}
    assert svg.count("<line") == 2 * (len(SKR_GROUPS_VARMLAND) - len(alone) + 1)
    assert "Värmlands län: " in svg
    for group, kommun in alone.items():
        assert f"Gruppens värde ({group})" not in svg
        assert f"{kommun} är ensam i gruppen {group}" in html


def test_comparison_page_sorts_and_speaks_english(client):
    by_name = client.get("/jamfor?indikator=befolkning_ruta&sortera=namn&omrade=landsbygd"
                         "&sprak=en")
    html = by_name.get_data(as_text=True)
    assert "Rural areas" in html and "Compare municipalities" in html
    group = html.split('<th colspan="2">Landsbygdskommun</th>')[1].split('class="group"')[0]
    names = re.findall(r'">([^<]+)</a></td>', group)
    assert names == sorted(names) and len(names) == 6
    assert client.get("/jamfor?sortera=slump").status_code == 400


def test_comparison_chart_draws_reference_lines_for_shares_only(client, no_grid_client):
    share = client.get("/jamfor?indikator=andel_i_tatort").get_data(as_text=True)
    count = client.get("/jamfor?indikator=befolkning").get_data(as_text=True)
    chart = lambda html: html.split("<table")[0]  # noqa: E731
    assert "Gruppens värde (" in chart(share) and "Värmlands län" in chart(share)
    assert "Gruppens värde (" not in chart(count)  # a group total is no kommun's peer
    assert "Visa på kartan" in share
    # without the grid, service access has tätort values only: nothing to shade per kommun
    tatort_only = no_grid_client.get("/jamfor?indikator=service_apotek_medelavstand"
                                     "&omrade=tatort")
    assert "Visa på kartan" not in tatort_only.get_data(as_text=True)


def test_comparison_page_shows_missing_broadband(client):
    html = client.get("/jamfor?indikator=bredband_100mbit_hushall").get_data(as_text=True)
    assert "saknar data" in html and "<svg" not in html
    english = client.get("/jamfor?indikator=bredband_100mbit_hushall&sprak=en").get_data(
        as_text=True)
    assert "no data: Download PTS" in english and "saknar data" not in english
    for path in ("/kommun/1780?sprak=en", "/?sprak=en"):  # tables, map panel and footer
        page = client.get(path).get_data(as_text=True)
        assert "Download PTS" in page and "Ladda ned PTS" not in page and "saknas" not in page


def test_kommun_profile_has_map_table_charts_and_downloads(client):
    html = client.get("/kommun/1780").get_data(as_text=True)
    assert "Karlstad (1780)" in html
    assert "/api/indikatorer?kommun=1780&amp;format=csv" in html
    assert "/nedladdning/kommun/1780.gpkg" in html
    assert html.count("<svg") >= 3 and "folium-map" in html and "fitBounds" in html
    for label in ("Tätort", "Landsbygd", "Hela kommunen", "Större stad", "Värmlands län"):
        assert label in html
    assert "bredband_1gbit_hushall" in html  # listed under "saknar data", not as a value
    assert "99\u00a0007" in html  # digits grouped by a no-break space: numbers never wrap
    # the kommun is outlined above the layers, and the layer panel starts folded
    highlight = re.search(r'return \{"color": "#1a1a1a", "fill": false, "weight": 3\};.*?'
                          r'_add\((\{"features": .*?"FeatureCollection"\})', html, re.S)
    assert highlight and '"interactive": false' in html
    assert highlight.group(1).count('"kommunkod"') == 1 and '"1780"' in highlight.group(1)
    assert '"collapsed": true' in html


def test_kommun_profile_sets_the_grid_total_beside_the_register_total(client, no_grid_client):
    html = client.get("/kommun/1780").get_data(as_text=True)
    section = html.split("<h2>Folkmängd</h2>")[1].split("</section>")[0]
    assert "SCB:s folkmängd (register)" in section and "99\u00a0007" in section
    assert "Summa av befolkningsrutnätet" in section and "97\u00a0737" in section
    assert "-1\u00a0270" in section and "2024" in section and "2025" in section
    assert "känd bostadskoordinat" in section and "rutor delas inte" in section
    english = client.get("/kommun/1780?sprak=en").get_data(as_text=True)
    assert "Sum of the population grid" in english and "squares are not split" in english
    assert "Summa av befolkningsrutnätet" not in no_grid_client.get("/kommun/1780").get_data(
        as_text=True)


@pytest.mark.parametrize("code", ["9999", "0114", "abc", "%3Cscript%3E"])
def test_unknown_kommun_gives_404_listing_valid_kommuner(client, code):
    response = client.get(f"/kommun/{code}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert html.count('<li><a href="/kommun/17') == 16
    assert "<script>" not in html.split("<main>")[1]


def test_choropleth_on_the_main_map(client):
    html = client.get("/?indikator=andel_i_tatort").get_data(as_text=True)
    legend = html.split('class="sb-choropleth-legend"')[1].split("</div></div>")[0]
    assert "Andel i tätort" in legend and "procent" in legend and "2024" in legend
    assert "saknar data" in legend
    assert client.get("/?indikator=finns_inte").status_code == 400


def test_main_map_lists_broadband_and_grid_as_missing_with_instructions(client,
                                                                        no_grid_client):
    html = client.get("/").get_data(as_text=True)
    assert "digital/bredband_pts_kommun.csv" in html
    assert "population/befolkning_1km_" not in html  # the grid is built
    without = no_grid_client.get("/").get_data(as_text=True)
    assert "population/befolkning_1km_&lt;år&gt;.gpkg" in without or \
        "population/befolkning_1km_<år>.gpkg" in without
    assert "Statistik på rutor" in without


def test_another_lan_gets_grid_indicators_from_the_national_file(tmp_path, data_dir,
                                                                 grid_csv):
    """Uppsala län (03): no kommun register table or panel for it here, but the national grid
    gives its population by area and its share in tätort (no code or setting changes)."""
    from layers.settings import PipelineSettings

    run_build(DataDir(data_dir, "test"), FileStore(tmp_path), PipelineSettings(lanskod="03"))
    client = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}).test_client()
    body = client.get("/api/indikatorer?indikator=befolkning").get_json()
    assert body["rader"] == [] and body["klassning"] == "skr"
    assert body["saknas"][0]["indikator"] == "befolkning"
    raw = grid_csv
    expected = raw[raw["lanskod"] == "03"].groupby("kommunkod")["beftotalt"].sum()
    grid = client.get("/api/indikatorer?indikator=befolkning_ruta").get_json()
    whole = {r["kommunkod"]: r["varde"] for r in grid["rader"]
             if r["omrade"] == "hela_kommunen"}
    assert whole == expected.to_dict() and len(whole) == 8
    share = client.get("/api/indikatorer?indikator=andel_i_tatort").get_json()["rader"]
    assert {r["kommunkod"] for r in share} == set(expected.index)
    assert all(0 < r["varde"] < 100 and r["ar"] == "2024" for r in share)


def test_catchment_population_is_measured_on_the_grid(client):
    body = client.get("/api/indikatorer?indikator=befolkning_stomlinje_tag_2000").get_json()
    rows = {(r["kommunkod"], r["omrade"]): r for r in body["rader"]}
    grid = client.get("/api/indikatorer?indikator=befolkning_ruta").get_json()
    totals = {(r["kommunkod"], r["omrade"]): r["varde"] for r in grid["rader"]}
    for (kommun, omrade), row in rows.items():
        assert row["namnare"] == totals[(kommun, omrade)]  # same grid, same year
        assert "befolkning per ruta" in row["kalla"]
    for kommun in {k for k, _ in rows}:
        if rows[(kommun, "tatort")]["teljare"] is None:  # stations without timetable here
            assert "täcks inte av tidtabellerna" in rows[(kommun, "tatort")]["kalla"]
            continue
        parts = rows[(kommun, "tatort")]["teljare"] + rows[(kommun, "landsbygd")]["teljare"]
        assert parts == pytest.approx(rows[(kommun, "hela_kommunen")]["teljare"])
    # Kil and Karlstad have expected stations without a timetable here (Fagerås; Väse on the
    # day): their catchment numbers are empty with the reason, not 0 %
    assert rows[("1715", "landsbygd")]["teljare"] is None
    assert rows[("1780", "landsbygd")]["teljare"] is None
    provenance = client.get("/api/provenance").get_json()["layers"]
    names = {s["name"] for s in provenance["upptagningsomraden"]["sources"]}
    assert "befolkningsruta" in names
