"""Several timetables as one network: station keys, summed departures, duplicates once,
other periods reported apart — on the real feeds and the fixture derived from them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from data_sources import gtfs
from data_sources.gtfs.feed import RAIL_2025_DIR
from layers import hallplatser, tidtabeller
from layers.settings import StomlinjeSettings
from layers.stationsnyckel import normalise
from tests import gtfs_oracle

# Tågab's trips of the SJ feed in the GTFS Sverige 2 id scheme (gtfs_tagab_sverige2_fixture.md)
OTHER_SCHEME = Path(__file__).parents[1] / "fixtures" / "gtfs_tagab_sverige2_fixture.zip"
TAGAB = "393900000000000586"
FRIDAY = "2023-11-10"  # Tågab's Kristinehamn–Falun trains run on Fridays in autumn 2023
SETTINGS = StomlinjeSettings()


@pytest.fixture(scope="module")
def other_scheme() -> gtfs.Feed:
    return gtfs.parse(OTHER_SCHEME)


def _departures(feeds, register, day: str) -> pd.Series:
    settings = replace(SETTINGS, service_date=day)
    natdag = tidtabeller.merge(feeds, register, settings)
    return hallplatser.station_stats(natdag, settings)["avgangar_dag"]


def _without_tagab(feed: gtfs.Feed) -> gtfs.Feed:
    routes = feed.routes.loc[feed.routes["agency_id"] == TAGAB, "route_id"]
    trips = feed.trips[~feed.trips["route_id"].isin(routes)]
    return replace(feed, trips=trips)  # departures take calls of the feed's trips only


def test_the_fixture_holds_tagabs_trips_under_other_ids(rail, other_scheme) -> None:
    tagab = rail.trips[rail.trips["route_id"].isin(
        rail.routes.loc[rail.routes["agency_id"] == TAGAB, "route_id"])]
    assert len(other_scheme.trips) == len(tagab) == 77
    assert not set(other_scheme.stops["stop_id"]) & set(rail.stops["stop_id"])
    assert other_scheme.stops["parent_station"].isna().all()
    assert other_scheme.calendar.empty and other_scheme.trips["direction_id"].isna().all()


@pytest.mark.parametrize("day", [FRIDAY, "2023-11-07"])
def test_merging_the_other_scheme_gives_the_single_feeds_departures(rail, other_scheme,
                                                                    register, day) -> None:
    single = _departures([("sj", rail)], register, day)
    assert single.sum() > 100
    # the operators split over two feeds with different stop ids: stations matched, summed
    split = _departures([("sj", _without_tagab(rail)), ("tagab", other_scheme)], register, day)
    pd.testing.assert_series_equal(split.sort_index(), single.sort_index())
    # Tågab in both feeds: its trips are counted once
    both = _departures([("sj", rail), ("tagab", other_scheme)], register, day)
    pd.testing.assert_series_equal(both.sort_index(), single.sort_index())


def test_duplicates_are_reported_and_kept_from_the_first_feed(rail, other_scheme,
                                                              register) -> None:
    settings = replace(SETTINGS, service_date=FRIDAY)
    natdag = tidtabeller.merge([("sj", rail), ("tagab", other_scheme)], register, settings)
    reports = {f.flode: f for f in natdag.feeds}
    tagab_friday = natdag.deps.loc[natdag.deps["operator"] == "Tågab", "trip_id"].nunique()
    assert tagab_friday > 0
    assert reports["tagab"].dubbletter == tagab_friday and reports["tagab"].turer == 0
    assert reports["sj"].dubbletter == 0 and "Tågab" in reports["sj"].i_trafik
    # the other way round the fixture's copies are kept and SJ's dropped
    swapped = tidtabeller.merge([("tagab", other_scheme), ("sj", rail)], register, settings)
    assert {f.flode: f.dubbletter for f in swapped.feeds}["sj"] == tagab_friday


def test_a_feed_of_another_period_is_reported_not_mixed_in(rail, register,
                                                           data_dir: Path) -> None:
    sverige2 = gtfs.load_rail_2025(data_dir)
    natdag = tidtabeller.merge([("sj", rail), ("sverige2", sverige2)], register, SETTINGS)
    reports = {f.flode: f for f in natdag.feeds}
    assert natdag.dag.days[0].isoformat() == "2023-11-07"
    assert reports["sj"].anvand and not reports["sverige2"].anvand
    first, last = gtfs_oracle.validity_window(data_dir / RAIL_2025_DIR)  # raw calendar
    assert (reports["sverige2"].giltig_fran, reports["sverige2"].giltig_till) == (first, last)
    assert f"{first.isoformat()}–{last.isoformat()}" in reports["sverige2"].orsak
    assert set(natdag.deps["flode"]) == {"sj"}
    # its stations are still known, under the common key
    karlstad = natdag.stations.loc["tv:Ks"]
    assert karlstad["floden"] == "sj, sverige2"
    # a day of its own period uses it, and leaves the 2023 feed out
    later = tidtabeller.merge([("sj", rail), ("sverige2", sverige2)], register,
                              replace(SETTINGS, service_date="2025-06-10"))
    assert later.used == ("sverige2",)


def test_stations_of_both_schemes_share_trafikverkets_key(rail, register,
                                                          data_dir: Path) -> None:
    sverige2 = gtfs.load_rail_2025(data_dir)
    keys = tidtabeller.merge([("sj", rail), ("sverige2", sverige2)], register,
                             SETTINGS).stations
    for name in ("Karlstad Centralstation", "Kil station", "Grums station", "Säffle station"):
        sj_ids = rail.stops.loc[rail.stops["stop_name"] == name, "station_id"].unique()
        s2_ids = sverige2.stops.loc[sverige2.stops["stop_name"] == name, "station_id"].unique()
        assert len(sj_ids) == len(s2_ids) == 1 and sj_ids[0] != s2_ids[0]
        row = keys[keys["namn"] == name]
        assert len(row) == 1 and row.index[0].startswith("tv:")
        assert normalise(register.set_index("signatur").loc[row.index[0][3:], "namn"]) == \
            normalise(name)


def test_average_weekday_counts_means_over_the_month(rail, register) -> None:
    settings = replace(SETTINGS, average_month="2023-11")
    natdag = tidtabeller.merge([("sj", rail)], register, settings)
    assert natdag.dag.label_sv == "medel tis–tors 2023-11 (14 dagar)"
    days = [d.isoformat() for d in natdag.dag.days]
    per_day = [_departures([("sj", rail)], register, d) for d in days]
    expected = pd.concat(per_day, axis=1).fillna(0).mean(axis=1)
    ours = hallplatser.station_stats(natdag, settings)["avgangar_dag"]
    pd.testing.assert_series_equal(ours.sort_index(), expected.sort_index(), check_names=False)
