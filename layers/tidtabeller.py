"""Several timetables as one network on the analysed day(s).

A region's traffic comes in several GTFS feeds (one per operator or publisher) with their
own stop ids. :func:`merge` analyses them together:

1. the day(s) are chosen once for all feeds (:func:`layers.trafikdag.analysis_days`);
2. a feed whose validity window does not hold them is left out and reported with its own
   period (never mixed into another period's counts);
3. each feed's stations get a common key (:mod:`layers.stationsnyckel`), so departures add
   up per station across feeds;
4. a trip found in two feeds (the same train: ``duplicate_min_calls`` stations at the same
   minute on the same day) is counted once, from the first feed in the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString

from data_sources.gtfs import Feed
from layers import avgangar
from layers.settings import StomlinjeSettings
from layers.stationsnyckel import station_keys
from layers.trafikdag import Analysdag, analysis_days, covers, validity_window

STATION_COLUMNS = ["namn", "signatur", "floden", "geometry"]


@dataclass(frozen=True)
class FlodeRapport:
    """What one feed holds and whether it is part of the analysed day(s).

    ``operatorer`` are the feed's agencies (``agency.txt`` names of its routes) and
    ``trafikslag`` its modes; ``i_trafik`` the agencies with trips on the analysed days;
    ``orsak`` says why a feed is left out; ``dubbletter`` counts its trips dropped as
    duplicates of an earlier feed's, ``turer`` the trips counted (all days together).
    """

    flode: str
    operatorer: tuple[str, ...]
    trafikslag: tuple[str, ...]
    giltig_fran: date
    giltig_till: date
    anvand: bool
    i_trafik: tuple[str, ...] = ()
    orsak: str = ""
    dubbletter: int = 0
    turer: int = 0


@dataclass(frozen=True)
class Natdag:
    """The merged network on the analysed day(s).

    ``stations`` (index: station key, EPSG:3006): ``namn, signatur`` (Trafikverket, NA
    abroad), ``floden`` (the feeds whose stops include it, comma-separated), ``geometry``.
    ``deps``: the calls of :func:`layers.avgangar.departures` of every feed used, with
    ``flode, dag`` (index into ``dag.days``), ``nyckel`` (station key), ``linje`` (route
    short name, else route id) and ``operator`` (agency name); ``trip_key`` is unique
    across feeds and days. ``shapes``: each feed's shapes by ``(flode, shape_id)``.
    """

    dag: Analysdag
    stations: gpd.GeoDataFrame
    deps: pd.DataFrame
    feeds: tuple[FlodeRapport, ...]
    shapes: dict[tuple[str, str], LineString]
    sources: dict[str, Feed]

    @property
    def used(self) -> tuple[str, ...]:
        """Names of the feeds counted on the analysed day(s)."""
        return tuple(f.flode for f in self.feeds if f.anvand)


def route_operators(feed: Feed) -> pd.Series:
    """Agency name per ``route_id`` (a one-agency feed may leave ``agency_id`` out)."""
    names = feed.agency.set_index("agency_id")["agency_name"]
    by_id = feed.routes["agency_id"].map(names) if feed.agency["agency_id"].notna().any() \
        else pd.Series(pd.NA, index=feed.routes.index)
    if len(feed.agency) == 1:
        by_id = by_id.fillna(feed.agency["agency_name"].iloc[0])
    return pd.Series(by_id.to_numpy(), index=feed.routes["route_id"].to_numpy(),
                     dtype="object").fillna("okänd operatör")


def feed_stations(name: str, feed: Feed) -> gpd.GeoDataFrame:
    """The stations of one feed (parents, and stops without one): ``flode, station_id, namn``."""
    stops = feed.stops[feed.stops["stop_id"] == feed.stops["station_id"]]
    frame = stops[["station_id", "stop_name", "geometry"]].rename(columns={"stop_name": "namn"})
    return gpd.GeoDataFrame(frame.assign(flode=name)[["flode", "station_id", "namn",
                                                      "geometry"]], crs=feed.stops.crs)


def _shape_lines(name: str, feed: Feed) -> dict[tuple[str, str], LineString]:
    """One LineString (EPSG:3006) per shape with at least two points."""
    if feed.shapes is None or feed.shapes.empty:
        return {}
    points = feed.shapes  # sorted by shape and sequence when parsed
    sizes = points.groupby("shape_id", sort=False).size()
    kept = points[points["shape_id"].map(sizes) >= 2]
    codes, ids = pd.factorize(kept["shape_id"])
    lines = shapely.linestrings(kept[["x", "y"]].to_numpy(), indices=codes)
    return {(name, shape_id): line for shape_id, line in zip(ids, lines, strict=True)}


def _calls(name: str, feed: Feed, dag: Analysdag, settings: StomlinjeSettings) -> pd.DataFrame:
    """Departures of one feed on each analysed day, labelled with feed, day, line, operator."""
    short = feed.routes.set_index("route_id")["route_short_name"]
    operators = route_operators(feed)
    parts = []
    for index, day in enumerate(dag.days):
        calls = avgangar.departures(feed, day, settings)
        calls["trip_key"] = f"{name}|{index}|" + calls["trip_key"]
        parts.append(calls.assign(flode=name, dag=index))
    calls = pd.concat(parts, ignore_index=True)
    calls["linje"] = calls["route_id"].map(short).fillna(calls["route_id"]).astype(str)
    calls["operator"] = calls["route_id"].map(operators)
    return calls


def duplicate_trips(calls: pd.DataFrame, order: list[str], *, min_calls: int) -> pd.Index:
    """Trip keys of later feeds that repeat an earlier feed's trip (to be dropped).

    Two trips of different feeds are the same when, on the same day, they call at at least
    ``min_calls`` common stations (``nyckel``) at the same minute.
    """
    marks = calls[["flode", "dag", "trip_key", "nyckel"]].assign(
        minute=calls["tid_s"] // 60, rank=calls["flode"].map({f: i for i, f in
                                                               enumerate(order)}))
    marks = marks.drop_duplicates()
    pairs = marks.merge(marks, on=["dag", "nyckel", "minute"], suffixes=("", "_senare"))
    pairs = pairs[pairs["rank"] < pairs["rank_senare"]]
    shared = pairs.groupby(["trip_key", "trip_key_senare"]).size()
    return pd.Index(shared[shared >= min_calls].index.get_level_values(1).unique())


def _stations(keys: pd.DataFrame, stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per key: the first feed's name and point, the feeds that list it."""
    joined = stations.reset_index(drop=True).join(keys[["nyckel", "signatur"]].reset_index(
        drop=True))
    floden = joined.groupby("nyckel", sort=False)["flode"].agg(
        lambda s: ", ".join(dict.fromkeys(s)))
    first = joined.drop_duplicates("nyckel").set_index("nyckel")
    out = first[["namn", "signatur", "geometry"]].join(floden.rename("floden"))
    return gpd.GeoDataFrame(out[STATION_COLUMNS], geometry="geometry", crs=stations.crs)


def _report(name: str, feed: Feed, calls: pd.DataFrame | None, dropped: int,
            dag: Analysdag, settings: StomlinjeSettings) -> FlodeRapport:
    """The report of one feed: used with its trips, or left out with its period."""
    first, last = validity_window(feed)
    operators = tuple(sorted(set(route_operators(feed))))
    modes = tuple(sorted(set(avgangar.trafikslag(feed.routes["route_type"], settings))))
    if calls is None:
        reason = f"gäller {first}–{last}, inte {dag.label_sv}: räknas inte in (annan period)"
        return FlodeRapport(name, operators, modes, first, last, anvand=False, orsak=reason)
    return FlodeRapport(name, operators, modes, first, last, anvand=True,
                        i_trafik=tuple(sorted(set(calls["operator"]))), dubbletter=dropped,
                        turer=int(calls["trip_key"].nunique()))


def merge(feeds: list[tuple[str, Feed]], register: gpd.GeoDataFrame,
          settings: StomlinjeSettings) -> Natdag:
    """Analyse ``feeds`` (name, feed; first = preferred for duplicates) as one network.

    ``register`` is Trafikverket's station register (:mod:`data_sources.stationer`).
    """
    dag = analysis_days([f for _, f in feeds], service_date=settings.service_date,
                        weekday=settings.service_weekday, average_month=settings.average_month,
                        average_weekdays=settings.average_weekdays)
    stations = gpd.GeoDataFrame(pd.concat([feed_stations(n, f) for n, f in feeds],
                                          ignore_index=True), crs=feeds[0][1].stops.crs)
    keys = station_keys(stations, register, near_m=settings.station_match_m,
                        name_m=settings.station_name_match_m)
    key_of = keys.set_index(["flode", "station_id"])["nyckel"]
    used = [(n, f) for n, f in feeds if covers(f, dag.days)]
    calls = [_calls(n, f, dag, settings) for n, f in used]
    merged = pd.concat(calls, ignore_index=True) if calls else _no_calls()
    merged["nyckel"] = pd.MultiIndex.from_arrays([merged["flode"], merged["station_id"]]).map(
        key_of)
    dropped = duplicate_trips(merged, [n for n, _ in used], min_calls=settings.duplicate_min_calls)
    lost = merged[merged["trip_key"].isin(dropped)].groupby("flode")["trip_key"].nunique()
    merged = merged[~merged["trip_key"].isin(dropped)].reset_index(drop=True)
    used_names = {n for n, _ in used}
    reports = tuple(_report(n, f, merged[merged["flode"] == n] if n in used_names else None,
                            int(lost.get(n, 0)), dag, settings) for n, f in feeds)
    shapes = {k: v for n, f in used for k, v in _shape_lines(n, f).items()}
    return Natdag(dag, _stations(keys, stations), merged, reports, shapes, dict(feeds))


def _no_calls() -> pd.DataFrame:
    """An empty calls table with the merged columns."""
    columns = ["trip_key", "trip_id", "route_id", "direction_id", "shape_id", "trafikslag",
               "stop_id", "station_id", "stop_sequence", "tid_s", "timme", "avgang", "flode",
               "dag", "linje", "operator"]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
