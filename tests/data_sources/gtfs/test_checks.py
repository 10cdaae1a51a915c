"""GTFS reference checks: a broken reference names the file, the rows and the ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources import gtfs


def test_missing_stop_referenced_by_stop_times_is_named(rail_copy: Path, raw) -> None:
    stops = raw(rail_copy, "stops")
    used = raw(rail_copy, "stop_times")["stop_id"]
    victim = used.iloc[0]
    stops[stops["stop_id"] != victim].to_csv(rail_copy / "stops.txt", index=False)
    with pytest.raises(gtfs.GtfsReferenceError) as err:
        gtfs.parse(rail_copy)
    message = str(err.value)
    assert "stop_times.txt" in message and victim in message and "stops.txt" in message


def test_trip_without_service_is_named(rail_copy: Path, raw) -> None:
    trips = raw(rail_copy, "trips")
    trips.loc[3, "service_id"] = "999999"
    trips.to_csv(rail_copy / "trips.txt", index=False)
    with pytest.raises(gtfs.GtfsReferenceError) as err:
        gtfs.parse(rail_copy)
    message = str(err.value)
    assert "trips.txt" in message and "'999999'" in message and "row(s) 5" in message
    assert "calendar.txt or calendar_dates.txt" in message


def test_missing_parent_station_is_named(rail_copy: Path, raw) -> None:
    stops = raw(rail_copy, "stops")
    platform = stops[stops["parent_station"] != ""].iloc[0]
    stops.loc[stops["stop_id"] == platform["stop_id"], "parent_station"] = "123"
    stops.to_csv(rail_copy / "stops.txt", index=False)
    with pytest.raises(gtfs.GtfsReferenceError, match=r"parent_station '123'"):
        gtfs.parse(rail_copy)


def test_route_of_an_unknown_agency_is_named(rail_copy: Path, raw) -> None:
    routes = raw(rail_copy, "routes")
    routes.loc[2, "agency_id"] = "555"
    routes.to_csv(rail_copy / "routes.txt", index=False)
    with pytest.raises(gtfs.GtfsReferenceError, match=r"routes.txt: agency_id '555' in row\(s\) 4"
                       r" not found in agency.txt"):
        gtfs.parse(rail_copy)


def test_calls_of_a_trip_missing_from_trips_are_named(rail_copy: Path, raw) -> None:
    """stop_times rows whose trip_id trips.txt lacks: the id and its calls (trip#sequence)."""
    trips = raw(rail_copy, "trips")
    calls = raw(rail_copy, "stop_times")
    victim = trips["trip_id"].iloc[2]
    trips[trips["trip_id"] != victim].to_csv(rail_copy / "trips.txt", index=False)
    first = min(calls.loc[calls["trip_id"] == victim, "stop_sequence"].astype(int))
    with pytest.raises(gtfs.GtfsReferenceError) as err:
        gtfs.parse(rail_copy)
    message = str(err.value)
    assert message.startswith(f"{rail_copy}/stop_times.txt: trip_id '{victim}' in row(s) ")
    assert f"'{victim}#{first}'" in message and message.endswith("not found in trips.txt")
