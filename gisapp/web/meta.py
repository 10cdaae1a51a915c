"""The meta blueprint: static assets, the health check and the provenance API."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, send_from_directory

from data_sources.errors import NotFoundError
from gisapp.config import PROJECT_ROOT
from gisapp.web import params
from gisapp.web.context import current_build

meta = Blueprint("meta", __name__)

STATIC_DIR = PROJECT_ROOT / "static"
STATIC_MAX_AGE_S = 86_400


@meta.get("/static/<path:filename>")
def static(filename: str):
    """Front-end assets: own CSS/JS at the top level and ``vendor/``; traversal-safe.

    npm's working files in ``static/`` (``node_modules``, ``package*.json``) are not served.
    """
    own = "/" not in filename and filename.endswith((".js", ".css"))
    if not (own or filename.startswith("vendor/")):
        msg = f"no static file {filename!r}"
        raise NotFoundError(msg)
    return send_from_directory(STATIC_DIR, filename, max_age=STATIC_MAX_AGE_S)


@meta.get("/healthz")
def healthz():
    """Liveness and the id of the serving build."""
    params.only(request.args, ())
    return jsonify({"status": "ok", "build_id": current_build().id})


@meta.get("/api/provenance")
def api_provenance():
    """Provenance of every layer of the serving build (sources, years, licences, sha256)."""
    params.only(request.args, ())
    build = current_build()
    return jsonify({"build_id": build.id, "created_at": build.manifest["created_at"],
                    "code_version": build.manifest["code_version"],
                    "layers": build.manifest["layers"], "missing": build.manifest["missing"]})

