"""The population grid in a real build: the layer and its provenance, landsbygd in every access
and catchment indicator, the map's on-demand GeoJSON, and broken copies of the real grid."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources.errors import DataError
from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import Build, FileStore
from layers.befolkningsruta import DENSITY_CLASSES
from tests.conftest import data_dir_without

CSV = "population/scb_befolkning_1km_2024_sverige.csv"


def test_layer_and_provenance_name_the_grid_file_and_year(built: Build, data_dir) -> None:
    entry = built.manifest["layers"]["befolkning"]
    (source,) = [s for s in entry["sources"] if s["name"] == "befolkningsruta"]
    assert source["reference_year"] == "2024"
    assert [f["path"] for f in source["files"]] == [CSV]
    assert entry["befolkningsruta"]["ar"] == "2024"
    assert entry["befolkningsruta"]["rutstorlek_m"] == 1000
    assert len(entry["befolkningsruta"]["tatorter"]) == 66
    layer = built.layer("befolkning")
    assert len(layer) == 5_779 and layer["befolkning"].sum() == 282_698
    assert set(layer["tathet"]) <= {value for _, value, *_ in DENSITY_CLASSES}
    assert any("23 tätorter har färre invånare" in note for note in entry["notes"])


def test_every_access_and_catchment_indicator_has_landsbygd_for_every_kommun(built: Build):
    """Measured for all 16 kommuner — except the stomlinje catchments of kommuner whose
    stations no timetable here covers, which are empty with that reason (never 0 %)."""
    rows = built.indicators
    measured = rows[rows["indikator"].str.match(r"^(service_|befolkning_stomlinje_)")]
    assert measured["indikator"].nunique() >= 5
    kommuner = set(built.layer("kommuner")["kommunkod"])
    assert len(kommuner) == 16
    uncovered = set(built.manifest["layers"]["upptagningsomraden"]["kommuner_utan_tackning"])
    assert uncovered < kommuner
    for indikator, group in measured.groupby("indikator"):
        rural = group[group["omrade"] == "landsbygd"].set_index("kommunkod")
        assert set(rural.index) == kommuner, indikator
        blank = uncovered if indikator.startswith("befolkning_stomlinje_") else set()
        served = rural.drop(index=sorted(blank))
        assert served["varde"].notna().all() and served["teljare"].notna().all(), indikator
        assert rural.loc[sorted(blank), "kalla"].str.contains("täcks inte av tidtabell").all()
        assert rural.loc[sorted(blank), "varde"].isna().all()
        whole = group[group["omrade"] == "hela_kommunen"].set_index("kommunkod")["namnare"]
        parts = group[group["omrade"] != "hela_kommunen"].groupby("kommunkod")["namnare"].sum()
        pd.testing.assert_series_equal(whole.sort_index(), parts.sort_index(),
                                       check_names=False)
    service = measured[measured["indikator"].str.startswith("service_")]
    assert set(service.loc[service["omrade"] == "landsbygd", "kommunkod"]) == kommuner


def test_map_fetches_the_squares_on_demand(client, built: Build) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '"url": "/tiles/befolkning/{z}/{x}/{y}.mvt"' in page  # drawn from vector tiles
    assert "4130006583000" not in page  # no square is carried in the page itself
    body = client.get("/kartlager/befolkning.geojson").get_json()
    layer = built.layer("befolkning").set_index("rutid_scb")
    assert len(body["features"]) == len(layer)
    colours = {value: colour for _, value, colour in DENSITY_CLASSES}
    for feature in body["features"][:200]:
        props = feature["properties"]
        row = layer[(layer["befolkning"] == props["befolkning"])
                    & (layer["tatort_bef"] == props["tatort_bef"])].iloc[0]
        assert props["_style"]["fillColor"] == colours[row["tathet"]]
        assert props["tatort_bef"] + props["landsbygd_bef"] == props["befolkning"]
        assert "rutid_scb" not in props and feature["geometry"]["type"] == "Polygon"
    assert client.get("/kartlager/kommuner.geojson").status_code == 404
    assert client.get("/kartlager/befolkning.geojson?x=1").status_code == 400


def test_grid_is_in_the_ogc_api_and_the_downloads(client) -> None:
    collection = client.get("/ogc/collections/befolkning?f=json").get_json()
    assert collection["id"] == "befolkning"
    items = client.get("/ogc/collections/befolkning/items?f=json&kommunkod=1737&limit=1000"
                       ).get_json()
    assert sum(f["properties"]["befolkning"] for f in items["features"]) == 11_366


def _break(path, how: str) -> None:
    """Write a broken copy of the real national grid CSV (line 0 is the header)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if how == "truncated":
        text = "".join(lines)
        path.write_text(text[: len(text) // 3], encoding="utf-8")
        return
    edits = {
        "wrong_columns": [lines[0].replace("rutid_scb", "Ruta"), *lines[1:]],
        "misaligned": [lines[0], lines[1].replace("2690006534000,7,269000",
                                                  "2690406534000,7,269040"), *lines[2:]],
        "duplicated": [*lines, lines[5]],
    }
    path.write_text("".join(edits[how]), encoding="utf-8")


@pytest.mark.parametrize(("how", "message"), [
    ("truncated", "ends in the middle of a line"),
    ("wrong_columns", "unknown column layout: missing 'rutid_scb'"),
    ("misaligned", "off the grid: '2690406534000' in row"),
    ("duplicated", "same square appears more than once"),
])
def test_a_broken_grid_fails_the_build_by_name_and_the_previous_build_serves(
        tmp_path, data_dir, how, message) -> None:
    root = data_dir_without(tmp_path, data_dir, "population")
    (root / "population").mkdir()
    (root / CSV).write_bytes((data_dir / CSV).read_bytes())
    store = FileStore(tmp_path / "builds")
    serving = run_build(DataDir(root, "test"), store, progress=lambda _: None)
    _break(root / CSV, how)
    with pytest.raises(DataError, match=message) as raised:
        run_build(DataDir(root, "test"), store, progress=lambda _: None)
    assert "scb_befolkning_1km_2024_sverige.csv" in str(raised.value)
    assert store.current().id == serving.id
    client = create_app({"BUILD_DIR": str(tmp_path / "builds"), "TESTING": True}).test_client()
    assert client.get("/healthz").get_json()["build_id"] == serving.id
    assert client.get("/kartlager/befolkning.geojson").status_code == 200
