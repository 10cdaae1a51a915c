"""Rendered pages cached per build and normalised parameters, with HTTP caching headers.

Keys are built from *parsed* parameters, never raw query strings, so hostile or random
queries cannot flood the cache; entries of an older build are never served (the build id is
part of the key) and are evicted first-in first-out beyond ``max_entries``.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock

from flask import Response, current_app, request

MAX_AGE_S = 300


class PageCache:
    """A small thread-safe LRU of rendered HTML keyed by (build id, page key)."""

    def __init__(self, max_entries: int = 128) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, str] = OrderedDict()
        self._lock = Lock()

    def get_or_render(self, build_id: str, key: Hashable, render: Callable[[], str]) -> str:
        """Return the cached page for ``(build_id, key)``, rendering it on a miss."""
        full_key = (build_id, key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
        body = render()
        with self._lock:
            self._entries[full_key] = body
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return body


def page_response(body: str, build_id: str, key: Hashable) -> Response:
    """An HTML response with an ETag keyed on the build and page, answering 304 when fresh."""
    response = Response(body, mimetype="text/html")
    response.set_etag(hashlib.sha256(repr((build_id, key)).encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE_S
    return response.make_conditional(request)


def cached_page(build_id: str, key: Hashable, render: Callable[[], str]) -> Response:
    """Serve a page from the app's page cache (rendering it on a miss), with its ETag."""
    body = current_app.extensions["pages"].get_or_render(build_id, key, render)
    return page_response(body, build_id, key)
