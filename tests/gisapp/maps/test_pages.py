"""Map pages: layers, panel, provenance, embeds, caching, bad parameters, self-hosted assets."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import FileStore

PANEL = re.compile(r"strukturbildPanel\(\w+, (\{.*?\})\);", re.S)


def panel_config(page: str) -> dict:
    """The JSON config the server wrote for the layer panel."""
    match = PANEL.search(page)
    assert match, "panel config not found"
    return json.loads(match.group(1))


def test_map_shows_every_built_layer_grouped_by_theme(client, built):
    page = client.get("/").get_data(as_text=True)
    config = panel_config(page)
    layers = {layer["id"]: layer for layer in config["layers"]}
    assert set(layers) == set(built.layer_ids())
    assert layers["kommuner"]["theme"] == "Struktur"
    assert layers["tatorter"]["title"] == "Tätorter"
    assert layers["service"]["theme"] == "Service"
    assert all(f"var {layer['var']} = " in page for layer in config["layers"])
    assert any(row[1] == "Apotek och apoteksombud (70)" for row in layers["service"]["legend"])


def test_service_legend_counts_every_category_with_data_and_lists_the_others(client,
                                                                             data_dir):
    """Counts from the raw files: 70 Pipos pharmacy rows; paketombud's distinct places
    (a shop serving several operators is one place); located grundskolor of the register."""
    import pandas as pd

    from data_sources import paketombud, skolor

    ombud = pd.read_csv(data_dir / paketombud.META.files[0].path, dtype=str)
    schools = pd.read_csv(data_dir / skolor.META.files[0].path, dtype=str)
    grund = schools[schools["SKOLFORM"] == "Grundskola"]
    located = int(grund["e_sweref99tm"].notna().sum())
    config = panel_config(client.get("/").get_data(as_text=True))
    service = next(layer for layer in config["layers"] if layer["id"] == "service")
    labels = [label for _, label in service["legend"]]
    places = ombud.groupby(["X_SWEREF99TM", "Y_SWEREF99TM"]).ngroups
    assert labels == ["Apotek och apoteksombud (70)", f"Grundskola ({located} av {len(grund)})",
                      "Gymnasieskola (6 av 34)", f"Post- och paketombud ({places})"]
    notes = service["notes"]
    for name in ("Dagligvaror", "Vårdcentral", "Drivmedel", "Bankomat", "Bibliotek"):
        assert any(n.startswith(f"{name}: saknar data — hämta ") for n in notes), name
    post = next(n for n in notes if n.startswith("Post- och paketombud: "))
    assert "okänd upphovsman" in post and "2021-08" in post
    english = panel_config(client.get("/?sprak=en").get_data(as_text=True))
    service_en = next(layer for layer in english["layers"] if layer["id"] == "service")
    assert any(n.startswith("Groceries: no data — get a Pipos export") for n in
               service_en["notes"])


def test_map_carries_data_popups_and_provenance(client, built):
    page = client.get("/").get_data(as_text=True)
    assert "Karlstad" in page and "99007" in page
    assert "Lantmäteriet" in page and "CC0 1.0" in page
    assert built.id in page


INLINE_GEOJSON = re.compile(r"(geo_json_[0-9a-f]+)_add\(")


def inlined_features(page: str) -> list[dict]:
    """Every feature of the GeoJSON layers folium inlined into ``page``."""
    decoder = json.JSONDecoder()
    return [feature for match in INLINE_GEOJSON.finditer(page)
            for feature in decoder.raw_decode(page, match.end())[0]["features"]]


def test_big_layers_come_as_tiles_not_inlined(client, built):
    page = client.get("/").get_data(as_text=True)
    layers = {layer["id"]: layer for layer in panel_config(page)["layers"]}
    for layer_id in ("kommuner", "lan", "tatorter", "service", "befolkning"):
        tiles = layers[layer_id]["tiles"]
        assert tiles["url"] == f"/tiles/{layer_id}/{{z}}/{{x}}/{{y}}.mvt"
        assert tiles["minZoom"] == built.manifest["tiles"]["layers"][layer_id][0]
        assert client.get(tiles["url"].format(z=0, x=0, y=0)).status_code in (200, 204)
    popup = dict(layers["kommuner"]["popup"])
    assert popup["kommunnamn"] == "Kommun" and "invanare" in popup
    assert dict(layers["tatorter"]["popup"])["stomlinje_hallplats"]
    colours = layers["service"]["tiles"]["classes"]["colours"]
    assert colours["apotek"].startswith("#")
    # nothing of theirs is in the page: no inlined feature carries their properties
    keys = {key for feature in inlined_features(page) for key in feature["properties"]}
    assert not keys & {"kommunnamn", "lansnamn", "tatortskod_2020", "adress", "per_km2"}, keys
    assert "/static/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js" in page
    # the stations and lines are still in the page
    assert {"avgangar_dag", "turer_dag"} <= keys


def test_missing_layers_are_listed_with_how_to_add(client, built):
    config = panel_config(client.get("/").get_data(as_text=True))
    assert {m["id"] for m in config["missing"]} == set(built.manifest["missing"])
    for entry in config["missing"]:
        assert entry["how"]


def test_search_lists_kommuner_and_tatorter(client):
    config = panel_config(client.get("/").get_data(as_text=True))
    assert config["places"] == "/kartplatser.json"  # fetched when the search box is used
    names = client.get(config["places"]).get_json()
    places = {p["name"]: p["bounds"] for p in names}
    assert "Hagfors (kommun)" in places and "Kil (tätort)" in places
    assert len(places) == len(names)  # every name distinct, so each is reachable
    west, south, east, north = places["Karlstad (kommun)"]
    assert 13 < west < east < 14.2 and 59 < south < north < 60
    tatort = places["Karlstad (tätort)"]
    assert tatort[2] - tatort[0] < east - west  # the tätort is smaller than its kommun


def test_leaflet_is_self_hosted(client):
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert scripts and styles
    assert all(url.startswith("/static/") for url in scripts + styles), scripts + styles
    for url in scripts + styles:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_english_switch(client):
    config = panel_config(client.get("/?sprak=en").get_data(as_text=True))
    titles = {layer["id"]: layer["title"] for layer in config["layers"]}
    assert titles["kommuner"] == "Municipalities"
    assert config["texts"]["embed"] == "Embed"


def test_pages_are_cached_with_etag_and_compressed(client):
    first = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert "<html" in gzip.decompress(first.data).decode()
    again = client.get("/", headers={"Accept-Encoding": "gzip",
                                     "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/")
    assert client.get("/", headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    assert "max-age=300" in plain.headers["Cache-Control"]


def test_embed_shows_only_chosen_layers_and_kommun_extent(client, built):
    page = client.get("/embed?lager=service&kommun=1783").get_data(as_text=True)
    config = panel_config(page)
    assert [layer["id"] for layer in config["layers"]] == ["service"]
    assert config["embed"] is None and config["collapsed"] is True
    bounds = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\], \[([\d.]+), ([\d.]+)\]\]", page)
    south, west, north, east = map(float, bounds.groups())
    kommuner = built.layer("kommuner").to_crs(4326)
    expected = kommuner[kommuner["kommunkod"] == "1783"].total_bounds  # Hagfors
    assert [west, south, east, north] == pytest.approx(list(expected), abs=1e-6)


def test_embed_with_bbox_is_one_cached_page_for_every_extent(client, app):
    """The extent is applied in the browser: arbitrary bboxes cannot fill the page cache."""
    first = client.get("/embed?lager=kommuner,tatorter&bbox=13.3,59.3,13.7,59.5&sprak=en")
    second = client.get("/embed?lager=tatorter,kommuner&bbox=13.31,59.3,13.7,59.5&sprak=en")
    assert first.status_code == second.status_code == 200
    assert first.get_data() == second.get_data() and first.headers["ETag"] == second.headers["ETag"]
    page = first.get_data(as_text=True)
    assert 'get("bbox")' in page and ".fitBounds([[parts[1], parts[0]]" in page
    cache = app.extensions["pages"]
    before = len(cache._entries)
    for west in range(20):
        client.get(f"/embed?lager=kommuner&bbox=13.{west:02d},59.3,13.7,59.5")
    assert len(cache._entries) == before + 1  # one new page (lager=kommuner), not twenty


@pytest.mark.parametrize(
    ("query", "parameter", "status"),
    [
        ("lager=nope", "lager", 400),
        ("lager=<script>alert(1)</script>", "lager", 400),
        ("kommun=17", "kommun", 400),
        ("kommun=abcd", "kommun", 400),
        ("kommun=" + "9" * 500, "kommun", 400),
        ("bbox=1,2,3", "bbox", 400),
        ("bbox=1,2,nan,4", "bbox", 400),
        ("bbox=1e308,2,1e309,4", "bbox", 400),
        ("bbox=14,59,13,60", "bbox", 400),
        ("sprak=de", "sprak", 400),
        ("lager=" + ",".join(["kommuner"] * 50), "lager", 400),
    ],
)
def test_bad_embed_parameters_are_400_naming_the_parameter(client, query, parameter, status):
    response = client.get(f"/embed?{query}")
    assert response.status_code == status
    body = response.get_json()
    assert body["parameter"] == parameter
    assert "<script>" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_unknown_kommun_is_400_listing_valid_ones(client):
    response = client.get("/embed?kommun=0180")
    assert response.status_code == 400
    assert response.get_json()["parameter"] == "kommun"
    assert "1780 Karlstad" in response.get_json()["detail"]


def test_static_path_traversal_is_refused(client):
    for path in ("/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                 "/static/vendor/../../gisapp/__init__.py"):
        with client.get(path) as response:
            assert response.status_code == 404


def test_only_front_end_assets_are_served_from_static(client):
    for path in ("/static/strukturbild.js", "/static/strukturbild.css",
                 "/static/vendor/leaflet/leaflet.js"):
        with client.get(path) as response:
            assert response.status_code == 200, path
    for path in ("/static/package.json", "/static/package-lock.json",
                 "/static/node_modules/axe-core/axe.min.js",
                 "/static/node_modules/.package-lock.json"):
        with client.get(path) as response:
            assert response.status_code == 404, path


def test_healthz_returns_build_id(client, built):
    assert client.get("/healthz").get_json() == {"status": "ok", "build_id": built.id}


def test_provenance_api_has_sha256(client):
    body = client.get("/api/provenance").get_json()
    files = body["layers"]["kommuner"]["sources"][0]["files"]
    assert len(files[0]["sha256"]) == 64


def test_without_any_data_the_page_says_so(tmp_path):
    run_build(DataDir(None, "none"), FileStore(tmp_path))
    client = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert "Ingen datakatalog hittades" in page
    assert "strukturbild fetch" in page
    assert "tatorter" in {m["id"] for m in panel_config(page)["missing"]}


def test_no_build_yet_is_a_clear_404(tmp_path):
    client = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 404
    assert "strukturbild build" in response.get_json()["detail"]


def test_another_region_with_empty_layers_serves_its_pages(tmp_path, data_dir):
    """Uppsala län (03): no pharmacies or trains in the Värmland-only files → empty layers."""
    from layers.settings import PipelineSettings

    build = run_build(DataDir(data_dir, "test"), FileStore(tmp_path),
                      PipelineSettings(lanskod="03"))
    assert build.manifest["region"]["lansnamn"] == "Uppsala län"
    empty = [i for i, layer in build.manifest["layers"].items() if layer["rows"] == 0]
    assert "service" in empty
    client = create_app({"BUILD_DIR": str(tmp_path), "TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    missing = {m["id"]: m["how"] for m in panel_config(page)["missing"]}
    assert missing["service"] == "inga objekt i regionen"
    assert client.get("/kommun/0380").status_code == 200


def test_indicator_selector_lists_indicators_and_marks_the_chosen_one(client, built,
                                                                      no_grid_client,
                                                                      no_grid_built):
    config = panel_config(client.get("/?indikator=andel_i_tatort").get_data(as_text=True))
    ids = {choice["id"]: choice["title"] for choice in config["indicators"]}
    rows = built.indicators
    whole = rows[(rows["omrade"] == "hela_kommunen") & rows["varde"].notna()]
    assert set(ids) == set(whole["indikator"])  # what the map (whole kommun) can shade
    assert "service_apotek_andel_over_10km" in ids  # with the grid, landsbygd is covered
    assert ids["andel_i_tatort"] == "Andel i tätort"
    assert config["indicator"] == "andel_i_tatort"
    rows = no_grid_built.indicators
    whole = rows[(rows["omrade"] == "hela_kommunen") & rows["varde"].notna()]
    tatort_only = set(rows["indikator"]) - set(whole["indikator"])
    offered = {c["id"] for c in panel_config(no_grid_client.get("/").get_data(as_text=True))[
        "indicators"]}
    assert tatort_only and not tatort_only & offered  # service access without a grid
    refused = no_grid_client.get(f"/?indikator={sorted(tatort_only)[0]}")
    assert refused.status_code == 400 and refused.get_json()["parameter"] == "indikator"

def test_scenario_page_lists_the_service_points_it_can_close(client, built):
    page = client.get("/scenario").get_data(as_text=True)
    pharmacies = built.layer("service").query("kategori == 'apotek'")
    assert page.count('<option value="pipos:') == len(pharmacies)
    labels = re.findall(r'<option value="pipos:[^"]*">([^<]*)</option>', page)
    kommuner = [label.split(":")[0] for label in labels]
    assert kommuner == sorted(kommuner, key=str.lower) and kommuner[0] == "Arvika"
    assert "fågelvägen" in page
    assert client.get("/scenario?sprak=xx").status_code == 400


def test_embed_carries_the_indicator_choropleth(client):
    plain = client.get("/embed?lager=kommuner&kommun=1780").get_data(as_text=True)
    with_indicator = client.get("/embed?lager=kommuner&kommun=1780&indikator=andel_i_tatort")
    page = with_indicator.get_data(as_text=True)
    assert "Andel i tätort" in page and "Andel i tätort" not in plain
    assert client.get("/embed?indikator=nope").get_json()["parameter"] == "indikator"


def test_embed_of_an_unbuilt_layer_says_saknar_data(client, built):
    assert "bredband" in built.manifest["missing"]
    response = client.get("/embed?lager=kommuner,bredband")
    assert response.status_code == 200
    config = panel_config(response.get_data(as_text=True))
    assert [layer["id"] for layer in config["layers"]] == ["kommuner"]
    assert [m["id"] for m in config["missing"]] == ["bredband"]


@pytest.mark.parametrize("url", [
    "/?bogus=1", "/embed?lager=kommuner&x=<b>", "/healthz?a=1", "/api/provenance?a=1",
    "/scenario?z=1", "/jamfor?foo=1", "/kommun/1780?foo=1", "/api/indikatorer?foo=1",
    "/api/scenario?ta_bort=pipos:TVV_1938&foo=1",
])
def test_unknown_query_parameters_are_400_naming_them(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.get_json()["detail"].startswith(response.get_json()["parameter"])


@pytest.mark.parametrize("url", [
    "/api/indikatorer?kommun=1780&kommun=abc", "/embed?kommun=1780&kommun=1715",
    "/api/scenario?ta_bort=pipos:TVV_1938&km=5&km=abc",
])
def test_repeated_single_parameters_are_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "more than once" in response.get_json()["detail"]


def test_embed_with_every_layer_switched_off_shows_none(client):
    config = panel_config(client.get("/embed?lager=").get_data(as_text=True))
    assert config["layers"] == []
    default = panel_config(client.get("/embed").get_data(as_text=True))
    assert default["layers"]  # without the parameter: the default layers
