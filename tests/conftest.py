"""Shared fixtures: the real development data, a built store, the app and its client.

Tests read the real open data in ``../shared/data`` (or ``$STRUKTURBILD_DATA``); the build
fixture builds it once per session into a temporary directory. ``no_grid_built`` is a build
of the same data without ``population/`` (no SCB population grid): the labelled fallbacks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir, resolve_data_dir
from gisapp.store import Build, FileStore
from tests import hypothesis_profiles  # noqa: F401  (registers the profiles)
from tests.prerequisites import missing_prerequisites

FIXTURES = Path(__file__).parent / "fixtures"

settings.load_profile("ci" if os.environ.get("CI") else "strukturbild")
GRID_CSV = "population/scb_befolkning_1km_2024_sverige.csv"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, with one message, when a prerequisite of the whole suite is missing."""
    missing = missing_prerequisites()
    if missing:
        raise pytest.UsageError("the test suite cannot run:\n  - " + "\n  - ".join(missing))


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real development data directory; the suite fails loudly without it."""
    resolved = resolve_data_dir(os.environ.get("STRUKTURBILD_DATA"))
    if resolved.path is None or not (resolved.path / "admin").is_dir():
        pytest.fail("the real data directory (../shared/data or $STRUKTURBILD_DATA) is required")
    return resolved.path


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A build directory holding one complete build of the real data."""
    root = tmp_path_factory.mktemp("builds")
    run_build(DataDir(data_dir, "test"), FileStore(root))
    return root


@pytest.fixture(scope="session")
def built(build_dir: Path) -> Build:
    """The complete build of the real data."""
    build = FileStore(build_dir).current()
    assert build is not None
    return build


@pytest.fixture(scope="session")
def grid_csv(data_dir: Path):
    """The national SCB grid CSV read with plain pandas: the independent reference for grid
    figures (its ``kommunkod`` = the kommun holding the square's centre, else the nearest)."""
    import pandas as pd

    return pd.read_csv(data_dir / GRID_CSV, dtype={"rutid_scb": str, "kommunkod": str,
                                                   "lanskod": str})


def data_dir_without(tmp_path: Path, data_dir: Path, *folders: str) -> Path:
    """A data directory linking every folder of the real one except ``folders``."""
    root = tmp_path / "data"
    root.mkdir()
    for part in data_dir.iterdir():
        if part.is_dir() and part.name not in folders:
            (root / part.name).symlink_to(part, target_is_directory=True)
    return root


@pytest.fixture(scope="session")
def no_grid_build_dir(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A build directory holding a build of the real data without the population grid."""
    root = tmp_path_factory.mktemp("no_grid")
    run_build(DataDir(data_dir_without(root, data_dir, "population"), "test"),
              FileStore(root / "builds"))
    return root / "builds"


@pytest.fixture(scope="session")
def no_grid_built(no_grid_build_dir: Path) -> Build:
    """The build of the real data without the population grid."""
    build = FileStore(no_grid_build_dir).current()
    assert build is not None and "befolkning" in build.manifest["missing"]
    return build


@pytest.fixture
def no_grid_client(no_grid_build_dir: Path):
    """A Flask test client on the build without the population grid."""
    return create_app({"BUILD_DIR": str(no_grid_build_dir), "TESTING": True}).test_client()


@pytest.fixture
def app(build_dir: Path):
    """The Flask app serving the session build."""
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True})


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()


@pytest.fixture(scope="session")
def postgres_cluster() -> str:
    """URL of a throwaway PostgreSQL/PostGIS cluster, started once per session (or skip)."""
    from tests.postgres import HAVE_POSTGIS, cluster
    from tests.system_tools import IN_CI

    if not HAVE_POSTGIS and not IN_CI:
        pytest.skip("PostgreSQL with PostGIS is not installed (required in CI)")
    with cluster() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_cluster: str) -> str:
    """URL of an empty database of the session's cluster, dropped after the test."""
    from tests.postgres import fresh_database

    with fresh_database(postgres_cluster) as url:
        yield url
