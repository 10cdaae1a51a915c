"""``GET /api/scenario``: what happens to access if service points close, open or move.

Query parameters (each may repeat): ``ta_bort=ID``, ``flytta=ID@LON,LAT``,
``lagg_till=KATEGORI@LON,LAT``; thresholds ``km`` (default 10) and ``minuter`` (default 20).
"""

from __future__ import annotations

import math

from flask import Blueprint, current_app, jsonify, request

from data_sources.errors import NotFoundError, RequestError
from gisapp import params
from gisapp.scenario_service import parse_changes, run_on_build, to_json
from gisapp.settings import resolve_data_dir

scenario_api = Blueprint("scenario_api", __name__)


def _threshold(name: str, default: float) -> float:
    """A positive finite number from the query string."""
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        raise RequestError(name, f"must be a number, got {text[:20]!r}") from None
    if not (math.isfinite(value) and 0 < value <= 1000):
        raise RequestError(name, "must be > 0 and ≤ 1000")
    return value


@scenario_api.get("/api/scenario")
def scenario_view():
    """Change in distance per origin and people beyond the thresholds, before and after."""
    params.only(request.args, ("km", "minuter"), repeatable=("ta_bort", "flytta", "lagg_till"))
    changes = parse_changes(request.args.getlist("ta_bort"), request.args.getlist("flytta"),
                            request.args.getlist("lagg_till"))
    km, minutes = _threshold("km", 10.0), _threshold("minuter", 20.0)
    build = current_app.extensions["store"].current()
    if build is None or "tillganglighet" not in build.layer_ids():
        raise NotFoundError("no tillganglighet layer in the build: run `strukturbild build`")
    data_dir = resolve_data_dir(current_app.config.get("DATA_DIR")).path
    result = run_on_build(build, changes, data_dir=data_dir, km=km, minutes=minutes)
    return jsonify({"build_id": build.id, **to_json(result)})
