"""Exports on the real build: GeoPackage (with style and provenance), CSV, GeoParquet, downloads."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from geopandas.testing import assert_geodataframe_equal
from openpyxl import load_workbook

from gisapp import create_app
from gisapp.cli import main
from gisapp.indicators.excel import workbook
from gisapp.indicators.query import Selection, query
from layers import palette
from layers.indikatorer import COLUMNS
from tests.system_tools import required_in_ci


@pytest.fixture(scope="module")
def gpkg(build_dir, tmp_path_factory):
    """The whole build exported by the CLI as one GeoPackage."""
    out = tmp_path_factory.mktemp("export") / "strukturbild.gpkg"
    assert main(["export", "--format", "gpkg", "--out", str(out),
                 "--build-dir", str(build_dir)]) == 0
    return out


@pytest.fixture
def downloads(build_dir, tmp_path):
    """A client whose export cache is a fresh temporary directory."""
    exports = tmp_path / "exports"
    exports.mkdir(mode=0o700)
    app = create_app({"BUILD_DIR": str(build_dir), "TESTING": True, "EXPORT_DIR": str(exports)})
    return app.test_client()


def _expected_tables(built) -> list[str]:
    return sorted([*built.layer_ids(), *(["indikatorer"] if len(built.indicators) else []),
                   "layer_styles"])


def test_gpkg_holds_every_layer_with_style_and_provenance(gpkg, built):
    layers = dict(pyogrio.list_layers(gpkg))
    assert sorted(layers) == _expected_tables(built)
    if len(built.indicators):
        table = pyogrio.read_dataframe(gpkg, layer="indikatorer")
        assert list(table.columns) == COLUMNS and len(table) == len(built.indicators)
    for layer_id in built.layer_ids():
        frame = gpd.read_file(gpkg, layer=layer_id)
        assert frame.crs.to_epsg() == 3006
        assert len(frame) == len(built.layer(layer_id))
    meta = pyogrio.read_info(gpkg, layer="kommuner")["layer_metadata"]
    provenance = json.loads(meta["strukturbild_provenance"])
    assert "Lantmäteriet" in {s["publisher"] for s in provenance["sources"]}
    assert json.loads(meta["strukturbild_style"])["style"]["color"] == palette.KOMMUNGRANS


@required_in_ci(shutil.which("ogrinfo") is not None, "needs GDAL's ogrinfo (Debian gdal-bin)")
def test_ogrinfo_reads_the_gpkg(gpkg, built):
    out = subprocess.run(["ogrinfo", "-ro", "-so", str(gpkg), "tatorter"], capture_output=True,
                         text=True, timeout=60, check=True)
    assert f"Feature Count: {len(built.layer('tatorter'))}" in out.stdout
    assert "strukturbild_provenance=" in out.stdout
    assert "partially supported" not in out.stderr


def test_every_layer_has_one_default_qgis_style(gpkg, built):
    styles = pyogrio.read_dataframe(gpkg, layer="layer_styles")
    assert sorted(styles["f_table_name"]) == sorted(built.layer_ids())
    assert styles["useAsDefault"].all() and (styles["f_geometry_column"] == "geom").all()
    service = styles.set_index("f_table_name").loc["service", "styleQML"]
    root = ElementTree.fromstring(service.split(">", 1)[1])  # after the DOCTYPE
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "kategori"
    values = {c.get("value") for c in renderer.iter("category")}
    assert values == set(built.layer("service")["kategori"])  # only classes present


QGIS_PYTHON = "/usr/bin/python3"


def _has_qgis() -> bool:
    return subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True,
                          check=False).returncode == 0 if os.path.exists(QGIS_PYTHON) else False


@required_in_ci(_has_qgis(), "needs QGIS' Python bindings (Debian python3-qgis)")
def test_qgis_opens_the_layers_styled_as_on_the_map(gpkg):
    probe = Path(__file__).with_name("qgis_probe.py")
    out = subprocess.run([QGIS_PYTHON, str(probe), str(gpkg), "kommuner", "tatorter",
                          "stomlinjer", "service"], capture_output=True, text=True, timeout=120,
                         check=True, env={**os.environ, "XDG_RUNTIME_DIR": str(gpkg.parent)})
    layers = json.loads(out.stdout.strip().splitlines()[-1])
    for info in layers.values():
        assert info["valid"] and info["loaded"] and info["message"] == "Loaded from Provider"
    assert layers["kommuner"]["colour"] == palette.BACKGROUND_LAND
    assert layers["kommuner"]["opacity"] == 0.05
    assert layers["tatorter"]["colour"] == palette.TATORT_FILL
    assert layers["stomlinjer"]["attribute"] == "klass"
    stomlinje = layers["stomlinjer"]["categories"]["stomlinje"]
    assert stomlinje == palette.LINE_CLASSES["stomlinje"].lower()
    assert layers["service"]["categories"]["apotek"] == palette.SERVICE["apotek"].lower()


def test_csv_export_has_the_indicator_columns(build_dir, built, tmp_path):
    out = tmp_path / "indikatorer.csv"
    assert main(["export", "--format", "csv", "--out", str(out),
                 "--build-dir", str(build_dir)]) == 0
    table = pd.read_csv(out, dtype={"kommunkod": str})
    assert list(table.columns) == COLUMNS
    assert len(table) == len(built.indicators)


def test_geoparquet_export_round_trips(build_dir, built, tmp_path):
    assert main(["export", "--format", "geoparquet", "--out", str(tmp_path / "pq"),
                 "--build-dir", str(build_dir)]) == 0
    for layer_id in built.layer_ids():
        frame = gpd.read_parquet(tmp_path / "pq" / f"{layer_id}.parquet")
        assert frame.crs.to_epsg() == 3006
        assert_geodataframe_equal(frame, built.layer(layer_id), check_like=True)
    provenance = json.loads((tmp_path / "pq" / "provenance.json").read_text("utf-8"))
    assert provenance["build_id"] == built.id


def test_export_without_build_fails_cleanly(tmp_path, capsys):
    assert main(["export", "--format", "csv", "--out", str(tmp_path / "x.csv"),
                 "--build-dir", str(tmp_path)]) == 1
    assert "strukturbild build" in capsys.readouterr().err


def test_download_of_the_whole_gpkg(downloads, built, tmp_path):
    path = tmp_path / "dl.gpkg"
    with downloads.get("/nedladdning/strukturbild.gpkg") as response:
        assert response.status_code == 200
        assert built.id in response.headers["Content-Disposition"]
        path.write_bytes(response.get_data())
    assert sorted(dict(pyogrio.list_layers(path))) == _expected_tables(built)


def test_download_of_one_kommun(downloads, built, tmp_path):
    path = tmp_path / "karlstad.gpkg"
    with downloads.get("/nedladdning/kommun/1780.gpkg") as response:
        assert response.status_code == 200
        path.write_bytes(response.get_data())
    kommuner = gpd.read_file(path, layer="kommuner")
    assert kommuner["kommunnamn"].tolist() == ["Karlstad"]
    tatorter = gpd.read_file(path, layer="tatorter")
    expected = built.layer("tatorter")
    assert len(tatorter) == (expected["kommunkod"] == "1780").sum() > 0
    lan = gpd.read_file(path, layer="lan")
    assert lan.area.sum() == pytest.approx(kommuner.area.sum(), rel=1e-6)


def test_download_of_csv_and_parquet(downloads, built, tmp_path):
    with downloads.get("/nedladdning/indikatorer.csv") as csv:
        assert csv.status_code == 200 and csv.mimetype == "text/csv"
        lines = csv.get_data(as_text=True).splitlines()
    assert lines[0] == ",".join(COLUMNS) and len(lines) == len(built.indicators) + 1
    path = tmp_path / "service.parquet"
    with downloads.get("/nedladdning/service.parquet") as parquet:
        path.write_bytes(parquet.get_data())
    assert len(gpd.read_parquet(path)) == len(built.layer("service"))


@pytest.mark.parametrize(("url", "status"), [
    ("/nedladdning/kommun/17800.gpkg", 404), ("/nedladdning/kommun/0180.gpkg", 404),
    ("/nedladdning/kommun/abc.gpkg", 404),
    ("/nedladdning/kommun/..%2F1780.gpkg", 404), ("/nedladdning/nosuch.parquet", 404),
    ("/nedladdning/..%2Fmanifest.parquet", 404),
])
def test_bad_download_ids(downloads, url, status):
    response = downloads.get(url)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_download_index_links_every_export(downloads, built):
    page = downloads.get("/nedladdning/").get_data(as_text=True)
    assert "/nedladdning/strukturbild.gpkg" in page and "/nedladdning/indikatorer.csv" in page
    assert "/api/indikatorer?format=xlsx" in page
    for layer_id in built.layer_ids():
        assert f"/nedladdning/{layer_id}.parquet" in page
    for kommun in built.manifest["region"]["kommuner"]:
        assert f"/nedladdning/kommun/{kommun['kommunkod']}.gpkg" in page
    assert "http://localhost/ogc" in page


def test_excel_export_keeps_numbers_numeric_with_sources(downloads, built, tmp_path):
    with downloads.get("/api/indikatorer?kommun=1780&format=xlsx") as response:
        assert response.status_code == 200
        assert response.mimetype.endswith("spreadsheetml.sheet")
        assert "indikatorer_1780.xlsx" in response.headers["Content-Disposition"]
        path = tmp_path / "indikatorer.xlsx"
        path.write_bytes(response.get_data())
    with downloads.get("/api/indikatorer?kommun=1780&format=csv") as response:
        csv = pd.read_csv(io.StringIO(response.get_data(as_text=True)), dtype={"kommunkod": str})
    sheets = pd.read_excel(path, sheet_name=None, dtype={"kommunkod": str})
    assert list(sheets) == ["Indikatorer", "Källor", "Om"]
    table = sheets["Indikatorer"]
    assert len(table) == len(csv)  # the same rows as the CSV export, plus a title column
    assert table["titel"].notna().all()
    whole = table[(table["niva"] == "kommun") & (table["indikator"] == "befolkning")
                  & (table["omrade"] == "hela_kommunen")]
    assert whole["varde"].tolist() == [99007]  # a number in the cell, not text
    assert pd.api.types.is_numeric_dtype(table["varde"])
    sources = sheets["Källor"]
    assert "Lantmäteriet" in set(sources["utgivare"])
    assert sources["sha256"].dropna().str.fullmatch(r"[0-9a-f]{64}").all()
    assert built.id in set(sheets["Om"]["varde"])


def test_excel_never_turns_text_into_a_formula(built):
    result = query(built, Selection("1780", "befolkning", "skr"))
    rows = result["rader"].assign(kalla='=HYPERLINK("http://example.invalid","x")')
    data = workbook(built, {**result, "rader": rows}, klassning="skr", lang="sv", note="n")
    sheet = load_workbook(io.BytesIO(data))["Indikatorer"]
    cells = [c for row in sheet.iter_rows() for c in row if str(c.value).startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)  # stored as text


def test_exports_live_in_the_build_directory_closed_to_others(build_dir, built):
    app = create_app({"BUILD_DIR": str(build_dir), "TESTING": True})
    with app.test_client().get("/nedladdning/indikatorer.csv") as response:
        assert response.status_code == 200
    folder = built.path / "exports"
    assert (folder / "indikatorer.csv").is_file()
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_planted_export_folder_is_refused_never_served(build_dir, built, tmp_path):
    """Another local user pre-creates the export folder with their own file in it."""
    exports = tmp_path / "exports"
    (exports / built.id).mkdir(parents=True)
    (exports / built.id / "indikatorer.csv").write_text("kommunkod,varde\n1780,666\n")
    exports.chmod(0o777)
    app = create_app({"BUILD_DIR": str(build_dir), "TESTING": True, "EXPORT_DIR": str(exports)})
    with app.test_client().get("/nedladdning/indikatorer.csv") as response:
        assert response.status_code == 500
        assert b"666" not in response.get_data()
    exports.chmod(0o700)
    (exports / built.id).chmod(0o700)
    link = tmp_path / "link"
    link.symlink_to(exports)
    linked = create_app({"BUILD_DIR": str(build_dir), "TESTING": True, "EXPORT_DIR": str(link)})
    assert linked.test_client().get("/nedladdning/indikatorer.csv").status_code == 500


def test_export_dir_setting_keeps_one_folder_per_build_and_removes_only_old_builds(
        build_dir, built, tmp_path):
    exports = tmp_path / "exports"
    keep = exports / "not-a-build"
    keep.mkdir(parents=True)
    exports.chmod(0o700)
    stale = exports / "20200101T000000Z-abcdef"
    stale.mkdir()
    app = create_app({"BUILD_DIR": str(build_dir), "TESTING": True, "EXPORT_DIR": str(exports)})
    with app.test_client().get("/nedladdning/indikatorer.csv") as response:
        assert response.status_code == 200
    assert keep.exists() and not stale.exists() and (exports / built.id).is_dir()
