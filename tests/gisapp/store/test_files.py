"""The file store (and what gisapp/store/base.py gives every store) on small in-memory builds
(no real-data build): fast enough to run against every mutant of gisapp/store/files.py and
base.py (``make mutate``).

Each test builds its expectation from the files it finds on disk (sha256 with hashlib,
directory listings, the symlink), not from the store's own answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix

from data_sources.errors import BuildError, LayerMissingError, NotFoundError
from gisapp.store import base, files
from gisapp.store.base import Build, BuildStore
from gisapp.store.files import CURRENT, MANIFEST, DamagedBuildError, FileStore
from layers.accessibility import Network

# every os call that can remove, create or move a directory entry such as the ``current`` link
ENTRY_CALLS = ("unlink", "remove", "rmdir", "symlink", "link", "rename", "replace")


class _Clock:
    """Stands in for ``datetime`` in gisapp.store.base: each build ``step`` seconds after the
    last (build ids begin with their second); ``step=0`` gives builds of the same second."""

    def __init__(self, step: int) -> None:
        self.at = datetime(2026, 3, 3, 12, 0, 0, tzinfo=UTC)
        self.step = timedelta(seconds=step)

    def now(self, tz=None) -> datetime:
        self.at += self.step
        return self.at.astimezone(tz)


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> _Clock:
    ticking = _Clock(1)
    monkeypatch.setattr(base, "datetime", ticking)
    return ticking


def _layers() -> dict[str, gpd.GeoDataFrame]:
    points = gpd.GeoDataFrame({"namn": ["Karlstad", "Arvika"]},
                              geometry=gpd.points_from_xy([412_000.0, 337_000.0],
                                                          [6_583_000.0, 6_614_000.0]),
                              crs=3006)
    # the pipeline's row labels are not kept (orter is labelled 1, 0): a layer reads back in
    # its row order, labelled from 0, as the PostGIS store gives it
    return {"orter": points.iloc[::-1], "tomt": points.iloc[:0]}


MANIFEST_IN = {
    "region": {"kommuner": [{"kommunkod": "1780", "kommunnamn": "Karlstad"},
                            {"kommunkod": "1784", "kommunnamn": "Arvika"}]},
    "layers": {"orter": {"title": "Orter"}, "tomt": {"title": "Tomt"}},
    "missing": {"tatorter": "no tätort data"},
}
# labelled 7 by the pipeline: read back labelled from 0, like the layers
INDICATORS = pd.DataFrame({"kommunkod": ["1780"], "indikator": ["x"], "varde": [1.5]}, index=[7])


def _write(store: FileStore, **kwargs) -> files.FileBuild:
    return store.write(_layers(), kwargs.pop("indicators", INDICATORS), MANIFEST_IN, **kwargs)


def _dirs(root: Path) -> list[str]:
    """Build directories on disk (not the link, lock or partials), by name."""
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.is_symlink()
                  and not p.name.startswith("."))


def test_a_build_is_written_with_a_checksummed_manifest_and_current_pointing_at_it(tmp_path):
    root = tmp_path / "data" / "builds"  # neither directory exists yet
    build = _write(FileStore(root))
    assert base.BUILD_ID.match(build.id) and build.id.startswith("20260303T120001Z-")
    assert os.readlink(root / CURRENT) == build.id  # relative: the directory can be moved
    assert _dirs(root) == [build.id] and not list(root.glob(".partial-*"))
    assert not list(root.glob(f".{CURRENT}-*"))  # the link made aside was renamed
    on_disk = json.loads((root / build.id / MANIFEST).read_text("utf-8"))
    names = sorted(p.name for p in (root / build.id).iterdir() if p.name != MANIFEST)
    assert names == ["indikatorer.parquet", "orter.parquet", "tomt.parquet"]
    assert on_disk["files"] == {n: hashlib.sha256((root / build.id / n).read_bytes()).hexdigest()
                                for n in names}
    assert on_disk["build_id"] == build.id
    assert {k: on_disk[k] for k in MANIFEST_IN} == MANIFEST_IN
    # the provenance record stays readable text: UTF-8, not \u escapes
    assert '"tatorter": "no tätort data"' in (root / build.id / MANIFEST).read_text("utf-8")
    assert build.local_dir == root / build.id == build.path


def test_a_build_reads_back_and_knows_its_layers(tmp_path):
    root = tmp_path / "builds"
    _write(FileStore(root))
    build = FileStore(root).current()
    assert build.layer_ids() == ["orter", "tomt"]
    assert build.kommuner == {"1780": "Karlstad", "1784": "Arvika"}
    pd.testing.assert_frame_equal(build.indicators, INDICATORS.reset_index(drop=True))
    orter = build.layer("orter")
    assert orter.crs.to_epsg() == 3006 and orter["namn"].tolist() == ["Arvika", "Karlstad"]
    assert orter.index.equals(pd.RangeIndex(2)) and list(orter.columns) == ["namn", "geometry"]
    assert build.layer("orter") is orter  # read once
    assert build.require_layer("tomt").empty
    with pytest.raises(LayerMissingError, match="no tätort data"):
        build.require_layer("tatorter")
    with pytest.raises(LayerMissingError, match="not a layer of this build"):
        build.require_layer("vagar")
    with pytest.raises(NotFoundError, match=f"layer 'vagar' is not in build {build.id}"):
        build.layer("vagar")
    assert build.network is None


def test_no_indicators_and_a_network_are_stored_as_such(tmp_path):
    root = tmp_path / "builds"
    xy = np.array([[400_000.0, 6_600_000.0], [400_100.0, 6_600_000.0]])
    metres = csr_matrix((np.array([100.0]), (np.array([1]), np.array([0]))), shape=(3, 3))
    network = Network.from_arrays(xy, metres, metres / 1000.0, np.array([0, 1]))
    build = _write(FileStore(root), indicators=pd.DataFrame(), network=network)
    assert sorted(p.name for p in build.path.iterdir()) == [
        MANIFEST, "network.npz", "orter.parquet", "tomt.parquet"]
    served = FileStore(root).current()
    assert served.indicators.empty
    for name, array in network.arrays().items():
        np.testing.assert_array_equal(served.network.arrays()[name], array)


def test_the_tile_archive_is_kept_byte_for_byte_and_checksummed(tmp_path):
    """The store keeps the PMTiles archive as opaque bytes (the real archive's round trip
    through both stores is in test_contract.py): every byte value, read back unchanged from
    a path inside the build, listed with its sha256; a build written without one has none."""
    root = tmp_path / "builds"
    archive = bytes(range(256))
    build = _write(FileStore(root), tiles=archive)
    served = FileStore(root).current()
    assert served.tiles == root / build.id / files.TILES and served.tiles.read_bytes() == archive
    assert served.manifest["files"][files.TILES] == hashlib.sha256(archive).hexdigest()
    _write(FileStore(root))
    assert FileStore(root).current().tiles is None


def test_an_empty_or_missing_directory_has_no_build(tmp_path):
    for store in (FileStore(tmp_path / "absent"), FileStore(tmp_path)):
        assert store.current() is None and store.build_ids() == [] and store.prune() == []
        assert store.status() == {"status": "none", "build_id": None}
        with pytest.raises(NotFoundError, match="no build yet"):
            store.require_current()


def test_current_is_never_missing_while_a_new_build_is_switched_in(tmp_path, monkeypatch):
    """Guards the atomic switch of ``current`` (bug: ``current`` unlinked, then symlinked
    anew — a request between the two calls finds no build).

    A reader looks at ``current`` after every call that changes a directory entry while the
    second build is written and switched in: at each of those instants it must resolve to a
    complete build, and at the end to the new one.
    """
    store = FileStore(tmp_path)
    first = _write(store)
    seen: list[tuple[str, bool]] = []

    def observed(name: str):
        real = getattr(os, name)

        def call(*args, **kwargs):
            result = real(*args, **kwargs)
            seen.append((name, (tmp_path / CURRENT / MANIFEST).is_file()))
            return result
        return call

    for name in ENTRY_CALLS:
        monkeypatch.setattr(os, name, observed(name))
    second = _write(store)
    monkeypatch.undo()
    assert ("replace", True) in seen or ("rename", True) in seen
    assert [name for name, serving in seen if not serving] == []
    assert second.id != first.id and os.readlink(tmp_path / CURRENT) == second.id


def test_a_left_over_aside_link_does_not_stop_the_switch(tmp_path, monkeypatch):
    """A ``.current-<id>`` link left by an interrupted switch is replaced, not an error."""
    store = FileStore(tmp_path)
    _write(store)
    monkeypatch.setattr(files, "new_build_id", lambda: "20260303T120009Z-abcdef")
    (tmp_path / f".{CURRENT}-20260303T120009Z-abcdef").symlink_to("nowhere")
    second = _write(store)
    assert second.id == "20260303T120009Z-abcdef"
    assert os.readlink(tmp_path / CURRENT) == second.id
    assert not list(tmp_path.glob(f".{CURRENT}-*"))


def test_the_reader_keeps_its_build_until_current_is_switched(tmp_path):
    root = tmp_path / "builds"
    writer, reader = FileStore(root), FileStore(root)
    first = _write(writer)
    seen = reader.current()
    assert seen.id == first.id and reader.current() is seen
    assert reader.require_current() is seen
    second = _write(writer)
    assert reader.current().id == second.id
    assert reader.status() == {"status": "ok", "build_id": second.id}
    # switched back to the older build (a rollback): the reader follows it too
    os.replace(_relink(root, first.id), root / CURRENT)
    assert reader.current().id == first.id


def test_builds_of_the_same_second_are_ordered_by_completion(tmp_path, clock):
    """Ids of one second sort by their random suffix; the store orders them by when their
    manifest was written (here: the order of writing, each manifest's mtime set apart)."""
    clock.step = timedelta(0)
    root = tmp_path / "builds"
    store = FileStore(root, keep=5)
    written = []
    for n in range(4):
        build = _write(store)
        stamp = 1_700_000_000 + n
        os.utime(build.path / MANIFEST, (stamp, stamp))
        written.append(build.id)
    assert len({i[:16] for i in written}) == 1
    assert store.build_ids() == written


def test_only_build_directories_count_as_builds(tmp_path):
    root = tmp_path / "builds"
    store = FileStore(root)
    build = _write(store)
    (root / "20260101T000000Z-abcdef.txt").write_text("not a directory")
    (root / "notes").mkdir()
    (root / "20260101T000000Z-abcdeg").mkdir()  # not hex
    (root / "x20260101T000000Z-abcdef").mkdir()
    (root / "20260101T000000Z-abcdef0").mkdir()
    (root / "20260101T000000Z-abcdef").symlink_to(build.id)
    assert store.build_ids() == [build.id]


def test_old_builds_are_pruned_keeping_the_newest_n_and_never_current(tmp_path):
    root = tmp_path / "builds"
    ids = [_write(FileStore(root, keep=2)).id for _ in range(4)]
    assert _dirs(root) == ids[2:] == FileStore(root).build_ids()
    os.replace(_relink(root, ids[2]), root / CURRENT)  # current pointed back at the older
    assert FileStore(root, keep=1).prune() == []  # the older is current, the newer is kept
    assert FileStore(root, keep=0).prune() == []  # keep is at least 1
    assert _dirs(root) == ids[2:]
    newest = _write(FileStore(root, keep=10)).id
    os.replace(_relink(root, ids[2]), root / CURRENT)  # current: the oldest of three
    assert FileStore(root, keep=1).prune() == [ids[3]]  # older than the newest, not current
    assert _dirs(root) == [ids[2], newest]


def test_a_build_removed_meanwhile_does_not_fail_the_prune(tmp_path, monkeypatch):
    """Another instance pruning the same directory may delete an old build first: that is
    not an error of this prune (nor of the build that ran it)."""
    root = tmp_path / "builds"
    newest = _write(FileStore(root)).id
    ghost = root / "20260101T000000Z-0000aa"  # listed, then removed by the other instance
    listed = FileStore._build_dirs
    monkeypatch.setattr(FileStore, "_build_dirs", lambda self: [ghost, *listed(self)])
    FileStore(root, keep=1).prune()
    assert _dirs(root) == [newest]


def test_the_store_keeps_three_builds_by_default(tmp_path):
    root = tmp_path / "builds"
    ids = [_write(FileStore(root)).id for _ in range(4)]
    assert _dirs(root) == ids[1:]


def _relink(root: Path, build_id: str) -> Path:
    aside = root / ".relink"
    aside.symlink_to(build_id, target_is_directory=True)
    return aside


def test_prune_returns_what_it_removed(tmp_path, caplog):
    root = tmp_path / "builds"
    ids = [_write(FileStore(root, keep=10)).id for _ in range(3)]
    caplog.set_level("INFO", logger="gisapp.store.files")
    assert FileStore(root, keep=1).prune() == ids[:2]
    assert _dirs(root) == ids[2:]
    assert f"pruned builds {ids[0]}, {ids[1]} (keeping the newest 1)" in caplog.text
    assert FileStore(root, keep=1).prune() == []


def _damage(build: files.FileBuild, name: str) -> None:
    data = bytearray((build.path / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (build.path / name).write_bytes(bytes(data))


def test_a_damaged_current_falls_back_to_the_newest_earlier_build_that_verifies(tmp_path):
    root = tmp_path / "builds"
    store = FileStore(root, keep=5)
    oldest, damaged_too, newest = (_write(store) for _ in range(3))
    _damage(newest, "orter.parquet")
    (damaged_too.path / "tomt.parquet").unlink()
    reader = FileStore(root)
    assert reader.current().id == oldest.id
    status = reader.status()
    assert status == {"status": "degraded", "build_id": oldest.id, "damaged": {
        "build_id": newest.id,
        "problem": f"build {newest.id} is damaged: orter.parquet does not match its recorded "
                   "sha256"}}


def test_a_later_build_than_current_is_not_a_fallback(tmp_path):
    root = tmp_path / "builds"
    store = FileStore(root, keep=5)
    first, second = _write(store), _write(store)
    os.replace(_relink(root, first.id), root / CURRENT)
    _damage(first, "indikatorer.parquet")
    reader = FileStore(root)
    assert reader.current() is None
    assert reader.status()["status"] == "damaged" and reader.status()["build_id"] is None
    with pytest.raises(DamagedBuildError, match=f"build {first.id} is damaged: indikatorer"
                                                r"\.parquet .*; no earlier complete build"):
        reader.require_current()
    assert second.id in store.build_ids()


@pytest.mark.parametrize(("damage", "problem"), [
    (lambda p: (p / MANIFEST).unlink(), "manifest.json missing or unreadable (FileNotFoundError)"),
    (lambda p: (p / MANIFEST).write_text("{", "utf-8"),
     "manifest.json missing or unreadable (JSONDecodeError)"),
    (lambda p: (p / "orter.parquet").unlink(), "orter.parquet is missing"),
    (lambda p: (p / "indikatorer.parquet").write_bytes(b""),
     "indikatorer.parquet does not match its recorded sha256"),
])
def test_each_kind_of_damage_is_named(tmp_path, damage, problem):
    root = tmp_path / "builds"
    build = _write(FileStore(root))
    damage(build.path)
    with pytest.raises(DamagedBuildError) as caught:
        FileStore(root).require_current()
    assert str(caught.value) == f"build {build.id} is damaged: {problem}; no earlier complete " \
                                "build to serve"
    assert DamagedBuildError.http_status == 503 and caught.value.public_detail


def test_a_build_from_before_checksums_is_checked_as_parquet(tmp_path):
    root = tmp_path / "builds"
    build = _write(FileStore(root))
    manifest = json.loads((build.path / MANIFEST).read_text("utf-8"))
    del manifest["files"]
    (build.path / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    assert FileStore(root).current().id == build.id
    (build.path / "orter.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DamagedBuildError, match="orter.parquet is not readable Parquet"):
        FileStore(root).require_current()


def test_a_failed_write_leaves_nothing_and_the_previous_build_serving(tmp_path):
    root = tmp_path / "builds"
    store = FileStore(root)
    first = _write(store)
    broken = _layers()["orter"].assign(ogiltig=[object(), object()])
    with pytest.raises(BuildError, match=r"writing build \d{8}T\d{6}Z-[0-9a-f]{6} failed: .*; "
                                         "the previous build keeps serving"):
        store.write({"orter": broken}, INDICATORS, MANIFEST_IN)
    with pytest.raises(BuildError, match=r"layer\(s\) \['tabell'\] are not GeoDataFrames"):
        store.write({**_layers(), "tabell": pd.DataFrame({"a": [1]})}, INDICATORS, MANIFEST_IN)
    assert sorted(p.name for p in root.iterdir()) == [".lock", first.id, CURRENT]
    assert FileStore(root).current().id == first.id


def test_the_failure_is_reported_even_when_the_partial_directory_is_gone(tmp_path,
                                                                         monkeypatch):
    """The original error is what the build reports, also when removing the partial
    directory fails (here: it has vanished by the time the failure is handled)."""
    root = tmp_path / "builds"
    xy = np.array([[400_000.0, 6_600_000.0]])
    network = Network.from_arrays(xy, csr_matrix((1, 1)), csr_matrix((1, 1)), np.array([0]))

    def full_disk(path, **arrays):
        shutil.rmtree(Path(path).parent)
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(files.np, "savez", full_disk)
    with pytest.raises(BuildError, match=r"writing build \S+ failed: \[Errno 28\] No space "
                                         "left on device; the previous build keeps serving"):
        _write(FileStore(root), network=network)
    assert sorted(p.name for p in root.iterdir()) == [".lock"]


def test_partials_of_interrupted_builds_are_removed_by_the_next_build(tmp_path):
    root = tmp_path / "builds"
    stale = root / ".partial-20260101T000000Z-abcdef"
    stale.mkdir(parents=True)
    (stale / "orter.parquet").write_bytes(b"half")
    build = _write(FileStore(root))
    assert sorted(p.name for p in root.iterdir()) == [".lock", build.id, CURRENT]
    # litter named like a partial but not a directory does not stop a build
    (root / ".partial-20260101T000000Z-abcdef").write_text("not a directory")
    assert _write(FileStore(root)).id in FileStore(root).build_ids()


def test_an_unwritable_directory_is_a_build_error_naming_it(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the build directory should be")
    with pytest.raises(BuildError) as caught:
        _write(FileStore(blocker))
    assert str(caught.value) == f"build directory {blocker}: File exists; the previous build " \
                                "keeps serving"


def test_the_interface_names_what_every_store_and_build_must_implement():
    """Guards the abstract interface (bug: a method no longer abstract, so a store lacking it
    would start and fail only on first use)."""
    assert Build.__abstractmethods__ == {"id", "manifest", "local_dir", "layer", "network",
                                         "indicators", "tiles"}
    assert BuildStore.__abstractmethods__ == {"current", "status", "write", "build_ids",
                                              "prune", "close"}


class _Serving(BuildStore):
    """A store serving one given build (or none), for what BuildStore itself implements (the
    file store has its own ``require_current``; the PostGIS store uses this one)."""

    def __init__(self, build: Build | None) -> None:
        self.build = build

    def current(self) -> Build | None:
        return self.build

    def status(self) -> dict[str, object]:
        raise NotImplementedError

    def write(self, layers, indicators, manifest, *, network=None) -> Build:
        raise NotImplementedError

    def build_ids(self) -> list[str]:
        raise NotImplementedError

    def prune(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


def test_require_current_of_the_interface(tmp_path):
    build = _write(FileStore(tmp_path))
    assert _Serving(build).require_current() is build
    with pytest.raises(NotFoundError, match=r"no build yet: run `strukturbild build`"):
        _Serving(None).require_current()
