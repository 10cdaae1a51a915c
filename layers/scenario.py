"""What-if scenarios: remove, add or move service points and see who gets farther.

Only the categories touched by a change are searched again (one Dijkstra pass per category
and metric on the road network, or a KD-tree query for the straight-line fallback), so a
scenario answers within interactive time even on a region-sized network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from data_sources.errors import RequestError
from layers.accessibility import NETWORK, RESULT_COLUMNS, STRAIGHT, Network, accessibility
from layers.service import CATEGORIES

ACTIONS = ("remove", "add", "move")
PARAMETERS = {"remove": "ta_bort", "move": "flytta", "add": "lagg_till"}  # API names
SUMMARY_LEVELS = ("kommun", "kommuntyp", "omrade", "region")


@dataclass(frozen=True)
class Change:
    """One change to the service points (coordinates in EPSG:3006).

    ``remove`` needs ``id``; ``move`` needs ``id``, ``x``, ``y``; ``add`` needs
    ``kategori``, ``x``, ``y`` (``id`` optional).
    """

    action: Literal["remove", "add", "move"]
    id: str | None = None
    kategori: str | None = None
    x: float | None = None
    y: float | None = None


def apply_changes(services: gpd.GeoDataFrame, changes: list[Change]) -> gpd.GeoDataFrame:
    """Return ``services`` (``id, kategori, geometry``) with ``changes`` applied in order."""
    out = services[["id", "kategori", "geometry"]].reset_index(drop=True)
    for number, change in enumerate(changes, start=1):
        where = f"change {number} ({change.action})"
        if change.action not in ACTIONS:
            raise RequestError(where, f"action must be one of {ACTIONS}")
        if change.action != "remove" and (change.x is None or change.y is None):
            raise RequestError(where, "needs coordinates")
        if change.action == "add":
            if change.kategori not in CATEGORIES:
                raise RequestError(where, f"kategori must be one of {sorted(CATEGORIES)}")
            added = gpd.GeoDataFrame(
                {"id": [change.id or f"ny:{number}"], "kategori": [change.kategori]},
                geometry=[shapely.Point(change.x, change.y)], crs=out.crs)
            out = pd.concat([out, added], ignore_index=True)
            continue
        hit = out["id"] == change.id
        if not hit.any():
            raise RequestError(PARAMETERS[change.action],
                               f"no service point with id {change.id!r} ({where})")
        if change.action == "remove":
            out = out[~hit].reset_index(drop=True)
        else:
            out.loc[hit, "geometry"] = shapely.Point(change.x, change.y)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=services.crs)


def touched_categories(services: gpd.GeoDataFrame, changes: list[Change]) -> list[str]:
    """Categories whose nearest-service result a list of changes can alter."""
    by_id = dict(zip(services["id"], services["kategori"], strict=True))
    found = {c.kategori if c.action == "add" else by_id.get(c.id) for c in changes}
    return sorted(k for k in found if k is not None)


@dataclass(frozen=True)
class Limits:
    """Thresholds of a scenario summary and the speed on snapping legs.

    ``km`` / ``minutes``: people beyond these are counted before and after; ``snap_speed_kmh``:
    see :class:`layers.settings.PipelineSettings`.
    """

    km: float
    minutes: float
    snap_speed_kmh: float


@dataclass(frozen=True)
class ScenarioResult:
    """Per-origin change and population summary of one scenario."""

    per_origin: gpd.GeoDataFrame
    summary: pd.DataFrame


def _summary(per_origin: pd.DataFrame, *, km: float, minutes: float) -> pd.DataFrame:
    """People beyond ``km`` / ``minutes`` before and after, per kommun, class, area and region."""
    frame = per_origin.assign(
        over_km_fore=~per_origin["nabar_fore"] | (per_origin["km_fore"] > km),
        over_km_efter=~per_origin["nabar_efter"] | (per_origin["km_efter"] > km),
        over_min_fore=~per_origin["nabar_fore"] | (per_origin["minuter_fore"] > minutes),
        over_min_efter=~per_origin["nabar_efter"] | (per_origin["minuter_efter"] > minutes),
        farre=per_origin["km_efter"] > per_origin["km_fore"],
        kommuntyp=per_origin["klass"].fillna("okänd"),
        region="alla ursprung i regionen",
    )
    has_time = frame["minuter_fore"].notna().any()
    flags = ["over_km_fore", "over_km_efter", "farre"]
    flags += ["over_min_fore", "over_min_efter"] if has_time else []
    parts = []
    for level, column in zip(SUMMARY_LEVELS, ("kommunkod", "kommuntyp", "omrade", "region"),
                             strict=True):
        pop = frame["befolkning"].astype(float)
        weighted = frame[flags].astype(float).mul(pop, axis=0)
        weighted["befolkning"] = pop
        grouped = weighted.groupby([frame[column], frame["kategori"]]).sum().reset_index()
        parts.append(grouped.rename(columns={column: "grupp"}).assign(niva=level))
    out = pd.concat(parts, ignore_index=True)
    counts = ["befolkning", *flags]
    out[counts] = out[counts].round().astype("int64")
    out = out.rename(columns={
        "over_km_fore": f"bef_over_{km:g}km_fore", "over_km_efter": f"bef_over_{km:g}km_efter",
        "over_min_fore": f"bef_over_{minutes:g}min_fore",
        "over_min_efter": f"bef_over_{minutes:g}min_efter", "farre": "bef_langre_bort"})
    return out[["niva", "grupp", "kategori", "befolkning",
                *[c for c in out.columns if c.startswith("bef_")]]]


def _unserved(origins: gpd.GeoDataFrame, categories: list[str],
              network: Network | None) -> pd.DataFrame:
    """Today's rows for categories with no point at all: nobody reaches one."""
    return pd.concat([origins.reset_index(drop=True).assign(
        kategori=kategori, km=np.inf, minuter=np.inf if network is not None else np.nan,
        anslutning_m=np.nan, nabar=False, metod=NETWORK if network is not None else STRAIGHT)
        for kategori in categories], ignore_index=True)


def _today(origins, services, network, today: pd.DataFrame | None, kwargs: dict) -> pd.DataFrame:
    """Today's result for the touched categories: taken from ``today``, computed where absent.

    A category with no point today (its first one is being added) gets rows too, all
    unreachable, so that the change shows instead of vanishing.
    """
    categories = kwargs["categories"]
    have = set() if today is None else set(today["kategori"]) & set(categories)
    missing = [c for c in categories if c not in have]
    served = [c for c in missing if (services["kategori"] == c).any()]
    unserved = [c for c in missing if c not in served]
    parts = []
    if have:
        columns = [*origins.columns, "kategori", *RESULT_COLUMNS]
        parts.append(today.loc[today["kategori"].isin(have), columns])
    if served or not (have or unserved):
        parts.append(accessibility(origins, services, network,
                                   **{**kwargs, "categories": served}))
    if unserved:
        parts.append(_unserved(origins, unserved, network))
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry",
                            crs=origins.crs)


def run(
    origins: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    changes: list[Change],
    network: Network | None,
    *,
    limits: Limits,
    today: pd.DataFrame | None = None,
) -> ScenarioResult:
    """Recompute access for the categories ``changes`` touch and compare with today.

    ``today`` is today's result when known (the built ``tillganglighet`` layer: ``id,
    kategori`` and the result columns for the same origins); categories it lacks are computed.

    ``origins`` have ``id, kommunkod, omrade, befolkning, klass`` and points; ``services``
    ``id, kategori`` and points (both EPSG:3006). ``per_origin`` has the origin columns plus
    ``kategori, km_fore, km_efter, km_diff, minuter_fore, minuter_efter, minuter_diff,
    nabar_fore, nabar_efter, metod``; ``summary`` has ``niva`` (kommun | kommuntyp | omrade |
    region), ``grupp``, ``kategori``, ``befolkning`` and the population beyond ``km`` /
    ``minutes`` of ``limits`` before and after (``bef_over_<km>km_fore`` …) and ``bef_langre_bort``.
    """
    categories = touched_categories(services, changes)
    changed = apply_changes(services, changes)
    kwargs = {"snap_speed_kmh": limits.snap_speed_kmh, "categories": categories}
    before = _today(origins, services, network, today, kwargs)
    after = accessibility(origins, changed, network, **kwargs)
    after = after.set_index(["id", "kategori"]).reindex(
        pd.MultiIndex.from_frame(before[["id", "kategori"]]))
    per_origin = before.rename(columns={"km": "km_fore", "minuter": "minuter_fore",
                                        "nabar": "nabar_fore"})
    per_origin["km_efter"] = after["km"].fillna(np.inf).to_numpy()
    gone = np.inf if network is not None else np.nan  # a category with no point left
    per_origin["minuter_efter"] = after["minuter"].fillna(gone).to_numpy()
    per_origin["nabar_efter"] = after["nabar"].eq(True).to_numpy()  # absent: not reached
    with np.errstate(invalid="ignore"):
        per_origin["km_diff"] = per_origin["km_efter"] - per_origin["km_fore"]
        per_origin["minuter_diff"] = per_origin["minuter_efter"] - per_origin["minuter_fore"]
    return ScenarioResult(per_origin, _summary(per_origin, km=limits.km,
                                                      minutes=limits.minutes))
