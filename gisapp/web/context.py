"""The request context of every page and API: the serving build and the region it covers."""

from __future__ import annotations

from flask import current_app, request

from data_sources.crs import SERVE_CRS
from gisapp.store import Build


def current_build() -> Build:
    """Return the serving build, or raise ``NotFoundError`` when nothing is built yet."""
    return current_app.extensions["store"].require_current()


def public_root() -> str:
    """The site's absolute address without a trailing slash: ``PUBLIC_URL`` when set.

    Otherwise the request's own root; its ``Host`` has passed ``TRUSTED_HOSTS`` (Flask
    refuses any other with 400), so a forged ``Host`` never reaches a link.
    """
    return (current_app.config["PUBLIC_URL"] or request.url_root).rstrip("/")


def kommun_bounds(build: Build, kommunkod: str) -> tuple[float, float, float, float]:
    """Lon/lat bounds (west, south, east, north) of one kommun of the build."""
    return _bounds(build, "kommuner", "kommunkod", kommunkod)


def lan_bounds(build: Build, lanskod: str) -> tuple[float, float, float, float]:
    """Lon/lat bounds (west, south, east, north) of one län of the build (its kommuner's)."""
    frame = build.layer("kommuner")
    return _bounds(build, "kommuner", "kommunkod",
                   *frame.loc[frame["lanskod"] == lanskod, "kommunkod"])


def _bounds(build: Build, layer: str, column: str, *values: str) -> tuple[float, ...]:
    """Lon/lat bounds of the features of ``layer`` whose ``column`` is one of ``values``."""
    frame = build.layer(layer)
    shape = frame[frame[column].isin(values)].to_crs(SERVE_CRS)
    west, south, east, north = shape.total_bounds
    return float(west), float(south), float(east), float(north)
