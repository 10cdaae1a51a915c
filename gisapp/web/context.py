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
    frame = build.layer("kommuner")
    shape = frame[frame["kommunkod"] == kommunkod].to_crs(SERVE_CRS)
    west, south, east, north = shape.total_bounds
    return float(west), float(south), float(east), float(north)
