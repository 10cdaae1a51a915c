"""Scenarios on a finished build: parse changes, run them, serialise the answer.

Shared by ``strukturbild scenario`` and ``/api/scenario``. Changes are given as text:
``ta_bort`` = a service-point id; ``flytta`` = ``ID@LON,LAT``; ``lagg_till`` =
``KATEGORI@LON,LAT`` (WGS 84 degrees; computed in EPSG:3006).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from pyproj import Transformer

from data_sources.crs import COMPUTE_CRS, SERVE_CRS
from data_sources.errors import MissingDataError, RequestError
from gisapp.store import Build
from layers import scenario, tillganglighet
from layers.accessibility import NETWORK
from layers.service import CATEGORIES

MAX_CHANGES = 50
_TO_3006 = Transformer.from_crs(SERVE_CRS, COMPUTE_CRS, always_xy=True)


def _lonlat(parameter: str, text: str) -> tuple[float, float]:
    """``LON,LAT`` in degrees → EPSG:3006 x, y."""
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise RequestError(parameter, f"expected LON,LAT in degrees, got {text[:40]!r}") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise RequestError(parameter, "LON must be in [-180, 180] and LAT in [-90, 90]")
    return _TO_3006.transform(lon, lat)


def parse_changes(remove: list[str], move: list[str], add: list[str]) -> list[scenario.Change]:
    """Changes from their text forms (see the module docstring), removals first."""
    if len(remove) + len(move) + len(add) > MAX_CHANGES:
        raise RequestError("andringar", f"at most {MAX_CHANGES} changes")
    if not (remove or move or add):
        raise RequestError("ta_bort", "give at least one of ta_bort, flytta, lagg_till")
    named = [*remove, *(item.rpartition("@")[0] for item in move)]
    repeated = sorted({i for i in named if named.count(i) > 1})
    if repeated:
        raise RequestError("ta_bort" if repeated[0] in remove else "flytta",
                           f"service point {repeated[0][:40]!r} is named more than once")
    changes = [scenario.Change("remove", id=i) for i in remove]
    for parameter, items, action in (("flytta", move, "move"), ("lagg_till", add, "add")):
        for item in items:
            head, sep, coords = item.rpartition("@")
            if not sep or not head:
                raise RequestError(parameter, f"expected NAME@LON,LAT, got {item[:40]!r}")
            if action == "add" and head not in CATEGORIES:
                raise RequestError(parameter, f"kategori must be one of {', '.join(CATEGORIES)}")
            x, y = _lonlat(parameter, coords)
            if action == "move":
                changes.append(scenario.Change("move", id=head, x=x, y=y))
            else:
                changes.append(scenario.Change("add", kategori=head, x=x, y=y))
    return changes


def run_on_build(
    build: Build,
    changes: list[scenario.Change],
    *,
    km: float,
    minutes: float,
) -> scenario.ScenarioResult:
    """Run ``changes`` against the build's origins, service points and road network.

    The scenario uses what the build measured with: its stored road network (or, for a
    straight-line build, straight-line distances) and its snapping speed; it never reads
    the data directory, so it cannot run on a different network than the build's.
    """
    layer = build.require_layer("tillganglighet")
    service = build.require_layer("service")
    limits = scenario.Limits(km=km, minutes=minutes,
                             snap_speed_kmh=build.manifest["settings"]["snap_speed_kmh"])
    network = build.network if _measured_along_roads(build) else None
    return scenario.run(tillganglighet.origins_of(layer), service, changes, network,
                        limits=limits, today=layer)


def _measured_along_roads(build: Build) -> bool:
    """Whether the build's access layer was measured along its stored road network."""
    entry = build.manifest["layers"]["tillganglighet"].get("tillganglighet", {})
    if entry.get("metod") != NETWORK:
        return False
    if build.network is None:
        msg = (f"build {build.id} measured along roads but holds no road network "
               "(built by an older version): rebuild with `strukturbild build`")
        raise MissingDataError(msg)
    return True


def _finite(frame: pd.DataFrame) -> list[dict]:
    """Records with ``inf``/NaN as ``None`` (JSON has neither)."""
    clean = frame.replace([np.inf, -np.inf], np.nan).astype(object)
    return clean.where(clean.notna(), None).to_dict(orient="records")


def to_json(result: scenario.ScenarioResult) -> dict:
    """The answer: summary rows and the origins whose distance changed (lon/lat, EPSG:4326)."""
    per = result.per_origin
    changed = per[(per["km_efter"] != per["km_fore"]) | (per["nabar_efter"] != per["nabar_fore"])]
    wgs = changed.to_crs(SERVE_CRS)
    columns = ["id", "namn", "kommunkod", "omrade", "befolkning", "kategori", "km_fore",
               "km_efter", "km_diff", "minuter_fore", "minuter_efter", "minuter_diff",
               "nabar_fore", "nabar_efter", "metod"]
    rows = wgs[columns].assign(lon=wgs.geometry.x.round(5), lat=wgs.geometry.y.round(5))
    return {"metod": per["metod"].iloc[0] if len(per) else None,
            "summary": _finite(result.summary), "changed": _finite(rows)}
