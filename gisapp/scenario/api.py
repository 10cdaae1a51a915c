"""``GET /api/scenario``: what happens to access if service points close, open or move.

Query parameters (each may repeat): ``ta_bort=ID``, ``flytta=ID@LON,LAT``,
``lagg_till=KATEGORI@LON,LAT``; thresholds ``km`` (default 10) and ``minuter`` (default 20).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from gisapp.scenario.service import parse_changes, run_on_build, to_json
from gisapp.web import params
from gisapp.web.context import current_build
from gisapp.web.throttle import computing

scenario_api = Blueprint("scenario_api", __name__)


@scenario_api.get("/api/scenario")
def scenario_view():
    """Change in distance per origin and people beyond the thresholds, before and after."""
    params.only(request.args, ("km", "minuter"), repeatable=("ta_bort", "flytta", "lagg_till"))
    changes = parse_changes(request.args.getlist("ta_bort"), request.args.getlist("flytta"),
                            request.args.getlist("lagg_till"))
    km = params.number("km", request.args.get("km"), 10.0, low=0, high=1000)
    minutes = params.number("minuter", request.args.get("minuter"), 20.0, low=0, high=1000)
    build = current_build()
    with computing():  # a global cap on request-time computation (503 + Retry-After beyond)
        result = run_on_build(build, changes, km=km, minutes=minutes)
    return jsonify({"build_id": build.id, **to_json(result)})
