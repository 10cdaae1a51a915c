"""PostGIS shared by app instances: two gunicorn masters serve each new build at once, and a
build killed mid-way (SIGKILL while it loads its tables) leaves the previous one serving.

Builds run as ``strukturbild build --store URL`` (Värmland, län 17, then Örebro, län 18) on
the real data; the expected kommun counts are read from the raw SCB boundary file.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path

import psycopg
import pytest

from gisapp.store import open_store
from gisapp.store.postgis import BUILD_APPLICATION, schema_of
from tests.postgres import free_port, needs_postgis

pytestmark = needs_postgis
KOMMUNER_RAW = "admin/kommuner_sverige_scb_generaliserad_2024.geojson"


def _raw_kommunkoder(data_dir: Path, lanskod: str) -> set[str]:
    """The kommunkoder of a län in SCB's boundary file, read with the standard library."""
    features = json.loads((data_dir / KOMMUNER_RAW).read_text("utf-8"))["features"]
    return {f["properties"]["kommunkod"] for f in features
            if f["properties"]["lanskod"] == lanskod}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "gisapp.cli", *args]


def _build(url: str, data_dir: Path, lanskod: str) -> str:
    """Build ``lanskod`` into the store at ``url``; return the new current build id."""
    subprocess.run(_cli("build", "--store", url, "--data-dir", str(data_dir), "--lan", lanskod),
                   check=True, capture_output=True, timeout=300)
    store = open_store(url)
    try:
        return store.current().id
    finally:
        store.close()


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _wait_until_up(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            _get(base + "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{base} did not come up")


@contextmanager
def _instances(url: str, count: int):
    """``count`` app instances (each a gunicorn master) on the store; yield their base URLs."""
    with ExitStack() as stack:
        bases = []
        for _ in range(count):
            port = free_port()
            process = subprocess.Popen(
                _cli("serve", "--store", url, "--port", str(port), "--workers", "1",
                     "--threads", "4"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            stack.callback(process.wait, timeout=30)
            stack.callback(process.terminate)
            bases.append(f"http://127.0.0.1:{port}")
            _wait_until_up(bases[-1], process)
        yield bases


def _served(base: str) -> tuple[str, set[str]]:
    """The build id an instance serves and the kommunkoder of its kommuner collection."""
    build_id = _get(base + "/healthz")["build_id"]
    items = _get(base + "/ogc/collections/kommuner/items?limit=1000")
    assert _get(base + "/api/provenance")["build_id"] == build_id
    return build_id, {f["properties"]["kommunkod"] for f in items["features"]}


def test_two_instances_serve_each_new_build_at_once(postgres_url, data_dir):
    varmland, orebro = _raw_kommunkoder(data_dir, "17"), _raw_kommunkoder(data_dir, "18")
    assert len(varmland) == 16 and len(orebro) == 12
    first = _build(postgres_url, data_dir, "17")
    with _instances(postgres_url, 2) as bases:
        assert [_served(base) for base in bases] == [(first, varmland)] * 2
        second = _build(postgres_url, data_dir, "18")
        assert second != first
        # the first request after the switch, no restart and no waiting
        assert [_served(base) for base in bases] == [(second, orebro)] * 2


def _loading_relations(url: str) -> int:
    """How many new relations a running build's transaction holds (tables, indexes)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE a.application_name = %s AND l.locktype = 'relation' "
            "AND l.mode = 'AccessExclusiveLock'", (BUILD_APPLICATION,)).fetchone()[0]


def _schemas(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return [r[0] for r in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'build\\_%' ORDER BY 1")]


def test_a_build_killed_midway_leaves_the_first_serving(postgres_url, data_dir):
    first = _build(postgres_url, data_dir, "17")
    varmland = _raw_kommunkoder(data_dir, "17")
    with _instances(postgres_url, 1) as [base]:
        build = subprocess.Popen(_cli("build", "--store", postgres_url, "--data-dir",
                                      str(data_dir), "--lan", "18"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _loading_relations(postgres_url) < 6:  # several tables of the build exist
            assert build.poll() is None, "the build finished before it could be killed"
            assert time.monotonic() < deadline, "the build never started loading"
            time.sleep(0.01)
        build.send_signal(signal.SIGKILL)
        assert build.wait(timeout=30) == -signal.SIGKILL
        assert _served(base) == (first, varmland)
        store = open_store(postgres_url)
        try:
            assert store.build_ids() == [first]
        finally:
            store.close()
        assert _schemas(postgres_url) == [schema_of(first)]  # nothing half-loaded is left
        third = _build(postgres_url, data_dir, "18")  # the killed build holds no lock
        assert _served(base) == (third, _raw_kommunkoder(data_dir, "18"))
