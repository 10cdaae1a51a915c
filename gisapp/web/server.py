"""The production server of ``strukturbild serve``: gunicorn with threaded workers.

Threaded (``gthread``) workers keep a slow or stalled client from taking a whole worker: a
connection that sends its request slowly holds one thread, not a process, and the worker's
heartbeat keeps running, so gunicorn never kills it (WORKER TIMEOUT) and ``/healthz`` keeps
answering. The same settings are the README's production command line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from gunicorn.app.base import BaseApplication

# the access log line carries the request id the app logs with (gisapp.web.logs)
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'


@dataclass(frozen=True)
class ServerSettings:
    """Where and how wide to serve: address, worker processes and threads per worker."""

    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    threads: int = 32
    timeout_s: int = 60


class _Server(BaseApplication):
    """Gunicorn serving the app ``make_app`` creates in each worker.

    The app is made after gunicorn's logging is set up, so its loggers join the error log.
    """

    def __init__(self, make_app: Callable[[], Flask], options: dict[str, object]) -> None:
        self.make_app = make_app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply ``options`` to gunicorn's settings."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """The WSGI app of this worker."""
        return self.make_app()


def options(settings: ServerSettings) -> dict[str, object]:
    """Gunicorn settings for ``settings``: threaded workers, logs to stderr with request ids."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": settings.threads,
        "timeout": settings.timeout_s,
        "keepalive": 5,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "control_socket_disable": True,  # one shared socket path per user would collide
    }


def serve(make_app: Callable[[], Flask], settings: ServerSettings) -> None:
    """Run the app of ``make_app`` under gunicorn until interrupted."""
    _Server(make_app, options(settings)).run()
