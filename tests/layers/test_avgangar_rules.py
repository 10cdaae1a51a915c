"""Fast rule tests of :mod:`layers.avgangar` on small hand-written feeds and hourly tables.

The feeds are GTFS text written in the test and read by the real parser
(:func:`tests.gtfs_text.write_feed`); every expected row, count and class below is worked
out by hand from that text and the settings. No conftest fixture, no real-data build: these
are the tests ``make mutate`` runs against each mutant of the module.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from layers import avgangar
from layers.settings import StomlinjeSettings
from tests.gtfs_text import write_feed

SETTINGS = StomlinjeSettings()  # day 06–20, peaks 06–09 and 15–18, 1/h and 2/h
TUESDAY, MONDAY = date(2024, 1, 9), date(2024, 1, 8)
COLUMNS = ["trip_key", "trip_id", "route_id", "direction_id", "shape_id", "trafikslag",
           "stop_id", "station_id", "stop_sequence", "tid_s", "timme", "avgang"]

STOPS = """
    stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station
    S1,Station Ett,59.40,13.50,1,
    P1,Spår 1,59.40,13.50,0,S1
    P2,Spår 2,59.40,13.51,0,S1
    A,Hållplats A,59.41,13.52,0,
    B,Hållplats B,59.42,13.54,0,
    C,Hållplats C,59.43,13.55,0,
    E,Hållplats E,59.44,13.56,0,
"""
ROUTES = """
    route_id,agency_id,route_short_name,route_long_name,route_type
    BUS,,1,Buss ett,3
    TAG,,T,Tåg,2
    FARJA,,F,Färja,4
"""
# WK runs Monday to Friday, MON on Mondays only; 2024-01-09 is a Tuesday
CALENDAR = """
    service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
    WK,1,1,1,1,1,0,0,20240101,20241231
    MON,1,0,0,0,0,0,0,20240101,20241231
"""


@pytest.fixture
def plain(tmp_path: Path):
    """Directions given, no frequencies: a bus each way (one after midnight), a train, a
    Monday ferry and a trip without calls."""
    return write_feed(tmp_path, {
        "stops": STOPS, "routes": ROUTES, "calendar": CALENDAR,
        "trips": """
            route_id,service_id,trip_id,direction_id,shape_id
            BUS,WK,b1,0,sh1
            BUS,WK,b2,1,sh2
            TAG,WK,t1,0,sh3
            FARJA,MON,m1,1,sh4
            BUS,WK,tom,0,sh1
        """,
        "stop_times": """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type
            b1,06:00:00,06:00:00,A,1,0,0
            b1,06:10:00,06:11:00,P1,2,1,0
            b1,06:20:00,06:20:00,B,3,0,0
            b2,23:50:00,23:50:00,B,1,0,0
            b2,24:10:00,24:10:00,A,2,0,0
            t1,07:00:00,07:00:00,P2,5,3,0
            t1,07:59:59,07:59:59,B,9,,
            m1,08:00:00,08:00:00,A,1,0,0
            m1,08:30:00,08:30:00,B,2,0,0
        """,
    })


PLAIN_TUESDAY = [
    # departure seconds: 06:00 = 21 600; the train's first stop has pickup_type 3 (by
    # arrangement), still boarding; the bus's P1 has pickup_type 1 (no boarding)
    ("b1", "b1", "BUS", 0, "sh1", "buss", "A", "A", 1, 21_600, 6, True),
    ("b1", "b1", "BUS", 0, "sh1", "buss", "P1", "S1", 2, 22_260, 6, False),
    ("b1", "b1", "BUS", 0, "sh1", "buss", "B", "B", 3, 22_800, 6, False),
    ("b2", "b2", "BUS", 1, "sh2", "buss", "B", "B", 1, 85_800, 23, True),
    ("b2", "b2", "BUS", 1, "sh2", "buss", "A", "A", 2, 87_000, 24, False),
    ("t1", "t1", "TAG", 0, "sh3", "tag", "P2", "S1", 5, 25_200, 7, True),
    ("t1", "t1", "TAG", 0, "sh3", "tag", "B", "B", 9, 28_799, 7, False),  # 07:59:59
]
FERRY = [("m1", "m1", "FARJA", 1, "sh4", "ovrigt", "A", "A", 1, 28_800, 8, True),
         ("m1", "m1", "FARJA", 1, "sh4", "ovrigt", "B", "B", 2, 30_600, 8, False)]


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """The rows of a departures frame as plain tuples, in its order."""
    assert list(frame.columns) == COLUMNS
    return [tuple(v.item() if isinstance(v, np.generic) else v for v in row)
            for row in frame.itertuples(index=False, name=None)]


def test_departures_are_the_running_trips_calls_with_boarding_and_last_stop_rules(plain):
    """Guards the day's trips, the after-midnight hours, stations from parents, the modes and
    ``avgang`` (bug: the last stop or a no-pickup stop counted as a departure)."""
    out = avgangar.departures(plain, TUESDAY, SETTINGS)
    assert _rows(out) == PLAIN_TUESDAY
    assert list(out.index) == list(range(len(PLAIN_TUESDAY)))
    assert str(out["direction_id"].dtype) == "Int64"


def test_a_service_of_another_weekday_runs_on_its_own_day_only(plain):
    """Guards the service filter: the Monday ferry runs on Monday, with the weekday trips."""
    assert _rows(avgangar.departures(plain, MONDAY, SETTINGS)) == PLAIN_TUESDAY[:5] + FERRY \
        + PLAIN_TUESDAY[5:]


def test_a_day_without_service_has_no_departures(plain):
    """Guards the empty day (a Saturday: neither service runs)."""
    out = avgangar.departures(plain, date(2024, 1, 13), SETTINGS)
    assert list(out.columns) == COLUMNS and out.empty


@pytest.fixture
def frequent(tmp_path: Path):
    """A frequency-based bus (two windows; end times exclusive) beside an ordinary one; the
    Monday ferry has a frequency window too."""
    return write_feed(tmp_path, {
        "stops": STOPS, "routes": ROUTES, "calendar": CALENDAR,
        "trips": """
            route_id,service_id,trip_id,direction_id,shape_id
            BUS,WK,g1,1,sh1
            BUS,WK,f1,0,sh2
            FARJA,MON,m1,1,sh4
        """,
        "stop_times": """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type
            f1,00:09:00,00:10:00,A,1,0,0
            f1,00:25:00,00:25:00,B,2,0,0
            g1,09:00:00,09:00:00,B,1,0,0
            g1,09:05:00,09:05:00,P1,2,0,0
            m1,08:00:00,08:00:00,A,1,0,0
            m1,08:30:00,08:30:00,B,2,0,0
        """,
        "frequencies": """
            trip_id,start_time,end_time,headway_secs
            f1,06:00:00,07:00:00,1800
            f1,10:00:00,10:20:00,600
            m1,12:00:00,13:00:00,3600
        """,
    })


def _run(start: int) -> list[tuple]:
    """The two calls of one run of ``f1`` starting at ``start`` s (B 15 min after A's
    departure, as in the template: 00:10 → 00:25; a template's times are offsets from its
    first departure, never taken modulo it)."""
    key = f"f1@{start}"
    return [(key, "f1", "BUS", 0, "sh2", "buss", "A", "A", 1, start, start // 3600, True),
            (key, "f1", "BUS", 0, "sh2", "buss", "B", "B", 2, start + 900, start // 3600,
             False)]


G1 = [("g1", "g1", "BUS", 1, "sh1", "buss", "B", "B", 1, 32_400, 9, True),
      ("g1", "g1", "BUS", 1, "sh1", "buss", "P1", "S1", 2, 32_700, 9, False)]


def test_frequency_trips_become_one_trip_per_run_in_trip_order(frequent):
    """Guards the expansion of ``frequencies.txt``: runs every headway from the start, the
    end excluded (06:00, 06:30; 10:00, 10:10), times shifted from the template's first
    departure, keys ``id@start``, rows sorted by trip key then sequence and renumbered."""
    out = avgangar.departures(frequent, TUESDAY, SETTINGS)
    runs = [*_run(21_600), *_run(23_400), *_run(36_000), *_run(36_600)]
    assert _rows(out) == [*runs, *G1]  # "f1@21600" < … < "f1@36600" < "g1"
    assert list(out.index) == list(range(10))


def test_frequency_windows_of_a_service_not_running_leave_the_day_as_it_is(tmp_path: Path):
    """Guards a frequencies table whose trips all rest on the day: ordinary trips stay."""
    feed = write_feed(tmp_path, {
        "stops": STOPS, "routes": ROUTES, "calendar": CALENDAR,
        "trips": "route_id,service_id,trip_id,direction_id,shape_id\n"
                 "BUS,WK,g1,1,sh1\nFARJA,MON,m1,1,sh4",
        "stop_times": """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type
            g1,09:00:00,09:00:00,B,1,0,0
            g1,09:05:00,09:05:00,P1,2,0,0
            m1,08:00:00,08:00:00,A,1,0,0
            m1,08:30:00,08:30:00,B,2,0,0
        """,
        "frequencies": "trip_id,start_time,end_time,headway_secs\nm1,12:00:00,13:00:00,3600",
    })
    assert _rows(avgangar.departures(feed, TUESDAY, SETTINGS)) == G1
    monday = avgangar.departures(feed, MONDAY, SETTINGS)
    assert _rows(monday) == G1 + [
        ("m1@43200", "m1", "FARJA", 1, "sh4", "ovrigt", "A", "A", 1, 43_200, 12, True),
        ("m1@43200", "m1", "FARJA", 1, "sh4", "ovrigt", "B", "B", 2, 45_000, 12, False)]


def test_missing_directions_are_derived_from_each_routes_termini(tmp_path: Path):
    """Guards :func:`avgangar._directions`: a trip without ``direction_id`` gets 100 + the
    index of its last station among its route's termini (sorted); a given one is kept."""
    feed = write_feed(tmp_path, {
        "stops": STOPS, "routes": ROUTES, "calendar": CALENDAR,
        "trips": """
            route_id,service_id,trip_id,direction_id,shape_id
            BUS,WK,d1,,sh1
            BUS,WK,d2,,sh1
            BUS,WK,d3,,sh1
            BUS,WK,d4,0,sh1
            TAG,WK,d5,,sh1
            BUS,WK,d6,,sh1
            BUS,WK,d7,,sh1
        """,
        # d1 ends at platform P1 and d3 at P2, both of station S1; the file lists d1's
        # calls out of sequence order, so its last stop is P1, not A
        "stop_times": """
            trip_id,arrival_time,departure_time,stop_id,stop_sequence
            d1,06:10:00,06:10:00,P1,2
            d1,06:00:00,06:00:00,A,1
            d2,07:00:00,07:00:00,S1,1
            d2,07:10:00,07:10:00,A,2
            d3,08:00:00,08:00:00,B,1
            d3,08:10:00,08:10:00,P2,2
            d4,09:00:00,09:00:00,A,1
            d4,09:10:00,09:10:00,B,2
            d5,10:00:00,10:00:00,A,1
            d5,10:10:00,10:10:00,B,2
            d6,11:00:00,11:00:00,A,1
            d6,11:10:00,11:10:00,C,2
            d7,12:00:00,12:00:00,A,1
            d7,12:10:00,12:10:00,E,2
        """,
    })
    out = avgangar.departures(feed, TUESDAY, SETTINGS)
    # BUS termini sorted: A (d2) → 100, B (d4, given 0 and kept) → 101, C (d6) → 102,
    # E (d7) → 103, S1 (d1, d3) → 104 (added to the base, not or-ed: 100 | 4 is 100);
    # TAG's only terminus B → 100
    by_trip = out.groupby("trip_key")["direction_id"].agg(lambda s: sorted(set(s)))
    assert by_trip.to_dict() == {"d1": [104], "d2": [100], "d3": [104], "d4": [0],
                                 "d5": [100], "d6": [102], "d7": [103]}
    assert str(out["direction_id"].dtype) == "Int64"


def test_trafikslag_maps_route_types_by_the_bus_and_rail_ranges():
    """Guards the inclusive ranges: rail 2 and 100–199, bus 3, 200–299 and 700–799; a rail
    range in the settings wins over the bus ranges; the index is kept."""
    types = pd.Series([2, 100, 199, 3, 200, 299, 700, 799, 1, 4, 99, 300, 699, 800, 1100],
                      index=range(10, 25))
    assert avgangar.trafikslag(types, SETTINGS).to_dict() == dict(zip(range(10, 25), [
        "tag", "tag", "tag", "buss", "buss", "buss", "buss", "buss", "ovrigt", "ovrigt",
        "ovrigt", "ovrigt", "ovrigt", "ovrigt", "ovrigt"], strict=True))
    local = StomlinjeSettings(rail_route_types=((3, 3), (900, 900)))
    assert avgangar.trafikslag(pd.Series([3, 2, 900, 700]), local).tolist() == [
        "tag", "ovrigt", "tag", "buss"]


def _hourly(rows: dict[str, dict[int, float]], base: float = 2.0, hours: int = 26) -> pd.DataFrame:
    """Trips per hour (columns 0 … ``hours`` − 1): ``base`` everywhere but the given hours."""
    return pd.DataFrame([[changes.get(h, base) for h in range(hours)] for changes in
                         rows.values()], index=list(rows), columns=range(hours))


def test_window_counts_add_up_each_window_with_its_end_hour_excluded():
    """Guards the windows: all hours (after midnight too), 06–20, 06–09 and 15–18."""
    hourly = pd.DataFrame([list(range(1, 27)), [0] * 26], index=["x", "y"], columns=range(26))
    out = avgangar.window_counts(hourly, SETTINGS)
    # hour h holds h + 1: all 1…26 = 351; 06–19 → 7…20 = 189; 6–8 → 24; 15–17 → 51
    assert out.to_dict("index") == {
        "x": {"avgangar_dag": 351, "avgangar_dagtid": 189, "avgangar_topp_fm": 24,
              "avgangar_topp_em": 51},
        "y": {"avgangar_dag": 0, "avgangar_dagtid": 0, "avgangar_topp_fm": 0,
              "avgangar_topp_em": 0}}


RULE_CASES = {  # hour → trips (2 elsewhere) and the rank by the default rule
    "2 every hour": ({}, 0),
    "19 at 1 (not peak)": ({19: 1}, 0),
    "19 empty (last day hour)": ({19: 0}, 2),
    "20 empty (after the day)": ({20: 0}, 0),
    "5 empty (before the day)": ({5: 0}, 0),
    "6 empty (first day hour)": ({6: 0}, 2),
    "6 at 1 (first am peak hour)": ({6: 1}, 1),
    "8 at 1 (last am peak hour)": ({8: 1}, 1),
    "9 at 1 (after the am peak)": ({9: 1}, 0),
    "14 at 1 (before the pm peak)": ({14: 1}, 0),
    "15 at 1 (first pm peak hour)": ({15: 1}, 1),
    "17 at 1 (last pm peak hour)": ({17: 1}, 1),
    "18 at 1 (after the pm peak)": ({18: 1}, 0),
    "12 at 0.5 (a mean below 1)": ({12: 0.5}, 2),
    "peaks at 1.5": ({7: 1.5, 16: 1.5}, 1),
}


def test_rule_rank_follows_every_hour_of_the_day_and_both_peaks():
    """Guards the stomlinje rule's hours and thresholds (≥, ends excluded), row by row."""
    hourly = _hourly({name: changes for name, (changes, _) in RULE_CASES.items()})
    out = avgangar.rule_rank(hourly, SETTINGS)
    assert out.to_dict() == {name: rank for name, (_, rank) in RULE_CASES.items()}
    ones = avgangar.rule_rank(_hourly({"1 every hour": {}}, base=1.0), SETTINGS)
    assert ones.to_dict() == {"1 every hour": 1}
    threes = avgangar.rule_rank(_hourly({"3 every hour": {}}, base=3.0), SETTINGS)
    assert threes.to_dict() == {"3 every hour": 0}  # more than needed is enough


def test_rule_rank_reads_the_thresholds_and_windows_from_the_settings():
    """Guards the settings being read: 3/h strong, 2/h stomlinje, day 08–10, peaks 8 and 9."""
    local = StomlinjeSettings(day_hours=(8, 10), min_per_hour=2, peak_am=(8, 9),
                              peak_pm=(9, 10), strong_per_hour=3)
    hourly = _hourly({"strong": {8: 3, 9: 3}, "am only": {8: 3}, "pm only": {9: 3},
                      "7 empty": {7: 0, 8: 3, 9: 3}, "9 at 1": {9: 1}}, base=2.0, hours=24)
    assert avgangar.rule_rank(hourly, local).to_dict() == {
        "strong": 0, "am only": 1, "pm only": 1, "7 empty": 0, "9 at 1": 2}


def test_best_class_names_and_modes():
    """Guards the small aggregations: best class, distinct names shortest first, main mode
    (rail wins; else the most common; a tie the first in sort order)."""
    assert avgangar.best_class(pd.Series(["ovrig", "stomlinje"])) == "stomlinje"
    assert avgangar.best_class(pd.Series(["stomlinje", "stark_stomlinje", "ovrig"])) \
        == "stark_stomlinje"
    assert avgangar.best_class(pd.Series(["ovrig"])) == "ovrig"
    assert avgangar.joined_names(pd.Series(["351", "63", "62", "63", "B", "A"])) \
        == "A, B, 62, 63, 351"
    assert avgangar.main_mode(pd.Series(["buss", "buss", "tag"])) == "tag"
    assert avgangar.main_mode(pd.Series(["ovrigt", "buss", "ovrigt"])) == "ovrigt"
    assert avgangar.main_mode(pd.Series(["ovrigt", "buss"])) == "buss"


def test_profile_text_folds_hours_after_midnight_and_keeps_one_decimal():
    """Guards the 24-hour profile: hour 24 adds to 0 and 25 to 1 (and 48 to 0); means keep
    one decimal."""
    row = np.array([1.0] * 24 + [2.0, 0.5])
    assert avgangar.profile_text(row) == "3,1.5," + ",".join(["1"] * 22)
    assert avgangar.profile_text(np.zeros(24)) == ",".join(["0"] * 24)
    assert avgangar.profile_text(np.array([4.0, 2.5])) == "4,2.5," + ",".join(["0"] * 22)
    # a day's tail past 48 h (hour 48 of a long night run) still folds onto hour 0
    assert avgangar.profile_text(np.array([0.0] * 48 + [1.0])) == "1," + ",".join(["0"] * 23)
