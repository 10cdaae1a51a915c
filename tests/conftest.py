"""Shared fixtures: the real development data, a built store, the app and its client.

Tests read the real open data in ``../shared/data`` (or ``$STRUKTURBILD_DATA``); the build
fixture builds it once per session into a temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir, resolve_data_dir
from gisapp.store import Build, BuildStore

FIXTURES = Path(__file__).parent / "fixtures"


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
    run_build(DataDir(data_dir, "test"), BuildStore(root))
    return root


@pytest.fixture(scope="session")
def built(build_dir: Path) -> Build:
    """The complete build of the real data."""
    build = BuildStore(build_dir).current()
    assert build is not None
    return build


@pytest.fixture
def app(build_dir: Path):
    """The Flask app serving the session build."""
    return create_app({"BUILD_DIR": str(build_dir), "TESTING": True})


@pytest.fixture
def client(app):
    """A Flask test client."""
    return app.test_client()
