"""Logging of the web app: one request id per request, in the log and in the answer.

Each request gets an id (a well-formed incoming ``X-Request-Id`` from a proxy, else a fresh
one), sent back as ``X-Request-Id`` and written into every log line about the request and
into the 500 answer ("se serverns logg", with the id), so an operator finds the traceback.

Under gunicorn the app's loggers write to gunicorn's error log (its handlers and level);
run alone with no logging set up they write to stderr; otherwise (the command line, tests)
the existing setup is kept.
"""

from __future__ import annotations

import logging
import re
import secrets

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-Id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")
PROJECT_LOGGERS = ("gisapp", "data_sources", "layers")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def request_id() -> str:
    """The id of the current request (``-`` outside a request)."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        incoming = request.headers.get(HEADER, "")
        g.request_id = incoming if _WELL_FORMED.fullmatch(incoming) else secrets.token_hex(8)
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, for formats that show it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Set ``record.request_id``; never drops a record."""
        record.request_id = request_id()
        return True


def _attach_handlers() -> None:
    """Point the project's loggers at gunicorn's error log, or stderr when nothing is set up."""
    gunicorn_error = logging.getLogger("gunicorn.error")
    if gunicorn_error.handlers:
        handlers, level = gunicorn_error.handlers, gunicorn_error.level
    elif not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handlers, level = [handler], logging.INFO
    else:
        return
    for name in PROJECT_LOGGERS:
        logger = logging.getLogger(name)
        for handler in handlers:
            if handler not in logger.handlers:
                handler.addFilter(RequestIdFilter())
                logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False


def init_app(app: Flask) -> None:
    """Set up the handlers and send every answer's request id back as ``X-Request-Id``."""
    _attach_handlers()

    @app.after_request
    def send_request_id(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response
