"""GTFS per-table typing: stations, times, frequencies, calendars; bad rows are named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from data_sources import gtfs
from data_sources.errors import DataError, MissingDataError

# A marked GTFS fixture, zipped as Trafiklab publishes feeds (see gtfs_buss_fixture.md).
FIXTURE = Path(__file__).parents[2] / "fixtures" / "gtfs_buss_fixture.zip"


def test_platforms_point_to_their_station(data_dir: Path) -> None:
    stops = gtfs.load_rail(data_dir).stops.set_index("stop_id")
    karlstad = stops[stops["stop_name"] == "Karlstad Centralstation"]
    assert (karlstad["location_type"] == 1).sum() == 1
    station_id = karlstad.index[karlstad["location_type"] == 1][0]
    platforms = stops[stops["parent_station"] == station_id]
    assert len(platforms) >= 1
    assert (platforms["station_id"] == station_id).all()


def test_bad_time_names_row(rail_copy: Path, raw) -> None:
    st = raw(rail_copy, "stop_times")
    st.loc[10, "departure_time"] = "7.15"
    st.to_csv(rail_copy / "stop_times.txt", index=False)
    with pytest.raises(DataError, match=r"departure_time.*'7\.15'.*row\(s\) 12"):
        gtfs.parse(rail_copy)


def test_feed_without_calendar_is_missing_data(rail_copy: Path) -> None:
    (rail_copy / "calendar.txt").unlink()
    (rail_copy / "calendar_dates.txt").unlink()
    with pytest.raises(MissingDataError, match="calendar or calendar_dates"):
        gtfs.parse(rail_copy)


def test_fixture_frequencies_and_after_midnight_times() -> None:
    feed = gtfs.parse(FIXTURE)
    assert set(feed.frequencies["trip_id"]) == {"F1-0", "F1-1"}
    night = feed.stop_times[feed.stop_times["trip_id"] == "N3-1"]
    assert night["departure_s"].tolist() == [25 * 3600 + 10 * 60, 25 * 3600 + 30 * 60]


def test_repeated_stop_sequence_is_named_not_counted_twice(rail_copy: Path, raw) -> None:
    st = raw(rail_copy, "stop_times")
    pd.concat([st, st.iloc[[5]]]).to_csv(rail_copy / "stop_times.txt", index=False)
    with pytest.raises(DataError, match=r"\(trip_id, stop_sequence\) must be unique.*row\(s\) 7"):
        gtfs.parse(rail_copy)


def test_nodes_and_boarding_areas_without_coordinates_are_left_out(rail_copy: Path, raw) -> None:
    stops = raw(rail_copy, "stops")
    station = stops[stops["location_type"] == "1"].iloc[0]["stop_id"]
    extra = pd.DataFrame([{**dict.fromkeys(stops.columns, ""), "stop_id": "NODE1",
                           "stop_name": "Gångväg", "location_type": "3",
                           "parent_station": station}])
    pd.concat([stops, extra]).to_csv(rail_copy / "stops.txt", index=False)
    feed = gtfs.parse(rail_copy)
    assert "NODE1" not in set(feed.stops["stop_id"]) and len(feed.stops) == 72


def test_agencies_are_the_operators_of_agency_txt(data_dir: Path, raw) -> None:
    feed = gtfs.load_rail(data_dir)
    expected = raw(data_dir / gtfs.RAIL_DIR, "agency")
    assert feed.agency.to_dict("records") == expected[["agency_id", "agency_name"]].to_dict(
        "records")
    assert set(feed.agency["agency_name"]) == {"SJ AB", "Tågab"}


def test_a_feed_without_agency_txt_has_no_operators(rail_copy: Path) -> None:
    (rail_copy / "agency.txt").unlink()
    feed = gtfs.parse(rail_copy)
    assert feed.agency.empty and list(feed.agency.columns) == ["agency_id", "agency_name"]


def test_a_weekday_flag_other_than_0_or_1_names_its_row(rail_copy: Path, raw) -> None:
    """GTFS weekday flags are 0 or 1; a 2 is an error naming the row, not read as "runs"
    (trafikdag.activity may then test ``flag == 1`` or ``>= 1`` alike; see
    scripts/mutation_report.md). The rail feed's calendar.txt rows all have flags 0."""
    calendar = raw(rail_copy, "calendar")
    assert len(calendar) >= 2 and set(calendar["tuesday"].astype(str)) == {"0"}
    calendar.loc[1, "tuesday"] = "2"
    calendar.to_csv(rail_copy / "calendar.txt", index=False)
    with pytest.raises(DataError, match=r"calendar\.txt: weekday flags .* must be 0 or 1 in "
                                        r"row\(s\) 3$"):
        gtfs.parse(rail_copy)
