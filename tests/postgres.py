"""A throwaway PostgreSQL/PostGIS cluster for the tests, started by ``scripts/pg_cluster.sh``.

Tests that need it skip on a developer machine without PostgreSQL and PostGIS, but fail in
CI, where ``.ci/run`` installs Debian's ``postgresql`` and ``postgresql-15-postgis-3``.
"""

from __future__ import annotations

import glob
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.system_tools import required_in_ci

CLUSTER_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "pg_cluster.sh"
HAVE_POSTGIS = bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")
                    and glob.glob("/usr/share/postgresql/*/extension/postgis.control"))
needs_postgis = required_in_ci(HAVE_POSTGIS, "PostgreSQL with PostGIS is not installed")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster in a temporary directory; yield the URL of its ``postgres`` database."""
    root = Path(tempfile.mkdtemp(prefix="strukturbild-pg-"))
    root.chmod(0o755)  # as root, the cluster runs as `postgres` and must reach its directory
    data = root / "data"
    url = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start", str(data), str(free_port())],
                         check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(data)], check=False)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def fresh_database(cluster_url: str) -> Iterator[str]:
    """Create an empty database in the cluster; yield its URL; drop it afterwards."""
    import psycopg

    name = "t_" + secrets.token_hex(4)
    with psycopg.connect(cluster_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield cluster_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(cluster_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

