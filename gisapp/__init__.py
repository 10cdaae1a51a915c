"""Strukturbild's Flask app: :func:`create_app` is the factory (nothing is built at import).

The app is made of feature wings, each a Flask-free core plus a thin views module:
``maps`` (the map pages), ``indicators`` (API, comparison, kommun profile), ``scenario``,
``exports`` (downloads, GeoTIFF), ``ogc`` (OGC API – Features), ``tiles`` (vector tiles)
and ``web`` (request context,
parameters, page cache, security, errors, the meta routes). The build wing
(:mod:`gisapp.build`) is used by the command line only.
"""

from __future__ import annotations

from flask import Flask

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    """Create the app; ``config`` overrides the defaults of :class:`gisapp.config.AppConfig`."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from gisapp import ogc
    from gisapp.config import AppConfig, trusted_hosts
    from gisapp.exports import views as exports
    from gisapp.exports.map_views import map_exports
    from gisapp.indicators.views import indicators
    from gisapp.maps.views import maps
    from gisapp.scenario.api import scenario_api
    from gisapp.scenario.page import scenario_page
    from gisapp.store import open_store
    from gisapp.tiles.views import tiles
    from gisapp.web import compression, logs, security, throttle
    from gisapp.web.errors import HtmlSafeJSONProvider, register_error_handlers
    from gisapp.web.meta import meta
    from gisapp.web.numbers import unit_label
    from gisapp.web.pagecache import PageCache

    app = Flask(__name__, static_folder=None)
    app.json = HtmlSafeJSONProvider(app)
    app.jinja_env.filters["unit"] = unit_label
    app.config.from_mapping(AppConfig().flask())
    if config:
        app.config.update(config)
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    logs.init_app(app)
    throttle.init_app(app)
    app.extensions["store"] = open_store(app.config["STORE"] or app.config["BUILD_DIR"],
                                         keep=int(app.config["KEEP_BUILDS"]))
    app.extensions["pages"] = PageCache()
    compression.init_app(app)
    for blueprint in (meta, maps, tiles, map_exports, indicators, scenario_api, scenario_page):
        app.register_blueprint(blueprint)
    ogc.init_app(app)
    exports.init_app(app)
    security.init_app(app)
    register_error_handlers(app)
    return app
