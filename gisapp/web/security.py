"""Hardening: security headers, a per-client rate limit and bounded request sizes.

Settings are Flask config keys, documented with their defaults in
:class:`gisapp.config.AppConfig` (rate limits, framing, request sizes).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestURITooLarge, TooManyRequests

RATE_LIMITS = "rate_limits"  # app.extensions key: the app's RateLimiter objects

# Leaflet and folium pages use inline scripts and styles; tiles come from OpenStreetMap.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
       "'unsafe-inline'; img-src 'self' data: https://tile.openstreetmap.org "
       "https://*.tile.openstreetmap.org; connect-src 'self'; font-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'")


class RateLimiter:
    """Fixed one-minute windows per client key, remembering at most ``max_clients`` keys.

    ``clock`` gives the time in seconds (``time.monotonic``; tests set a clock of their own).
    """

    def __init__(self, per_minute: int, max_clients: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self.clock = clock
        self._windows: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one request of ``key``; return whether it is within the limit."""
        window = int(self.clock() // 60)
        with self._lock:
            start, count = self._windows.pop(key, (window, 0))
            if start != window:
                start, count = window, 0
            self._windows[key] = (start, count + 1)
            while len(self._windows) > self.max_clients:
                self._windows.popitem(last=False)
            return count + 1 <= self.per_minute


def _frame_ancestors(app: Flask) -> str:
    """Return the ``frame-ancestors`` source list of the frameable endpoints."""
    allowed = app.config["EMBED_FRAME_ANCESTORS"]
    return allowed if isinstance(allowed, str) else " ".join(allowed)


def init_app(app: Flask) -> None:
    """Install the limits and headers on ``app`` (keys of :class:`gisapp.config.AppConfig`)."""
    per_minute = app.config["RATE_LIMIT_PER_MINUTE"]
    max_clients = int(app.config["RATE_LIMIT_MAX_CLIENTS"])
    limiter = RateLimiter(int(per_minute), max_clients) if per_minute else None
    expensive_per_minute = app.config["EXPENSIVE_RATE_LIMIT_PER_MINUTE"]
    expensive = (RateLimiter(int(expensive_per_minute), max_clients)
                 if expensive_per_minute else None)
    app.extensions[RATE_LIMITS] = [x for x in (limiter, expensive) if x is not None]

    @app.before_request
    def check_limits() -> None:
        if len(request.query_string) > app.config["MAX_QUERY_BYTES"]:
            raise RequestURITooLarge(f"query string over {app.config['MAX_QUERY_BYTES']} bytes")
        # Before routing answers 405: no route reads a body, so the declared size is checked
        # here (Flask's own MAX_CONTENT_LENGTH check runs only when a body is read).
        limit = app.config["MAX_CONTENT_LENGTH"]
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge(f"request body over {limit} bytes")
        client = request.remote_addr or "-"
        if limiter is not None and not limiter.allow(client):
            raise TooManyRequests(f"more than {limiter.per_minute} requests per minute",
                                  retry_after=60)
        if (expensive is not None and request.endpoint in app.config["EXPENSIVE_ENDPOINTS"]
                and not expensive.allow(client)):
            raise TooManyRequests(f"more than {expensive.per_minute} scenario requests per "
                                  "minute", retry_after=60)

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if request.endpoint in app.config["FRAMEABLE_ENDPOINTS"]:
            headers.setdefault("Content-Security-Policy",
                               f"{CSP}; frame-ancestors {_frame_ancestors(app)}")
        else:
            headers.setdefault("Content-Security-Policy", f"{CSP}; frame-ancestors 'none'")
            headers.setdefault("X-Frame-Options", "DENY")
        return response
