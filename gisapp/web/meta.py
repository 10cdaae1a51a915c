"""The meta blueprint: static assets, the health check and the provenance API."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, send_from_directory

from data_sources.errors import NotFoundError
from gisapp.config import PROJECT_ROOT
from gisapp.store import NO_BUILD
from gisapp.web import params
from gisapp.web.context import current_build

meta = Blueprint("meta", __name__)

STATIC_DIR = PROJECT_ROOT / "static"
STATIC_MAX_AGE_S = 86_400


@meta.get("/static/<path:filename>")
def static(filename: str):
    """Front-end assets: own CSS/JS at the top level and ``vendor/``; traversal-safe.

    npm's working files in ``static/`` (``node_modules``, ``package*.json``) are not served.
    The path is checked as given, segment by segment: any ``.``, ``..``, empty or backslash
    segment is refused before the allow-list is applied (``vendor/../node_modules`` is 404).
    """
    parts = filename.split("/")
    if any(part in ("", ".", "..") or "\\" in part for part in parts):
        msg = f"no static file {filename[:80]!r}"
        raise NotFoundError(msg)
    own = len(parts) == 1 and filename.endswith((".js", ".css"))
    if not (own or filename.startswith("vendor/")):
        msg = f"no static file {filename!r}"
        raise NotFoundError(msg)
    return send_from_directory(STATIC_DIR, filename, max_age=STATIC_MAX_AGE_S)


@meta.get("/healthz")
def healthz():
    """Liveness, the id of the serving build and, when ``current`` is damaged, what is wrong.

    ``status`` ok (200); degraded (200: a damaged build fell back to an earlier one);
    damaged (503: nothing to serve). No build at all is 404 saying how to build one.
    """
    params.only(request.args, ())
    state = current_app.extensions["store"].status()
    if state["status"] == "none":
        raise NotFoundError(NO_BUILD)
    return jsonify(state), 503 if state["status"] == "damaged" else 200


@meta.get("/api/provenance")
def api_provenance():
    """Provenance of every layer of the serving build (sources, years, licences, sha256)."""
    params.only(request.args, ())
    build = current_build()
    return jsonify({"build_id": build.id, "created_at": build.manifest["created_at"],
                    "code_version": build.manifest["code_version"],
                    "layers": build.manifest["layers"], "missing": build.manifest["missing"]})

