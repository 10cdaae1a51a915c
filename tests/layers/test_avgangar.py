"""Service day, departures and the stomlinje rule on real feeds and the GTFS fixture."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from shapely.geometry import Point

from data_sources import gtfs
from data_sources.errors import DataError
from layers import avgangar, hallplatser, korridorer, tidtabeller, trafikdag
from layers.settings import StomlinjeSettings
from tests import gtfs_oracle

DAY = date(2023, 11, 7)  # a Tuesday in the densest part of the 2023 feed
BUS_DAY = date(2023, 11, 21)  # a Tuesday with SJ replacement buses in the national feed
# A marked GTFS fixture, zipped as Trafiklab publishes feeds (see gtfs_buss_fixture.md).
FIXTURE = Path(__file__).parents[1] / "fixtures" / "gtfs_buss_fixture.zip"
FIXTURE_DAY = date(2024, 1, 9)
SETTINGS = StomlinjeSettings()


def independent_departures(folder: Path, day: date) -> pd.Series:
    """Departures per station on ``day`` counted from the raw files with plain pandas."""
    def raw(table: str) -> pd.DataFrame:
        return pd.read_csv(folder / f"{table}.txt", dtype=str, keep_default_na=False)

    running = gtfs_oracle.running_services(folder, day)
    trips = raw("trips")
    st = raw("stop_times")
    st = st[st["trip_id"].isin(trips.loc[trips["service_id"].isin(running), "trip_id"])].copy()
    st["seq"] = st["stop_sequence"].astype(int)
    last = st["seq"] == st.groupby("trip_id")["seq"].transform("max")
    departing = st[~last & (st["pickup_type"] != "1")]
    stops = raw("stops")
    station = dict(zip(stops["stop_id"], stops["parent_station"].where(
        stops["parent_station"] != "", stops["stop_id"]), strict=True))
    return departing["stop_id"].map(station).value_counts().sort_index()


@pytest.fixture(scope="module")
def fixture_feed() -> gtfs.Feed:
    return gtfs.parse(FIXTURE)


def _network(feed: gtfs.Feed, register, settings: StomlinjeSettings) -> tidtabeller.Natdag:
    return tidtabeller.merge([("flode", feed)], register, settings)


def _by_feed_station(natdag: tidtabeller.Natdag, stats: pd.DataFrame) -> pd.Series:
    """Departures per day re-indexed by the feed's own station ids."""
    key_of = natdag.deps.drop_duplicates("station_id").set_index("station_id")["nyckel"]
    return key_of.map(stats["avgangar_dag"]).sort_index()


def test_departures_per_station_match_an_independent_count(rail, register,
                                                            data_dir: Path) -> None:
    expected = independent_departures(data_dir / gtfs.RAIL_DIR, DAY)
    natdag = _network(rail, register, replace(SETTINGS, service_date=DAY.isoformat()))
    ours = _by_feed_station(natdag, hallplatser.station_stats(natdag, SETTINGS))
    ours = ours[ours > 0]
    assert len(expected) >= 15
    pd.testing.assert_series_equal(ours.astype("int64"), expected.astype("int64"),
                                   check_names=False, check_index_type=False)
    karlstad = rail.stops.set_index("stop_name").loc["Karlstad Centralstation"]
    karlstad = karlstad[karlstad["location_type"] == 1]["stop_id"].iloc[0]
    assert ours[karlstad] == expected[karlstad] == 22


def test_profile_sums_to_the_day_total(rail, register) -> None:
    natdag = _network(rail, register, SETTINGS)
    stats = hallplatser.station_stats(natdag, SETTINGS)
    sums = stats["profil"].map(lambda p: sum(float(v) for v in p.split(",")))
    assert (sums == stats["avgangar_dag"]).all()


def test_representative_day_is_the_busiest_tuesday(rail) -> None:
    """The day has the most running services of every Tuesday of the feed (earliest on ties),
    all counted from the raw calendar tables by the brute-force rule of tests/gtfs_oracle."""
    folder = Path(rail.path)
    day = trafikdag.representative_day(rail, weekday=1)
    first, last = gtfs_oracle.validity_window(folder)
    assert trafikdag.validity_window(rail) == (first, last)
    tuesdays = gtfs_oracle.days_between(first, last, weekday=1)
    running = {d: len(gtfs_oracle.running_services(folder, d)) for d in tuesdays}
    most = max(running.values())
    assert day == min(d for d, n in running.items() if n == most)
    assert len(trafikdag.active_services(rail, day)) == most
    assert trafikdag.service_day(rail, configured="2024-01-16", weekday=1) == date(2024, 1, 16)
    assert trafikdag.common_day([rail], weekday=1) == day


def test_rail_is_always_stomlinje(rail, register) -> None:
    natdag = _network(rail, register, SETTINGS)
    segments = korridorer.segment_table(korridorer.corridors(natdag, None, SETTINGS), SETTINGS)
    assert (segments["trafikslag"] == "tag").all()
    assert set(segments["klass"]) <= {"stomlinje", "stark_stomlinje"}
    # far below the bus rule in some hour of 06–20, stomlinje anyway
    assert (segments["turer_dagtid"] < 2 * 14).all()


def test_sj_replacement_buses_follow_the_bus_rule(data_dir: Path, register) -> None:
    feed = gtfs.parse(data_dir / "transport_osm/gtfs/sj_regional_national_2023.zip")
    settings = replace(SETTINGS, service_date=BUS_DAY.isoformat())
    natdag = _network(feed, register, settings)
    segments = korridorer.segment_table(korridorer.corridors(natdag, None, settings), settings)
    buses = segments[segments["trafikslag"] == "buss"]
    active = feed.trips[feed.trips["service_id"].isin(trafikdag.active_services(feed, BUS_DAY))]
    bus_routes = set(feed.routes.loc[feed.routes["route_type"] == 700, "route_id"])
    assert active["route_id"].isin(bus_routes).sum() > 10
    assert len(buses) >= 5
    hours_in_rule = SETTINGS.day_hours[1] - SETTINGS.day_hours[0]
    assert (buses["turer_dagtid"] < 2 * hours_in_rule).all()  # too few to cover 06–20 …
    assert (buses["klass"] == "ovrig").all()  # … so none is stomlinje
    relaxed = replace(settings, min_per_hour=0.0, strong_per_hour=99.0)
    relaxed_segments = korridorer.segment_table(korridorer.corridors(natdag, None, relaxed),
                                                relaxed)
    assert (relaxed_segments.loc[relaxed_segments["trafikslag"] == "buss", "klass"]
            == "stomlinje").all()


def test_fixture_corridor_classes_and_frequencies(fixture_feed, register) -> None:
    settings = replace(SETTINGS, service_date=FIXTURE_DAY.isoformat())
    natdag = _network(fixture_feed, register, settings)
    k = korridorer.corridors(natdag, None, settings)
    table = korridorer.segment_table(k, settings).set_index(["fran", "till"])
    s1, s2, s3 = "flode:S1", "flode:S2", "flode:S3"
    # S1–S2: 28 + 14 runs of F1 (frequencies.txt expanded), the night trip N3 and X5
    assert table.loc[(s1, s2), "turer_dag"] == 28 + 14 + 1 + 1
    assert table.loc[(s1, s3), "turer_dag"] == 13  # B2 runs S1–S3 directly
    assert table.loc[(s2, s3), "turer_dag"] == 28 + 14
    # towards S2 2/h all day, back 1/h: the weaker direction decides …
    assert table.loc[(s1, s2), "klass"] == "stomlinje"
    assert table.loc[(s1, s3), "klass"] == "ovrig"  # no B2 in hour 19
    assert table.loc[(s1, s2), ["turer_topp_fm", "turer_topp_em"]].tolist() == [9, 9]
    # … unless the rule adds both directions up (3/h in every peak hour)
    summed = replace(settings, each_direction=False)
    table = korridorer.segment_table(korridorer.corridors(natdag, None, summed), summed)
    assert table.set_index(["fran", "till"]).loc[(s1, s2), "klass"] == "stark_stomlinje"


def test_fixture_after_midnight_and_platforms(fixture_feed, register) -> None:
    natdag = _network(fixture_feed, register,
                      replace(SETTINGS, service_date=FIXTURE_DAY.isoformat()))
    night = natdag.deps[natdag.deps["trip_id"] == "N3-1"]
    assert night["timme"].tolist() == [25, 25]
    stats = hallplatser.station_stats(natdag, SETTINGS)
    profile = [float(v) for v in stats.loc["flode:S1", "profil"].split(",")]
    assert profile[1] == 1  # 25:10 is 01:10 on the clock
    assert stats.loc["flode:S1", "avgangar_dagtid"] == 28 + 13 + 1  # F1 runs at P1, B2, X5
    assert stats.loc["flode:S1", "avgangar_dag"] == 28 + 13 + 1 + 1  # and the night trip
    assert "flode:P1" not in stats.index  # counted at its parent station


def test_fixture_calendar_dates_removals_and_additions(fixture_feed) -> None:
    deps = avgangar.departures(fixture_feed, FIXTURE_DAY, SETTINGS)
    assert "R4-1" not in set(deps["trip_id"])  # service REM removed that date
    assert "X5-1" in set(deps["trip_id"])  # service EXTRA added that date
    week_later = avgangar.departures(fixture_feed, date(2024, 1, 16), SETTINGS)
    assert "R4-1" in set(week_later["trip_id"])
    assert "X5-1" not in set(week_later["trip_id"])


def test_fixture_segments_without_shapes_are_schematic(fixture_feed, register) -> None:
    settings = replace(SETTINGS, service_date=FIXTURE_DAY.isoformat())
    natdag = _network(fixture_feed, register, settings)
    k = korridorer.corridors(natdag, None, settings)
    assert (k.geometry["geometri"] == "rak").all()
    assert (k.geometry.geometry.length > 0).all()


def test_directions_are_derived_where_the_feed_has_none(data_dir: Path) -> None:
    """The 2025 GTFS Sverige 2 subset has no direction_id: trips are told apart by where they
    end, so opposite runs of a line are never added up as one route-direction."""
    feed = gtfs.load_rail_2025(data_dir)
    assert feed.trips["direction_id"].isna().all()
    day = trafikdag.representative_day(feed, weekday=1)
    deps = avgangar.departures(feed, day, SETTINGS)
    assert deps["direction_id"].notna().all()
    assert (deps["direction_id"] >= avgangar.DERIVED_DIRECTION_BASE).all()
    ends = deps.sort_values("stop_sequence").groupby("trip_key").agg(
        route=("route_id", "first"), direction=("direction_id", "first"),
        terminus=("station_id", "last"))
    assert (ends.groupby(["route", "direction"])["terminus"].nunique() == 1).all()
    assert (ends.groupby(["route", "terminus"])["direction"].nunique() == 1).all()


def test_an_average_month_needs_a_month_and_its_weekdays() -> None:
    dag = trafikdag.period_days("2024-02", (1, 2, 3))
    assert len(dag.days) == 13 and all(d.weekday() in (1, 2, 3) for d in dag.days)
    assert dag.average and dag.label_en == "mean Tue–Thu 2024-02 (13 days)"
    with pytest.raises(DataError, match="average_month.*'2024-13'"):
        trafikdag.period_days("2024-13", (1,))


def test_bus_lines_follow_real_shapes(fixture_feed, register) -> None:
    """A shape with points between two stops (as a bus feed has) draws the segment along it;
    the fixture's stops S1 and S2 get a shape bending through a point between them."""
    stops = fixture_feed.stops.set_index("stop_id").geometry
    s1, s2 = stops["S1"], stops["S2"]
    bend = ((s1.x + s2.x) / 2 + 300.0, (s1.y + s2.y) / 2)
    shapes = pd.DataFrame({"shape_id": ["SH"] * 3, "shape_pt_sequence": [1, 2, 3],
                           "x": [s1.x, bend[0], s2.x], "y": [s1.y, bend[1], s2.y]})
    trips = fixture_feed.trips.assign(shape_id=fixture_feed.trips["shape_id"].where(
        fixture_feed.trips["trip_id"] != "X5-1", "SH"))
    feed = replace(fixture_feed, shapes=shapes, trips=trips)
    settings = replace(SETTINGS, service_date=FIXTURE_DAY.isoformat())
    k = korridorer.corridors(_network(feed, register, settings), None, settings)
    drawn = k.geometry.set_index(["fran", "till"])
    assert drawn.loc[("flode:S1", "flode:S2"), "geometri"] == "shapes"
    course = drawn.loc[("flode:S1", "flode:S2")].geometry
    assert course.distance(Point(bend)) < 1 and course.length > s1.distance(s2)
    assert drawn.loc[("flode:S1", "flode:S3"), "geometri"] == "rak"


@pytest.mark.parametrize("which", ["rail", "fixture"])
def test_departures_are_in_trip_then_sequence_order(which: str, rail, fixture_feed) -> None:
    """Calls come sorted by trip (text order) and stop_sequence, with or without frequency
    runs, and only a trip's last call is never a departure (the rail feed has no
    frequencies.txt; the fixture does)."""
    feed, day = (rail, DAY) if which == "rail" else (fixture_feed, FIXTURE_DAY)
    deps = avgangar.departures(feed, day, SETTINGS)
    keys = list(zip(deps["trip_key"], deps["stop_sequence"], strict=True))
    assert len(keys) > 100 and keys == sorted(keys)
    last = ~deps["trip_key"].duplicated(keep="last")
    assert not deps.loc[last, "avgang"].any()
