"""Shared by the benchmarks: the build to measure (a given build directory's, or a fresh one)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask.testing import FlaskClient

from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import resolve_data_dir
from gisapp.store import Build, FileStore


def current_build(build_dir: str | None) -> tuple[Build, FlaskClient]:
    """The current build of ``build_dir`` and a Flask test client serving it.

    Without a directory, or when it holds no build, the real data is built first.
    """
    root = Path(build_dir) if build_dir else Path(tempfile.mkdtemp()) / "builds"
    store = FileStore(root)
    if store.current() is None:
        run_build(resolve_data_dir(), store, progress=lambda line: None)
    return store.current(), create_app({"BUILD_DIR": str(root)}).test_client()
