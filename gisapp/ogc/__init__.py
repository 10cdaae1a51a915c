"""OGC API – Features (Part 1 Core, GeoJSON, HTML, OpenAPI 3.0; Part 2 CRS) under ``/ogc``.

:mod:`~gisapp.ogc.features` and :mod:`~gisapp.ogc.documents` are framework-free; the Flask
adapter is :mod:`~gisapp.ogc.blueprint`, registered by :func:`init_app`.
"""

from gisapp.ogc.blueprint import init_app

__all__ = ["init_app"]
