"""Builds of the real data: layers, manifest provenance, atomic switch of ``current``."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pytest

from data_sources import befolkning, kommuner, pipos
from data_sources._http import sha256_file
from data_sources.errors import BuildError, DataError
from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import FileStore
from tests.raw import csv_rows


def test_build_has_the_base_layers_with_provenance(built, data_dir):
    for layer_id in ("kommuner", "lan", "tatorter", "service"):
        assert layer_id in built.layer_ids()
        entry = built.manifest["layers"][layer_id]
        assert entry["rows"] == len(built.layer(layer_id))
        assert entry["crs"] == "EPSG:3006"
    sources = {s["name"]: s for s in built.manifest["layers"]["kommuner"]["sources"]}
    assert set(sources) == {"kommuner", "befolkning", "kommungrupper_skr"}
    source = sources["kommuner"]
    assert source["publisher"] == "Lantmäteriet"
    assert source["reference_year"] == "2018"
    assert source["files"][0]["sha256"] == sha256_file(data_dir / kommuner.META.files[0].path)
    assert built.manifest["region"]["lansnamn"] == "Värmlands län"
    assert len(built.manifest["region"]["kommuner"]) == 16



def test_kommuner_layer_joins_population_and_group(built, data_dir):
    frame = built.layer("kommuner").set_index("kommunkod")
    raw = {row["kommunkod"]: row for row in csv_rows(data_dir / befolkning.FILE.path)}
    assert frame["invanare"].to_dict() == {
        code: int(row["invanare_2025_kolada_n01951"]) for code, row in raw.items()}
    assert frame.loc["1780", "invanare"] == 99007  # Karlstad, as SCB publishes it
    assert frame["klass_kod"].to_dict() == {code: row["skr_gruppkod"] for code, row in raw.items()}


def test_tatorter_layer_links_2020_population(built):
    frame = built.layer("tatorter")
    assert len(frame) == 70
    assert frame.set_index("tatort").loc["Karlstad", "bef_2020"] == 67122
    # Four 2018 polygons were no tätorter in 2020 (Blombacka, Edsgatan och Långenäs,
    # Mjönäs, Prästängen): they stay unlinked rather than borrowing a number.
    unlinked = frame.loc[frame["tatortskod_2020"].isna(), "tatort"]
    assert sorted(unlinked) == ["Blombacka", "Edsgatan och Långenäs", "Mjönäs", "Prästängen"]


def test_service_layer_has_pharmacies_post_points_and_located_schools_only(built, data_dir):
    frame = built.layer("service")
    assert (frame["kategori"] == "apotek").sum() == len(csv_rows(pipos.META.file(data_dir)))
    assert frame.geometry.notna().all()
    assert set(frame["kategori"]) <= {"apotek", "grundskola", "gymnasieskola", "post"}
    notes = " ".join(built.manifest["layers"]["service"]["notes"])
    assert "saknar koordinater" in notes
    # the development sources cover Värmland only: the border caveat is said where it matters
    assert frame["i_regionen"].all()
    access_notes = " ".join(built.manifest["layers"]["tillganglighet"]["notes"])
    assert "kan vara överskattade" in notes and "kan vara överskattade" in access_notes


def test_failing_build_leaves_current_intact(tmp_path, data_dir):
    store = FileStore(tmp_path / "builds")
    first = run_build(DataDir(data_dir, "test"), store)
    before = {p.name: p.read_bytes() for p in first.path.iterdir()}

    broken_dir = tmp_path / "data"
    shutil.copytree(data_dir, broken_dir)
    target = broken_dir / kommuner.META.files[0].path
    frame = gpd.read_file(target, layer="kommuner").drop(columns="kommunnamn")
    target.unlink()
    frame.to_file(target, layer="kommuner", driver="GPKG")
    with pytest.raises(DataError, match="missing column"):
        run_build(DataDir(broken_dir, "test"), store)

    current = store.current()
    assert current.id == first.id
    assert {p.name: p.read_bytes() for p in current.path.iterdir()} == before
    assert not list((tmp_path / "builds").glob(".partial-*"))


def test_interrupted_write_leaves_current_intact(tmp_path, data_dir, monkeypatch):
    store = FileStore(tmp_path / "builds")
    first = run_build(DataDir(data_dir, "test"), store)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", fail)
    with pytest.raises(BuildError, match="disk full.*previous build keeps serving"):
        run_build(DataDir(data_dir, "test"), store)
    assert store.current().id == first.id
    assert not list((tmp_path / "builds").glob(".partial-*"))


def test_no_data_dir_builds_fallback_boundaries(tmp_path):
    build = run_build(DataDir(None, "none"), FileStore(tmp_path))
    assert build.manifest["has_data_dir"] is False
    assert build.layer_ids() == ["kommuner", "lan"]
    assert len(build.layer("kommuner")) == 16
    assert "fallback" in build.manifest["layers"]["kommuner"]
    assert set(build.manifest["missing"]) >= {"tatorter", "service"}
    assert "missing admin/tatorter_sverige_lm1m_2018.gpkg" in build.manifest["missing"]["tatorter"]


def test_transit_steps_share_one_analysis_and_keep_provenance(built):
    for layer_id in ("hallplatser", "stomlinjer", "upptagningsomraden"):
        names = [s["name"] for s in built.manifest["layers"][layer_id]["sources"]]
        assert "gtfs_rail" in names, layer_id


def test_derived_values_are_computed_once_per_build(data_dir):
    from data_sources import befolkning
    from gisapp.build.pipeline import BuildContext
    from layers.settings import PipelineSettings

    ctx = BuildContext(data_dir, PipelineSettings())
    calls = []

    def compute(c):
        calls.append(1)
        return len(c.source("befolkning", befolkning.load))

    assert ctx.derived("n", compute) == ctx.derived("n", compute) == 16
    assert calls == [1]
    assert ctx.take_used_sources() == ["befolkning"]


def test_store_reuses_the_open_build_until_current_switches(tmp_path, data_dir):
    store = FileStore(tmp_path)
    first = run_build(DataDir(None, "none"), store)
    assert store.current() is store.current()
    assert store.current().id == first.id
    second = run_build(DataDir(None, "none"), store)
    assert store.current().id == second.id != first.id
