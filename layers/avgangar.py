"""Departures on a service day, and the stomlinje rule on counts per hour.

The core is :func:`departures`: one row per call of a trip that runs on the day (trips of
``frequencies.txt`` expanded to every run), with its time in seconds after the service day's
midnight (after-midnight runs keep times ≥ 24 h). A call is a *departure* when passengers can
board and the vehicle goes on: not the trip's last stop and ``pickup_type`` ≠ 1.

Classes (stable ids): ``stark_stomlinje``, ``stomlinje``, ``ovrig``. :func:`rule_rank` gives
``stomlinje`` when every hour of ``settings.day_hours`` has ``min_per_hour`` trips, and
``stark_stomlinje`` when every peak hour also has ``strong_per_hour``; rail is lifted to at
least ``stomlinje`` where it is applied (:mod:`layers.korridorer`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from data_sources.gtfs import Feed
from layers import palette
from layers.settings import StomlinjeSettings
from layers.trafikdag import active_services
from messages import labelled

CLASSES = ("stark_stomlinje", "stomlinje", "ovrig")
# id -> (Swedish, English, colour: Okabe–Ito colour-blind-safe palette); labels from the
# catalogue's ``category.klass.<id>``
CLASS_LABELS = labelled("category.klass", {  # the lines' colours; stations have their own
    "stark_stomlinje": palette.LINE_CLASSES["stark_stomlinje"],
    "stomlinje": palette.LINE_CLASSES["stomlinje"],
    "ovrig": palette.LINE_CLASSES["ovrig"],
})
MODE_LABELS = {"tag": ("Tåg", "Rail"), "buss": ("Buss", "Bus"), "ovrigt": ("Övrigt", "Other")}
BUS_TYPES = ((3, 3), (200, 299), (700, 799))
HOURS_PER_DAY = 24


def _in_ranges(values: pd.Series, ranges: tuple[tuple[int, int], ...]) -> pd.Series:
    """Return whether each value lies in one of the inclusive ``(first, last)`` ranges."""
    inside = pd.Series(False, index=values.index)
    for first, last in ranges:
        inside |= values.between(first, last)
    return inside


def trafikslag(route_type: pd.Series, settings: StomlinjeSettings) -> pd.Series:
    """Map GTFS ``route_type`` to ``tag`` (rail), ``buss`` (3, 200–299, 700–799) or ``ovrigt``."""
    out = pd.Series("ovrigt", index=route_type.index, dtype="object")
    out[_in_ranges(route_type, BUS_TYPES)] = "buss"
    out[_in_ranges(route_type, settings.rail_route_types)] = "tag"
    return out


def _expand_frequencies(calls: pd.DataFrame, frequencies: pd.DataFrame) -> pd.DataFrame:
    """Replace template trips of ``frequencies.txt`` by one copy per run (key ``id@start``)."""
    if frequencies.empty:
        return calls.assign(trip_key=calls["trip_id"].astype(str))
    templated = calls["trip_id"].isin(frequencies["trip_id"])
    fixed = calls[~templated].assign(trip_key=lambda f: f["trip_id"].astype(str))
    template = calls[templated]
    if template.empty:
        return fixed
    first = template.groupby("trip_id", observed=True)["tid_s"].transform("min")
    template = template.assign(offset_s=template["tid_s"] - first)
    runs = frequencies[frequencies["trip_id"].isin(template["trip_id"])]
    starts = pd.DataFrame(
        [(trip, start) for trip, s, e, h in runs[["trip_id", "start_s", "end_s", "headway_s"]]
         .itertuples(index=False) for start in range(int(s), int(e), int(h))],
        columns=["trip_id", "run_start_s"])
    expanded = template.merge(starts, on="trip_id")
    expanded["tid_s"] = expanded["run_start_s"] + expanded["offset_s"]
    expanded["trip_key"] = (expanded["trip_id"] + "@"
                            + expanded["run_start_s"].astype(str)).astype(str)
    return pd.concat([fixed, expanded.drop(columns=["offset_s", "run_start_s"])],
                     ignore_index=True)


DERIVED_DIRECTION_BASE = 100  # derived direction ids start here (GTFS uses 0 and 1)


def _directions(calls: pd.DataFrame) -> pd.Series:
    """``direction_id`` of each call; derived from the trip's terminus where the feed has none.

    ``direction_id`` is optional in GTFS (GTFS Sverige 2 leaves it out). Counting both
    directions of a line as one would add up departures that run opposite ways, so a trip
    without one gets ``DERIVED_DIRECTION_BASE`` + the index of its last station among its
    route's termini: trips of a route that end at the same station run the same way.
    """
    given = pd.to_numeric(calls["direction_id"], errors="coerce").astype("Int64")
    if given.notna().all():
        return given
    ordered = calls.sort_values(["trip_key", "stop_sequence"])
    terminus = ordered.groupby("trip_key", sort=False)["station_id"].last()
    route = ordered.groupby("trip_key", sort=False)["route_id"].first()
    per_trip = pd.DataFrame({"route_id": route, "terminus": terminus})
    per_trip["derived"] = per_trip.groupby("route_id")["terminus"].transform(
        lambda t: pd.factorize(t, sort=True)[0] + DERIVED_DIRECTION_BASE)
    derived = calls["trip_key"].map(per_trip["derived"]).astype("Int64")
    return given.fillna(derived)


def _texts(codes: np.ndarray, categories: pd.Index) -> np.ndarray:
    """Ids of a categorical's ``codes`` as an object array of text (``None`` where empty).

    Each category is converted once, not once per row.
    """
    return np.append(np.asarray(categories, dtype=object), None)[codes]


def _codes_of(ids: pd.Series, categories: pd.Index) -> np.ndarray:
    """Position of each id among ``categories``; −2 for ids that are not there."""
    codes = categories.get_indexer(ids)
    return np.where(codes < 0, -2, codes)


def departures(feed: Feed, day: date, settings: StomlinjeSettings) -> pd.DataFrame:
    """Return every call of the trips running on ``day``.

    Output columns: ``trip_key`` (trip id, ``@start`` added for frequency runs), ``trip_id,
    route_id, direction_id`` (from the feed, else derived: :func:`_directions`)``, shape_id,
    trafikslag, stop_id, station_id, stop_sequence, tid_s``
    (departure, seconds after the service day's midnight), ``timme`` (``tid_s // 3600``,
    may exceed 23), ``avgang`` (bool: boarding possible and not the last stop).
    """
    active = feed.trips["service_id"].isin(active_services(feed, day)).to_numpy()
    st = feed.stop_times_of(active)  # only the running trips' calls are typed
    trip, stop = st["trip_id"].cat, st["stop_id"].cat
    # joined on the category codes; ids absent from the day's calls get −2, which no call has
    trips = feed.trips[active].assign(_trip=_codes_of(feed.trips["trip_id"][active],
                                                      trip.categories))
    trips = trips.merge(feed.routes[["route_id", "route_type"]], on="route_id")
    trip_codes, stop_codes = trip.codes.to_numpy(), stop.codes.to_numpy()
    last = np.r_[trip_codes[1:] != trip_codes[:-1], True]  # rows are sorted by trip
    calls = pd.DataFrame({
        "trip_id": pd.Series(_texts(trip_codes, trip.categories), dtype=object),
        "stop_id": pd.Series(_texts(stop_codes, stop.categories), dtype=object),
        "stop_sequence": st["stop_sequence"].to_numpy(),
        "tid_s": st["departure_s"].to_numpy("int64"),
        "avgang": (~last) & (st["pickup_type"].to_numpy() != 1),
        "_trip": trip_codes, "_stop": stop_codes,
    })
    calls = _expand_frequencies(calls, feed.frequencies)
    calls = calls.merge(trips[["_trip", "route_id", "direction_id", "shape_id", "route_type"]],
                        on="_trip")
    calls = calls.merge(feed.stops[["station_id"]].assign(
        _stop=_codes_of(feed.stops["stop_id"], stop.categories)), on="_stop")
    calls["trafikslag"] = trafikslag(calls["route_type"], settings)
    calls["timme"] = calls["tid_s"] // 3600
    calls["direction_id"] = _directions(calls)
    columns = ["trip_key", "trip_id", "route_id", "direction_id", "shape_id", "trafikslag",
               "stop_id", "station_id", "stop_sequence", "tid_s", "timme", "avgang"]
    if feed.frequencies.empty:  # in stop_times' order still: inner merges keep the left's
        return calls[columns]
    return calls[columns].sort_values(["trip_key", "stop_sequence"]).reset_index(drop=True)


def _window_min(hourly: pd.DataFrame, window: tuple[int, int]) -> pd.Series:
    """Smallest hourly count over the hours ``start ≤ h < end``."""
    return hourly[list(range(*window))].min(axis=1)


def window_counts(hourly: pd.DataFrame, settings: StomlinjeSettings) -> pd.DataFrame:
    """Counts per row of ``hourly`` in the windows: all day, ``day_hours`` and both peaks.

    Output columns: ``avgangar_dag, avgangar_dagtid, avgangar_topp_fm, avgangar_topp_em``.
    """
    out = pd.DataFrame({"avgangar_dag": hourly.sum(axis=1)}, index=hourly.index)
    for column, (start, end) in (("avgangar_dagtid", settings.day_hours),
                                 ("avgangar_topp_fm", settings.peak_am),
                                 ("avgangar_topp_em", settings.peak_pm)):
        out[column] = hourly[list(range(start, end))].sum(axis=1)
    return out


def rule_rank(hourly: pd.DataFrame, settings: StomlinjeSettings) -> pd.Series:
    """Index into :data:`CLASSES` of each row of ``hourly`` (trips per hour) by the rule.

    0 (``stark_stomlinje``): every hour of ``day_hours`` has ``min_per_hour`` and every hour
    of both peaks ``strong_per_hour``; 1 (``stomlinje``): the first only; 2 (``ovrig``).
    """
    meets = _window_min(hourly, settings.day_hours) >= settings.min_per_hour
    strong = meets & (
        (_window_min(hourly, settings.peak_am) >= settings.strong_per_hour)
        & (_window_min(hourly, settings.peak_pm) >= settings.strong_per_hour)
    )
    return pd.Series(np.where(strong, 0, np.where(meets, 1, 2)), index=hourly.index)


def best_class(classes: pd.Series) -> str:
    """Return the highest class among ``classes`` (stark_stomlinje > stomlinje > ovrig)."""
    return min(classes, key=CLASSES.index)


def joined_names(names: pd.Series) -> str:
    """Distinct line names, shortest first (``"62, 63, 351"``)."""
    return ", ".join(sorted(set(names), key=lambda v: (len(v), v)))


def main_mode(modes: pd.Series) -> str:
    """``tag`` when any rail is among ``modes``, else the most common mode."""
    return "tag" if (modes == "tag").any() else modes.mode().iloc[0]


def profile_text(hourly_row: np.ndarray) -> str:
    """Hour-of-day profile as 24 comma-separated counts (service hours ≥ 24 folded onto 0–23).

    Means over several days keep one decimal (``"0,1.5,2"``).
    """
    folded = np.zeros(HOURS_PER_DAY, dtype=float)
    np.add.at(folded, np.arange(len(hourly_row)) % HOURS_PER_DAY, hourly_row)
    return ",".join(f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}" for v in folded)
