"""A global cap on request-time computation: a bounded pool of slots per server process.

Rendering a page on a cache miss, writing an export, a scenario or a GeoTIFF each take one
slot for as long as they compute. When every slot is busy a request waits at most
``COMPUTE_WAIT_S`` and is then answered 503 with ``Retry-After`` — whoever sends it, from
however many addresses — so cached pages and ``/healthz`` keep answering while expensive
requests queue. Settings: ``COMPUTE_SLOTS``, ``COMPUTE_WAIT_S``, ``COMPUTE_RETRY_AFTER_S``
(:class:`gisapp.config.AppConfig`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from flask import Flask, current_app
from werkzeug.exceptions import ServiceUnavailable

EXTENSION = "compute"


class ComputePool:
    """``slots`` concurrent computations; a thread already holding a slot re-enters freely."""

    def __init__(self, slots: int, wait_s: float, retry_after_s: int) -> None:
        self.slots = slots
        self.wait_s = wait_s
        self.retry_after_s = retry_after_s
        self._free = threading.BoundedSemaphore(slots)
        self._held = threading.local()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot while the block runs; raise 503 when none frees in ``wait_s``."""
        depth = getattr(self._held, "depth", 0)
        if depth == 0 and not self._free.acquire(timeout=self.wait_s):
            msg = (f"the server is busy computing ({self.slots} requests at once); "
                   f"try again in {self.retry_after_s} s")
            raise ServiceUnavailable(msg, retry_after=self.retry_after_s)
        self._held.depth = depth + 1
        try:
            yield
        finally:
            self._held.depth = depth
            if depth == 0:
                self._free.release()


def init_app(app: Flask) -> None:
    """Give ``app`` its compute pool, sized by its config."""
    app.extensions[EXTENSION] = ComputePool(int(app.config["COMPUTE_SLOTS"]),
                                            float(app.config["COMPUTE_WAIT_S"]),
                                            int(app.config["COMPUTE_RETRY_AFTER_S"]))


def computing():
    """A context holding one compute slot of the current app (none outside an app)."""
    pool = current_app.extensions.get(EXTENSION) if current_app else None
    return pool.slot() if pool is not None else nullcontext()
