"""Damaged builds are found when opened, reported by name, and an earlier build is served."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from gisapp import create_app
from gisapp.store import BuildStore, FileStore
from gisapp.store import base as store_module


class _Clock:
    """Stands in for ``datetime`` in gisapp.store.base: each build one second after the last
    (build ids begin with their second), without waiting for real seconds to pass."""

    def __init__(self) -> None:
        self.at = datetime(2026, 3, 3, 12, 0, 0, tzinfo=UTC)

    def now(self, tz=None) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at.astimezone(tz)


@pytest.fixture(autouse=True)
def _build_clock(monkeypatch):
    monkeypatch.setattr(store_module, "datetime", _Clock())


def _write(store: BuildStore, built):
    layers = {layer_id: built.layer(layer_id) for layer_id in built.layer_ids()}
    manifest = {k: v for k, v in built.manifest.items() if k not in ("build_id", "files")}
    return store.write(layers, built.indicators, manifest)


@pytest.fixture
def two_builds(built, tmp_path):
    store = FileStore(tmp_path / "builds")
    return tmp_path / "builds", _write(store, built), _write(store, built)


def test_manifest_records_the_sha256_of_every_file(two_builds):
    _, _, newer = two_builds
    files = newer.manifest["files"]
    on_disk = sorted(p.name for p in newer.path.iterdir() if p.name != "manifest.json")
    assert sorted(files) == on_disk
    for name, digest in files.items():
        assert hashlib.sha256((newer.path / name).read_bytes()).hexdigest() == digest


def test_a_corrupt_layer_file_falls_back_to_the_previous_build(two_builds):
    root, older, newer = two_builds
    layer = newer.path / "kommuner.parquet"
    data = bytearray(layer.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: still a file, no longer the same
    layer.write_bytes(bytes(data))
    client = create_app({"BUILD_DIR": str(root), "TESTING": True}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 200
    body = health.get_json()
    assert body["status"] == "degraded" and body["build_id"] == older.id
    assert body["damaged"]["build_id"] == newer.id
    assert "kommuner.parquet" in body["damaged"]["problem"]
    assert client.get("/api/provenance").get_json()["build_id"] == older.id
    assert client.get("/ogc/collections/kommuner/items").status_code == 200


def test_a_missing_manifest_is_a_damaged_build_not_no_build(two_builds):
    root, older, newer = two_builds
    (newer.path / "manifest.json").unlink()
    body = create_app({"BUILD_DIR": str(root), "TESTING": True}).test_client().get(
        "/healthz").get_json()
    assert body["status"] == "degraded" and body["build_id"] == older.id
    assert newer.id in body["damaged"]["problem"] and "manifest.json" in body["damaged"]["problem"]


def test_a_damaged_build_without_an_earlier_one_is_503_naming_it(built, tmp_path):
    root = tmp_path / "builds"
    only = _write(FileStore(root), built)
    (only.path / "tatorter.parquet").unlink()
    client = create_app({"BUILD_DIR": str(root), "TESTING": True}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "damaged"
    page = client.get("/api/provenance")
    assert page.status_code == 503
    detail = page.get_json()["detail"]
    assert only.id in detail and "tatorter.parquet is missing" in detail
    assert str(tmp_path) not in page.get_data(as_text=True)


def test_old_builds_are_pruned_keeping_the_newest_n(built, tmp_path):
    root = tmp_path / "builds"
    store = FileStore(root, keep=2)
    ids = [_write(store, built).id for _ in range(3)]
    kept = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink())
    assert kept == ids[1:]
    assert store.current().id == ids[-1]
