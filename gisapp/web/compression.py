"""Response compression: gzip, Brotli and Zstandard, negotiated on ``Accept-Encoding``.

Cached pages are compressed once per build with :data:`STORED` (see
:mod:`gisapp.web.pagecache`); every other answer of a type in ``COMPRESS_MIMETYPES`` is
compressed as it leaves with the faster :data:`ON_THE_FLY` settings, the files of
:data:`FILE_ENDPOINTS` (static assets) too. Answers below
:data:`MIN_BYTES`, errors and already-encoded answers go as they are; every answer that
could have been compressed says ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable

import brotli
from flask import Flask, Response, current_app, request

try:  # Python ≥ 3.14
    from compression import zstd
except ImportError:  # pragma: no cover - depends on the Python version
    from backports import zstd

MIN_BYTES = 500
# endpoints answering with one of the app's own files (send_file): compressed like pages
FILE_ENDPOINTS = ("meta.static",)
Encoder = Callable[[bytes], bytes]
# keys in server preference order, for encodings the client accepts with equal quality
STORED: dict[str, Encoder] = {
    "zstd": lambda data: zstd.compress(data, level=10),
    "br": lambda data: brotli.compress(data, quality=6),
    "gzip": lambda data: gzip.compress(data, compresslevel=6, mtime=0),
}
ON_THE_FLY: dict[str, Encoder] = {
    "zstd": lambda data: zstd.compress(data, level=3),
    "br": lambda data: brotli.compress(data, quality=4),
    "gzip": lambda data: gzip.compress(data, compresslevel=5, mtime=0),
}


def chosen_encoding(size: int, mimetype: str | None) -> str | None:
    """The encoding to send: the client's best of ours, ``None`` for the body as it is.

    Small bodies and media types outside ``COMPRESS_MIMETYPES`` (TIFF, xlsx) are not encoded.
    """
    if size < MIN_BYTES or mimetype not in current_app.config["COMPRESS_MIMETYPES"]:
        return None
    return request.accept_encodings.best_match(list(STORED))


def init_app(app: Flask) -> None:
    """Compress ``app``'s answers that are not compressed yet (cached pages already are)."""

    @app.after_request
    def compress(response: Response) -> Response:
        if response.mimetype not in app.config["COMPRESS_MIMETYPES"]:
            return response
        response.vary.add("Accept-Encoding")
        if "Content-Encoding" in response.headers or response.status_code != 200:
            return response  # partial (206) and empty answers go as they are
        if response.direct_passthrough and request.endpoint in FILE_ENDPOINTS:
            response.direct_passthrough = False  # a file of ours: small, read whole
        elif response.direct_passthrough or response.is_streamed:
            return response
        body = response.get_data()
        encoding = chosen_encoding(len(body), response.mimetype)
        if encoding is not None:
            response.set_data(ON_THE_FLY[encoding](body))
            response.headers["Content-Encoding"] = encoding
        return response
