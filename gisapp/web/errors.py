"""One table from exception type to HTTP response; no stack traces or paths in responses.

Every detail passes :func:`scrub_paths`: a file system path in an error message (a data
file, the build directory) is shown by its last component only. A 5xx answer says only
"see the server's log" with the request id that the logged traceback carries.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, json, make_response, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, SecurityError

from data_sources.errors import RequestError, StrukturbildError
from gisapp.web.errorpage import html_error, wants_html
from gisapp.web.jsonsafe import escape_json_text
from gisapp.web.logs import request_id

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
UNTRUSTED_HOST_HELP = ("Set STRUKTURBILD_PUBLIC_URL (or STRUKTURBILD_TRUSTED_HOSTS) to the "
                       "site's address.")
# an absolute path (two or more components, not part of a URL): /a/b, /a/b.txt, ~/a/b
_PATH = re.compile(r"(?<![\w:/.~])~?(?:/[\w.+@%=-]+){2,}/?")


def scrub_paths(text: str) -> str:
    """Replace every absolute file system path in ``text`` by its last component."""
    return _PATH.sub(lambda m: m.group(0).rstrip("/").rsplit("/", 1)[-1], text)


def internal_detail() -> str:
    """The detail of a 5xx answer: where to look, with the request id of the log lines."""
    return f"Internt fel – se serverns logg (begäran {request_id()})."


def problem(status: int, title: str, detail: str, **extra: str) -> Response:
    """Return a problem document (RFC 9457); it never holds a trace or a file path."""
    body = {"title": title, "status": status, "detail": scrub_paths(detail),
            **{k: scrub_paths(v) for k, v in extra.items()}, "request_id": request_id()}
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def _answer(status: int, title: str, detail: str, error: Exception | None = None,
            **extra: str) -> Response:
    """A problem document, or for a browser asking for HTML the error page; paths scrubbed.

    ``error`` (a 4xx project error) lets the page name its parameter and explain it.
    """
    if wants_html():
        return make_response(html_error(status, scrub_paths(detail), error))
    return problem(status, title, detail, **extra)


def register_error_handlers(app: Flask) -> None:
    """Answer project errors with their status and a JSON problem document.

    Browsers asking for HTML get the same error as a page (:mod:`gisapp.web.errorpage`).
    """

    @app.errorhandler(StrukturbildError)
    def project_error(exc: StrukturbildError):
        status = exc.http_status
        if status >= 500 and not getattr(exc, "public_detail", False):
            log.error("request %s %s %s: server error: %s", request_id(), request.method,
                      request.path, exc)
            detail = internal_detail()
        else:
            detail = str(exc)
        extra = {"parameter": exc.parameter} if isinstance(exc, RequestError) else {}
        return _answer(status, type(exc).__name__, detail, exc if status < 500 else None,
                       **extra)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        detail = exc.description or exc.name
        if isinstance(exc, SecurityError):  # an untrusted Host header
            detail += f" {UNTRUSTED_HOST_HELP}"
        response = _answer(exc.code or 500, exc.name, detail)
        for header in ("Allow", "Retry-After", "Content-Range"):
            if header in exc.get_response().headers:
                response.headers[header] = exc.get_response().headers[header]
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        log.exception("request %s %s %s: unhandled error", request_id(), request.method,
                      request.path)
        return _answer(500, "InternalServerError", internal_detail())


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>`` and ``&`` escaped, so echoed input can never form markup."""

    def dumps(self, obj, **kwargs) -> str:
        """Serialise like Flask, then escape the three HTML-significant characters."""
        return escape_json_text(super().dumps(obj, **kwargs))
