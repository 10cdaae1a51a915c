"""A throwaway PostgreSQL/PostGIS cluster for the tests, started by ``scripts/pg_cluster.sh``.

Tests that need it skip on a developer machine without PostgreSQL and PostGIS, but fail in
CI, where ``.ci/run`` installs Debian's ``postgresql`` and ``postgresql-15-postgis-3``.
"""

from __future__ import annotations

import glob
import importlib.util
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.system_tools import required_in_ci

_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "_pg_cluster.py"
_spec = importlib.util.spec_from_file_location("_pg_cluster", _SCRIPT)
_pg_cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pg_cluster)
free_port = _pg_cluster.free_port

HAVE_POSTGIS = bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")
                    and glob.glob("/usr/share/postgresql/*/extension/postgis.control"))
needs_postgis = required_in_ci(HAVE_POSTGIS, "PostgreSQL with PostGIS is not installed")


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster in a temporary directory; yield the URL of its ``postgres`` database."""
    root = Path(tempfile.mkdtemp(prefix="strukturbild-pg-"))
    try:
        with _pg_cluster.running_cluster(root) as url:
            yield url
    finally:
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

