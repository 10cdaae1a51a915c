"""`strukturbild serve` is a production server: slow clients cannot stop it (loopback only)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SLOW_CLIENTS = 16
HEADER_EVERY_S = 1.0
SLOW_FOR_S = 6.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, headers: dict[str, str] | None = None, timeout: float = 5.0):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, dict(response.headers), response.read()


@pytest.fixture(scope="module")
def served(build_dir: Path, tmp_path_factory):
    """`strukturbild serve` on a free loopback port, serving the session build."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gisapp.cli", "serve", "--build-dir", str(build_dir),
             "--host", "127.0.0.1", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base + "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"server did not start: {log.read_text()[-2000:]}")
                time.sleep(0.3)
        yield base, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_runs_threaded_gunicorn(served):
    base, log = served
    status, headers, _ = _get(base + "/healthz")
    assert status == 200 and headers["Server"].startswith("gunicorn")
    assert "Using worker: gthread" in log.read_text()


def test_sixteen_slow_clients_do_not_stop_healthz(served):
    """Each slow client sends one header line per second and never finishes its request."""
    base, log = served
    port = int(base.rsplit(":", 1)[1])
    clients = []
    for _ in range(SLOW_CLIENTS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        clients.append(sock)
    timings = []
    try:
        started = time.monotonic()
        line = 0
        while time.monotonic() - started < SLOW_FOR_S:
            for sock in clients:
                sock.sendall(f"X-Slow-{line}: 1\r\n".encode())
            line += 1
            t0 = time.monotonic()
            status, _, body = _get(base + "/healthz", timeout=5)
            timings.append(time.monotonic() - t0)
            assert status == 200 and b'"ok"' in body
            time.sleep(HEADER_EVERY_S)
    finally:
        for sock in clients:
            sock.close()
    assert len(timings) >= 4
    assert max(timings) < 1.0, timings
    assert "WORKER TIMEOUT" not in log.read_text()
