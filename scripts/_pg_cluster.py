"""A throwaway PostgreSQL/PostGIS cluster on 127.0.0.1, started by ``pg_cluster.sh``.

Shared by the tests (``tests/postgres.py``, which loads this file by path) and the load test
(``load_test_postgis.py``), which cannot import the tests' helper: pygeoapi, in the
``bench`` extra, installs a top-level ``tests`` package that shadows the project's.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLUSTER_SCRIPT = Path(__file__).with_name("pg_cluster.sh")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_cluster(workdir: Path) -> Iterator[str]:
    """Start a cluster in ``workdir/pgdata``; yield its ``postgres`` URL; stop it after."""
    workdir.chmod(0o755)  # as root, the cluster runs as `postgres` and must reach it
    data = workdir / "pgdata"
    url = subprocess.run(["bash", str(CLUSTER_SCRIPT), "start", str(data), str(free_port())],
                         check=True, capture_output=True, text=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(CLUSTER_SCRIPT), "stop", str(data)], check=False)
