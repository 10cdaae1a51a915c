"""Rendered pages cached per build and normalised parameters, compressed once, with ETags.

Keys are built from *parsed* parameters, never raw query strings, so hostile or random
queries cannot flood the cache; entries of an older build are never served (the build id is
part of the key) and are evicted first-in first-out beyond ``max_entries``.

Each entry keeps its body and, made on the first request that asks for them, its gzip,
Brotli and Zstandard forms (:data:`gisapp.web.compression.STORED`): a cached page is
compressed once per build, never per request.
Rendering on a miss is request-time computation and takes a slot of the app's compute pool
(:mod:`gisapp.web.throttle`), unless the cache is made with ``throttled=False`` (the OGC
answers, whose queries run in the database and are bounded by its connection pool). A cache
can also be bounded in bytes: bodies above a quarter of ``max_bytes`` are served, not kept.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import nullcontext
from threading import Lock

from flask import Response, current_app, request

from gisapp.web.compression import STORED, chosen_encoding
from gisapp.web.throttle import computing

MAX_AGE_S = 300


class CachedBody:
    """One rendered body and its compressed forms (each made once, on first demand)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self._encoded: dict[str, bytes] = {}

    def encoded(self, encoding: str) -> bytes:
        """The body compressed with ``encoding`` (a key of :data:`STORED`)."""
        if encoding not in self._encoded:
            self._encoded[encoding] = STORED[encoding](self.body)  # idempotent if raced
        return self._encoded[encoding]


class PageCache:
    """A small thread-safe LRU of rendered bodies keyed by (build id, page key)."""

    def __init__(self, max_entries: int = 256, max_bytes: int | None = None,
                 throttled: bool = True) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.throttled = throttled
        self._entries: OrderedDict[tuple, CachedBody] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def get_or_render(self, build_id: str, key: Hashable,
                      render: Callable[[], str | bytes]) -> CachedBody:
        """Return the cached body for ``(build_id, key)``, rendering it on a miss."""
        full_key = (build_id, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
        with computing() if self.throttled else nullcontext():
            body = render()
        entry = CachedBody(body.encode("utf-8") if isinstance(body, str) else body)
        if self.max_bytes is not None and 4 * len(entry.body) > self.max_bytes:
            return entry  # too big to keep: served once
        with self._lock:
            if full_key in self._entries:  # rendered meanwhile by another thread
                return self._entries[full_key]
            self._entries[full_key] = entry
            self._bytes += len(entry.body)
            while len(self._entries) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
        return entry


def page_response(entry: CachedBody, build_id: str, key: Hashable, mimetype: str = "text/html",
                  headers: dict[str, str] | None = None, max_age: int = MAX_AGE_S) -> Response:
    """A response with an ETag per build, page and encoding, answering 304 when fresh.

    ``max_age`` is how long a client may reuse it without asking (0: revalidate each time).
    """
    encoding = chosen_encoding(len(entry.body), mimetype)
    body = entry.body if encoding is None else entry.encoded(encoding)
    response = Response(body, mimetype=mimetype, headers=headers)
    if encoding is not None:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    tag = hashlib.sha256(repr((build_id, key)).encode()).hexdigest()[:32]
    response.set_etag(f"{tag}-{encoding or 'identity'}")
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    return response.make_conditional(request)


def cached_page(build_id: str, key: Hashable, render: Callable[[], str | bytes],
                mimetype: str = "text/html", headers: dict[str, str] | None = None) -> Response:
    """Serve a page (HTML, or ``mimetype``) from the app's page cache, with its ETag."""
    entry = current_app.extensions["pages"].get_or_render(build_id, key, render)
    return page_response(entry, build_id, key, mimetype, headers)
