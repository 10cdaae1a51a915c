"""Strukturbild's Flask app: :func:`create_app` is the factory (nothing is built at import)."""

from __future__ import annotations

from flask import Flask

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Create the app; ``config`` overrides defaults (``BUILD_DIR`` is the build directory)."""
    from flask_compress import Compress

    from gisapp import downloads, ogc, security
    from gisapp.errors import HtmlSafeJSONProvider, register_error_handlers
    from gisapp.indicator_views import indicators
    from gisapp.pagecache import PageCache
    from gisapp.scenario_api import scenario_api
    from gisapp.scenario_page import scenario_page
    from gisapp.settings import resolve_build_dir
    from gisapp.store import BuildStore
    from gisapp.surface_api import surface_api
    from gisapp.views import pages

    app = Flask(__name__, static_folder=None)
    app.json = HtmlSafeJSONProvider(app)
    app.config.from_mapping(BUILD_DIR=str(resolve_build_dir()), JSON_SORT_KEYS=False)
    if config:
        app.config.update(config)
    app.extensions["store"] = BuildStore(app.config["BUILD_DIR"])
    app.extensions["pages"] = PageCache()
    app.config.setdefault("COMPRESS_MIMETYPES", [
        "text/html", "text/css", "text/csv", "application/json", "application/geo+json",
        "application/javascript", "text/javascript"])
    Compress(app)
    app.register_blueprint(pages)
    app.register_blueprint(scenario_api)
    app.register_blueprint(scenario_page)
    app.register_blueprint(surface_api)
    app.register_blueprint(indicators)
    ogc.init_app(app)
    downloads.init_app(app)
    security.init_app(app)
    register_error_handlers(app)
    return app
