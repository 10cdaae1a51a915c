"""One table from exception type to HTTP response; no stack traces or paths in responses."""

from __future__ import annotations

import logging

from flask import Flask, Response, json
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from data_sources.errors import RequestError, StrukturbildError
from gisapp.web.errorpage import html_error, wants_html
from gisapp.web.jsonsafe import escape_json_text

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: str) -> Response:
    """Return a problem document (RFC 9457); it never holds a trace or a file path."""
    body = {"title": title, "status": status, "detail": detail, **extra}
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def register_error_handlers(app: Flask) -> None:
    """Answer project errors with their status and a JSON problem document.

    Browsers asking for HTML get the same error as a page (:mod:`gisapp.web.errorpage`).
    """

    @app.errorhandler(StrukturbildError)
    def project_error(exc: StrukturbildError):
        status = exc.http_status
        if status >= 500:
            log.error("server error: %s", exc)
            detail = "Internt fel – se serverns logg."
        else:
            detail = str(exc)
        extra = {"parameter": exc.parameter} if isinstance(exc, RequestError) else {}
        if wants_html():
            return html_error(status, detail, exc)
        return problem(status, type(exc).__name__, detail, **extra)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_html():
            return html_error(exc.code or 500, exc.description or exc.name)
        response = problem(exc.code or 500, exc.name, exc.description or exc.name)
        for header in ("Allow", "Retry-After"):
            if header in exc.get_response().headers:
                response.headers[header] = exc.get_response().headers[header]
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception):
        log.exception("unhandled error")
        if wants_html():
            return html_error(500, "")
        return problem(500, "InternalServerError", "Internt fel – se serverns logg.")


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>`` and ``&`` escaped, so echoed input can never form markup."""

    def dumps(self, obj, **kwargs) -> str:
        """Serialise like Flask, then escape the three HTML-significant characters."""
        return escape_json_text(super().dumps(obj, **kwargs))
