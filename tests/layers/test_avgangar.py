"""Service day, departures and stomlinje classification on real feeds and the GTFS fixture."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from data_sources import gtfs, kommuner
from layers import avgangar, hallplatser, stomlinjer, trafikdag
from layers.settings import StomlinjeSettings

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

    stamp, weekday = day.strftime("%Y%m%d"), day.strftime("%A").lower()
    cal, cd = raw("calendar"), raw("calendar_dates")
    running = set(cal.loc[(cal["start_date"] <= stamp) & (cal["end_date"] >= stamp)
                          & (cal[weekday] == "1"), "service_id"])
    running |= set(cd.loc[(cd["date"] == stamp) & (cd["exception_type"] == "1"), "service_id"])
    running -= set(cd.loc[(cd["date"] == stamp) & (cd["exception_type"] == "2"), "service_id"])
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
def rail(data_dir: Path) -> gtfs.Feed:
    return gtfs.load_rail(data_dir)


@pytest.fixture(scope="module")
def fixture_feed() -> gtfs.Feed:
    return gtfs.parse(FIXTURE)


def _stats(feed: gtfs.Feed, day: date, settings: StomlinjeSettings = SETTINGS):
    deps = avgangar.departures(feed, day, settings)
    routes = avgangar.route_directions(deps, settings)
    return deps, routes, avgangar.station_stats(deps, routes, feed, settings)


def test_departures_per_station_match_an_independent_count(rail, data_dir: Path) -> None:
    expected = independent_departures(data_dir / gtfs.RAIL_DIR, DAY)
    _, _, stats = _stats(rail, DAY)
    ours = stats["avgangar_dag"].sort_index()
    assert len(expected) >= 15
    pd.testing.assert_series_equal(ours.astype("int64"), expected.astype("int64"),
                                   check_names=False, check_index_type=False)


def test_profile_sums_to_the_day_total(rail) -> None:
    _, _, stats = _stats(rail, DAY)
    sums = stats["profil"].map(lambda p: sum(int(v) for v in p.split(",")))
    assert (sums == stats["avgangar_dag"]).all()


def test_representative_day_is_the_busiest_tuesday(rail) -> None:
    day = trafikdag.representative_day(rail, weekday=1)
    assert day.weekday() == 1
    first, last = trafikdag.validity_window(rail)
    assert (first, last) == (date(2023, 6, 12), date(2024, 4, 8))
    busiest = len(trafikdag.active_services(rail, day))
    week_before = day.toordinal() - 7
    assert busiest >= len(trafikdag.active_services(rail, date.fromordinal(week_before)))
    assert trafikdag.service_day(rail, configured="2024-01-16", weekday=1) == date(2024, 1, 16)


def test_rail_is_always_stomlinje(rail) -> None:
    _, routes, _ = _stats(rail, DAY)
    assert (routes["trafikslag"] == "tag").all()
    assert set(routes["klass"]) <= {"stomlinje", "stark_stomlinje"}
    # every SJ route here is one train number: far below the bus rule, stomlinje anyway
    assert (routes["min_per_timme_dag"] == 0).all()


def test_sj_replacement_buses_follow_the_bus_rule(data_dir: Path) -> None:
    path = data_dir / "transport_osm/gtfs/sj_regional_national_2023.zip"
    feed = gtfs.parse(path)
    _, routes, _ = _stats(feed, BUS_DAY)
    bus_routes = set(feed.routes.loc[feed.routes["route_type"] == 700, "route_id"])
    buses = routes[routes["route_id"].isin(bus_routes)]
    active = feed.trips[feed.trips["service_id"].isin(trafikdag.active_services(feed, BUS_DAY))]
    trips_per_rd = active[active["route_id"].isin(bus_routes)].groupby(
        ["route_id", "direction_id"]).size()
    assert len(buses) == len(trips_per_rd) > 10
    assert (buses["trafikslag"] == "buss").all()
    hours_in_rule = SETTINGS.day_hours[1] - SETTINGS.day_hours[0]
    assert (trips_per_rd < hours_in_rule).all()  # too few trips to cover 06–20 …
    assert (buses["klass"] == "ovrig").all()  # … so none is stomlinje
    relaxed = replace(SETTINGS, min_per_hour=0.0, strong_per_hour=99.0)
    _, relaxed_routes, _ = _stats(feed, BUS_DAY, relaxed)
    assert (relaxed_routes.loc[relaxed_routes["route_id"].isin(bus_routes), "klass"]
            == "stomlinje").all()


def test_fixture_frequency_classes(fixture_feed) -> None:
    _, routes, _ = _stats(fixture_feed, FIXTURE_DAY)
    cls = routes.set_index(["route_id", "direction_id"])["klass"]
    trips = routes.set_index(["route_id", "direction_id"])["turer_dag"]
    assert trips[("F1", 0)] == 28 and trips[("F1", 1)] == 14  # frequencies.txt expanded
    assert cls[("F1", 0)] == "stark_stomlinje"  # 2/h all day
    assert cls[("F1", 1)] == "stomlinje"  # 1/h: meets the rule, not the peaks
    assert cls[("B2", 0)] == "ovrig"  # no departure in hour 19
    assert trips[("B2", 0)] == 13
    peaks = routes.set_index(["route_id", "direction_id"])
    assert peaks.loc[("F1", 0), ["avgangar_topp_fm", "avgangar_topp_em"]].tolist() == [6, 6]
    assert peaks.loc[("F1", 0), "avgangar_dagtid"] == 28


def test_fixture_after_midnight_and_platforms(fixture_feed) -> None:
    deps, _, stats = _stats(fixture_feed, FIXTURE_DAY)
    night = deps[deps["trip_id"] == "N3-1"]
    assert night["timme"].tolist() == [25, 25]
    profile = [int(v) for v in stats.loc["S1", "profil"].split(",")]
    assert profile[1] == 1  # 25:10 is 01:10 on the clock
    assert stats.loc["S1", "avgangar_dagtid"] == 28 + 13 + 1  # F1 runs at P1, B2, X5
    assert stats.loc["S1", "avgangar_dag"] == 28 + 13 + 1 + 1  # and the night trip
    assert "P1" not in stats.index  # counted at its parent station


def test_fixture_calendar_dates_removals_and_additions(fixture_feed) -> None:
    deps, _, _ = _stats(fixture_feed, FIXTURE_DAY)
    assert "R4-1" not in set(deps["trip_id"])  # service REM removed that date
    assert "X5-1" in set(deps["trip_id"])  # service EXTRA added that date
    week_later, _, _ = _stats(fixture_feed, date(2024, 1, 16))
    assert "R4-1" in set(week_later["trip_id"])
    assert "X5-1" not in set(week_later["trip_id"])


def test_hallplatser_has_every_varmland_station_with_departures(rail, data_dir: Path) -> None:
    region = kommuner.load(data_dir)
    region = region[region["kommunkod"].str.startswith("17")]
    dag = avgangar.analyse("gtfs_rail", rail, DAY, SETTINGS)
    layer = hallplatser.build(dag, kommuner=region, settings=SETTINGS)
    expected = independent_departures(data_dir / gtfs.RAIL_DIR, DAY)
    lan = gpd.read_file(data_dir / "admin/varmland_lan.geojson").to_crs(3006).union_all()
    stations = rail.stops.set_index("stop_id").loc[expected.index]
    in_varmland = stations[stations.within(lan)]
    assert len(in_varmland) >= 5
    assert set(layer["station_id"]) == set(in_varmland.index)
    assert layer.iloc[0]["namn"] == "Karlstad Centralstation"
    assert layer["avgangar_dag"].iloc[0] == expected.loc[in_varmland.index].max()
    assert layer.crs.to_epsg() == 3006
    assert (layer["datum"] == DAY.isoformat()).all()


def test_fixture_segments_without_shapes_are_schematic(fixture_feed) -> None:
    dag = avgangar.analyse("fixtur", fixture_feed, FIXTURE_DAY, SETTINGS)
    lines = stomlinjer.build(dag, region_stations=pd.Index(["S1", "S2", "S3"]))
    assert lines["schematisk"].all()
    by_pair = lines.set_index(["fran", "till"])
    # S1–S2: 28 + 14 F1 runs, the night trip N3 and X5; B2 runs S1–S3 directly
    assert by_pair.loc[("S1", "S2"), "turer_dag"] == 28 + 14 + 1 + 1
    assert by_pair.loc[("S1", "S3"), "turer_dag"] == 13
    assert by_pair.loc[("S1", "S2"), "klass"] == "stark_stomlinje"
    assert by_pair.loc[("S1", "S3"), "klass"] == "ovrig"
    assert (lines.geometry.length > 0).all()


def test_directions_are_derived_where_the_feed_has_none(data_dir: Path) -> None:
    """The 2025 GTFS Sverige 2 subset has no direction_id: trips are told apart by where they
    end, so opposite runs of a line are never added up as one route-direction."""
    feed = gtfs.parse(data_dir / "transport_osm/gtfs/varmland_rail_sverige2_subset_2025")
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
