"""Corridors: every trip counted on each network segment it runs along, and classified.

A *segment* joins two consecutive stations of the network. Rail follows the RINF graph
(:mod:`layers.bannat`): a train between two stops runs over every segment of the path, so
a corridor shared by several train numbers adds them all up. Without a path (a bus, a
train abroad, no network loaded) a segment is the stretch between two consecutive stops of
the trip, drawn along ``shapes.txt`` when the feed has real shapes, else straight.

A trip's time on a segment is interpolated between its departure at one stop and its
arrival at the next, by the distance along the path. The class of a segment follows the
stomlinje rule on its trips per hour (:func:`classify`); the class of a station on the
trips that stop there, per segment it serves (a train passing without stopping lifts the
corridor, not the station).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point
from shapely.ops import substring

from layers import avgangar
from layers.bannat import Bannat, path, stretches
from layers.settings import StomlinjeSettings
from layers.tidtabeller import Natdag

MIN_SEGMENT_M = 1.0
# How a segment is drawn, best first: along the RINF network, along shapes.txt, straight.
GEOMETRI = ("bannat", "shapes", "rak")
SEGMENT = ["fran", "till"]


@dataclass(frozen=True)
class Korridorer:
    """Per-segment trip passages and the segments' drawn course.

    ``passages``: one row per trip and segment it runs along — ``fran, till`` (station
    keys, sorted pair), ``riktning`` (1 when the trip runs ``fran → till``, else -1),
    ``trip_key, dag, timme`` (hour of the service day on the segment), ``trafikslag, linje,
    operator, flode``, ``stannar_fran`` / ``stannar_till`` (the trip calls there).
    ``geometry``: per ``fran, till`` the course (EPSG:3006, drawn ``fran → till``) and
    ``geometri`` (one of :data:`GEOMETRI`).
    """

    passages: pd.DataFrame
    geometry: gpd.GeoDataFrame
    n_days: int


def _hops(deps: pd.DataFrame) -> pd.DataFrame:
    """Consecutive calls of each trip at different stations: ``a → b`` with times."""
    deps = deps.sort_values(["trip_key", "stop_sequence"])
    nxt = deps.groupby("trip_key", sort=False)[["nyckel", "tid_s"]].shift(-1)
    hops = deps.assign(b=nxt["nyckel"], t1=nxt["tid_s"]).dropna(subset=["b"])
    hops = hops[hops["nyckel"] != hops["b"]].rename(columns={"nyckel": "a", "tid_s": "t0"})
    hops["rail"] = hops["trafikslag"] == "tag"
    return hops


def _cut(line: LineString | None, start: Point, end: Point) -> tuple[LineString, str]:
    """The course between two stations along a shape, or a straight line.

    Straight (``"rak"``) when the shape has no point between the two stations (the SJ
    feed's shapes only join consecutive stops) or the trip has no shape.
    """
    if line is not None:
        d0, d1 = line.project(start), line.project(end)
        if abs(d1 - d0) > MIN_SEGMENT_M:
            cut = substring(line, d0, d1)
            if len(cut.coords) > 2:
                return cut, "shapes"
    return LineString([start, end]), "rak"


def _chains(hops: pd.DataFrame, natdag: Natdag, net: Bannat | None,
            settings: StomlinjeSettings) -> pd.DataFrame:
    """The segments each distinct hop ``a → b`` runs along, with fractions and course."""
    points = natdag.stations.geometry
    reps = hops.sort_values("shape_id", na_position="last").drop_duplicates(["a", "b", "rail"])
    rows = []
    for hop in reps.itertuples(index=False):
        nodes = (path(net, hop.a, hop.b, max_detour=settings.max_detour)
                 if net is not None and hop.rail else None)
        if nodes is not None and len(parts := stretches(net, nodes)) > 0:
            last = len(parts) - 1
            rows += [(hop.a, hop.b, hop.rail, p.fran, p.till, p.start, p.end, i == 0, i == last,
                      LineString(p.coords), "bannat") for i, p in enumerate(parts)]
            continue
        shape = (natdag.shapes.get((hop.flode, hop.shape_id)) if pd.notna(hop.shape_id)
                 else None)
        course, kind = _cut(shape, points[hop.a], points[hop.b])
        rows.append((hop.a, hop.b, hop.rail, hop.a, hop.b, 0.0, 1.0, True, True, course, kind))
    return pd.DataFrame(rows, columns=["a", "b", "rail", "s_fran", "s_till", "start", "end",
                                       "forst", "sist", "course", "geometri"])


def corridors(natdag: Natdag, net: Bannat | None, settings: StomlinjeSettings) -> Korridorer:
    """Count every trip of ``natdag`` on the segments it runs along."""
    hops = _hops(natdag.deps)
    chains = _chains(hops, natdag, net, settings)
    runs = hops.merge(chains, on=["a", "b", "rail"])
    mid = (runs["start"] + runs["end"]) / 2.0
    tid = runs["t0"] + (runs["t1"] - runs["t0"]) * mid
    forward = runs["s_fran"] < runs["s_till"]
    passages = pd.DataFrame({
        "fran": runs["s_fran"].where(forward, runs["s_till"]),
        "till": runs["s_till"].where(forward, runs["s_fran"]),
        "riktning": np.where(forward, 1, -1),
        "trip_key": runs["trip_key"], "dag": runs["dag"],
        "timme": (tid // 3600).astype("int64"),
        "trafikslag": runs["trafikslag"], "linje": runs["linje"],
        "operator": runs["operator"], "flode": runs["flode"],
        "stannar_fran": runs["forst"].where(forward, runs["sist"]).astype(bool),
        "stannar_till": runs["sist"].where(forward, runs["forst"]).astype(bool),
    })
    return Korridorer(passages, _courses(chains), len(natdag.dag.days))


def _courses(chains: pd.DataFrame) -> gpd.GeoDataFrame:
    """One course per segment: the best kind found, drawn from ``fran`` to ``till``."""
    forward = chains["s_fran"] < chains["s_till"]
    course = [c if f else shapely.reverse(c) for c, f in zip(chains["course"], forward,
                                                              strict=True)]
    frame = pd.DataFrame({"fran": chains["s_fran"].where(forward, chains["s_till"]),
                          "till": chains["s_till"].where(forward, chains["s_fran"]),
                          "geometri": chains["geometri"], "course": course})
    frame["rank"] = frame["geometri"].map(GEOMETRI.index)
    best = frame.sort_values("rank", kind="stable").drop_duplicates(SEGMENT)
    return gpd.GeoDataFrame(best[[*SEGMENT, "geometri"]].reset_index(drop=True),
                            geometry=shapely.force_2d(best["course"].to_numpy()), crs="EPSG:3006")


def hourly(passages: pd.DataFrame, keys: list[str], n_days: int) -> pd.DataFrame:
    """Trips per ``keys`` and service-day hour (mean over ``n_days``), hours as columns."""
    hours = (max(avgangar.HOURS_PER_DAY, int(passages["timme"].max()) + 1) if len(passages)
             else avgangar.HOURS_PER_DAY)
    table = (passages.drop_duplicates([*keys, "trip_key", "timme"])
             .groupby([*keys, "timme"]).size().unstack(fill_value=0))
    return (table.reindex(columns=range(hours), fill_value=0) / n_days).astype("float64")


def classify(per_direction: pd.DataFrame, keys: list[str], is_rail: pd.Series,
             settings: StomlinjeSettings) -> pd.Series:
    """Class per ``keys`` from trips per hour per direction (index ``*keys, riktning``).

    With ``settings.each_direction`` every direction with trips must meet the rule (the
    weaker decides); otherwise the directions are added up first. ``is_rail`` (index
    ``keys``) lifts rail to at least ``stomlinje``.
    """
    if settings.each_direction:
        rank = avgangar.rule_rank(per_direction, settings).groupby(level=keys).max()
    else:
        rank = avgangar.rule_rank(per_direction.groupby(level=keys).sum(), settings)
    rail = is_rail.reindex(rank.index, fill_value=False).astype(bool)
    rank = rank.where(~rail, np.minimum(rank, avgangar.CLASSES.index("stomlinje")))
    return rank.map(avgangar.CLASSES.__getitem__)


def segment_table(k: Korridorer, settings: StomlinjeSettings) -> pd.DataFrame:
    """Per segment: trips per day and in the windows (both directions), lines, class."""
    p = k.passages
    per_direction = hourly(p, [*SEGMENT, "riktning"], k.n_days)
    both = hourly(p, SEGMENT, k.n_days)
    out = avgangar.window_counts(both, settings).rename(columns=lambda c: c.replace(
        "avgangar", "turer"))
    groups = p.groupby(SEGMENT)
    out["linjer"] = groups["linje"].agg(avgangar.joined_names)
    out["operatorer"] = groups["operator"].agg(lambda s: ", ".join(sorted(set(s))))
    out["floden"] = groups["flode"].agg(lambda s: ", ".join(sorted(set(s))))
    out["trafikslag"] = groups["trafikslag"].agg(avgangar.main_mode)
    out["klass"] = classify(per_direction, SEGMENT, out["trafikslag"] == "tag", settings)
    return out.reset_index()


def station_classes(k: Korridorer, settings: StomlinjeSettings) -> pd.Series:
    """Class per station (index: station key): the best of the segments it serves.

    Each segment counts only the trips that stop at the station.
    """
    p = k.passages
    ends = pd.concat([p[p["stannar_fran"]].assign(station=p["fran"]),
                      p[p["stannar_till"]].assign(station=p["till"])], ignore_index=True)
    keys = ["station", *SEGMENT]
    per_direction = hourly(ends, [*keys, "riktning"], k.n_days)
    rail = ends.groupby(keys)["trafikslag"].agg(lambda s: (s == "tag").any())
    classes = classify(per_direction, keys, rail, settings)
    return classes.groupby(level="station").agg(avgangar.best_class)
