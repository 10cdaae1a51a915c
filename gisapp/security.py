"""Hardening: security headers, a per-client rate limit and bounded request sizes.

Settings (Flask config):

``RATE_LIMIT_PER_MINUTE``
    Requests per client IP per minute; ``0``/``None`` (default) switches the limit off.
    Counted per process (each gunicorn worker keeps its own count), keyed on the address
    the app sees (``request.remote_addr``: behind a reverse proxy, apply ProxyFix first).
``EXPENSIVE_RATE_LIMIT_PER_MINUTE`` / ``EXPENSIVE_ENDPOINTS``
    A separate, default-on limit (30 per client IP per minute) for endpoints that compute
    on request (``/api/scenario`` re-runs shortest paths); ``0`` switches it off.
``RATE_LIMIT_MAX_CLIENTS``
    How many client IPs the limiter remembers (bounded memory; oldest forgotten first).
``EMBED_FRAME_ANCESTORS``
    Who may frame the embeddable endpoints: ``*`` (default) or a space-separated
    allow-list of origins. Every other page refuses framing.
``FRAMEABLE_ENDPOINTS``
    Endpoint names that may be framed (default: ``pages.embed``).
``MAX_CONTENT_LENGTH`` / ``MAX_QUERY_BYTES``
    Largest request body and query string accepted (413 / 414 beyond).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Flask, Response, request
from werkzeug.exceptions import RequestURITooLarge, TooManyRequests

DEFAULTS = {
    "RATE_LIMIT_PER_MINUTE": 0,
    "RATE_LIMIT_MAX_CLIENTS": 10_000,
    "EXPENSIVE_RATE_LIMIT_PER_MINUTE": 30,
    "EXPENSIVE_ENDPOINTS": ("scenario_api.scenario_view",),
    "EMBED_FRAME_ANCESTORS": "*",
    "FRAMEABLE_ENDPOINTS": ("pages.embed",),
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "MAX_QUERY_BYTES": 4096,
}
# Leaflet and folium pages use inline scripts and styles; tiles come from OpenStreetMap.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
       "'unsafe-inline'; img-src 'self' data: https://tile.openstreetmap.org "
       "https://*.tile.openstreetmap.org; connect-src 'self'; font-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'")


class RateLimiter:
    """Fixed one-minute windows per client key, remembering at most ``max_clients`` keys."""

    def __init__(self, per_minute: int, max_clients: int) -> None:
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._windows: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one request of ``key``; return whether it is within the limit."""
        window = int((time.monotonic() if now is None else now) // 60)
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
    """Install the limits and headers on ``app`` (config defaults set when absent)."""
    for key, value in DEFAULTS.items():
        if app.config.get(key) is None:
            app.config[key] = value
    per_minute = app.config["RATE_LIMIT_PER_MINUTE"]
    max_clients = int(app.config["RATE_LIMIT_MAX_CLIENTS"])
    limiter = RateLimiter(int(per_minute), max_clients) if per_minute else None
    expensive_per_minute = app.config["EXPENSIVE_RATE_LIMIT_PER_MINUTE"]
    expensive = (RateLimiter(int(expensive_per_minute), max_clients)
                 if expensive_per_minute else None)

    @app.before_request
    def check_limits() -> None:
        if len(request.query_string) > app.config["MAX_QUERY_BYTES"]:
            raise RequestURITooLarge(f"query string over {app.config['MAX_QUERY_BYTES']} bytes")
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
