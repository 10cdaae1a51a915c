"""A live server on 127.0.0.1 for clients that speak HTTP (GDAL, OWSLib, schemathesis)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from gisapp import create_app


@pytest.fixture(scope="session")
def live_url(build_dir: Path):
    """Base URL of the app serving the session build from a thread on a free local port."""
    app = create_app({"BUILD_DIR": str(build_dir)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
