"""One table from exception type to HTTP response; no stack traces or paths in responses."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from data_sources.errors import RequestError, StrukturbildError

log = logging.getLogger(__name__)


def register_error_handlers(app: Flask) -> None:
    """Answer project errors with their status and a JSON problem document."""

    @app.errorhandler(StrukturbildError)
    def project_error(exc: StrukturbildError):
        status = exc.http_status
        if status >= 500:
            log.error("server error: %s", exc)
            detail = "Internt fel – se serverns logg."
        else:
            detail = str(exc)
        body = {"title": type(exc).__name__, "status": status, "detail": detail}
        if isinstance(exc, RequestError):
            body["parameter"] = exc.parameter
        return jsonify(body), status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        body = {"title": exc.name, "status": exc.code, "detail": exc.description}
        return jsonify(body), exc.code


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>`` and ``&`` escaped, so echoed input can never form markup."""

    def dumps(self, obj, **kwargs) -> str:
        """Serialise like Flask, then escape the three HTML-significant characters."""
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
