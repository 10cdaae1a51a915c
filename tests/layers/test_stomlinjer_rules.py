"""The ``stomlinjer`` layer on a hand-made corridor day (no data files, no conftest: the fast
tests that ``scripts/mutate.py`` runs against ``layers/stomlinjer.py``).

Five station keys ``tv:A`` … ``tv:E``; the region holds B, C and D. The passages
(:class:`layers.korridorer.Korridorer` ``passages``) are written by hand on four segments:
A–B (trains, only its ``till`` in the region), B–C (buses, both ends in it), D–E (one bus,
only its ``fran`` in it) and A–E (one bus, no end in it: left out). Counts and classes are
worked out by hand from the rule of :data:`RULE` (day 07–09, peaks 07–08 and 08–09, one trip
an hour in each direction for stomlinje, two in both peaks for stark; rail always at least
stomlinje).
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from layers import stomlinjer
from layers.korridorer import Korridorer
from layers.settings import StomlinjeSettings
from layers.tackning import Tackning
from layers.tidtabeller import Natdag
from layers.trafikdag import Analysdag

RULE = StomlinjeSettings(day_hours=(7, 9), peak_am=(7, 8), peak_pm=(8, 9), min_per_hour=1,
                         strong_per_hour=2)
REGION = pd.Index(["tv:B", "tv:C", "tv:D"])
X0, Y0 = 400_000.0, 6_580_000.0
XY = {"tv:A": (0, 0), "tv:B": (10_000, 0), "tv:C": (20_000, 0), "tv:D": (30_000, 0),
      "tv:E": (40_000, 0)}


def _point(key: str) -> Point:
    x, y = XY[key]
    return Point(X0 + x, Y0 + y)


def _passages() -> pd.DataFrame:
    """``(fran, till, riktning, trip, hour, mode, line, operator, feed)``, both ends stopped."""
    rows = [
        # A–B trains: one each way (07 and 08): turer 2, dagtid 2, fm 1, em 1; the rule fails
        # in each direction, but rail is always stomlinje
        ("tv:A", "tv:B", 1, "t1", 7, "tag", "R1", "SJ", "f1"),
        ("tv:A", "tv:B", -1, "t2", 8, "tag", "R1", "SJ", "f1"),
        # D–E: one bus at 07: turer 1, dagtid 1, fm 1, em 0; ovrig
        ("tv:D", "tv:E", 1, "b9", 7, "buss", "9", "VT", "f2"),
        # A–E: no end in the region
        ("tv:A", "tv:E", 1, "b8", 7, "buss", "8", "VT", "f2"),
    ]
    # B–C buses: two each way in 07 and in 08 (lines 1 and 10), one more at 12: turer 9,
    # dagtid 8, fm 4, em 4; two an hour in both peaks in each direction: stark stomlinje
    n = 0
    for riktning in (1, -1):
        for hour in (7, 7, 8, 8):
            n += 1
            rows.append(("tv:B", "tv:C", riktning, f"c{n}", hour, "buss",
                         "10" if n % 2 else "1", "VT", "f2"))
    rows.append(("tv:B", "tv:C", 1, "c9", 12, "buss", "1", "Tåg i Berg", "f3"))
    frame = pd.DataFrame(rows, columns=["fran", "till", "riktning", "trip_key", "timme",
                                        "trafikslag", "linje", "operator", "flode"])
    return frame.assign(dag=0, stannar_fran=True, stannar_till=True)


def _korridorer() -> Korridorer:
    courses = [("tv:A", "tv:B", "bannat", [(0, 0), (5_000, 100), (10_000, 0)]),
               ("tv:B", "tv:C", "shapes", [(10_000, 0), (15_000, 2_000), (20_000, 0)]),
               ("tv:D", "tv:E", "rak", [(30_000, 0), (40_000, 0)]),
               ("tv:A", "tv:E", "rak", [(0, 0), (40_000, 0)])]
    geometry = gpd.GeoDataFrame(
        {"fran": [c[0] for c in courses], "till": [c[1] for c in courses],
         "geometri": [c[2] for c in courses]},
        geometry=[LineString([(X0 + x, Y0 + y) for x, y in c[3]]) for c in courses],
        crs="EPSG:3006")
    return Korridorer(_passages(), geometry, 1)


def _natdag() -> Natdag:
    """Timetable names for A–D; E is in no timetable here. C's name differs from the
    register's (the timetable's wins)."""
    keys = ["tv:A", "tv:B", "tv:C", "tv:D"]
    stations = gpd.GeoDataFrame({"namn": ["Ås station", "Bro", "Cby C", "Dal"],
                                 "floden": "f1"},
                                index=pd.Index(keys, name="nyckel"),
                                geometry=[_point(k) for k in keys], crs="EPSG:3006")
    dag = Analysdag((date(2024, 1, 2),), "2024-01-02", "2 Jan 2024")
    return Natdag(dag, stations, pd.DataFrame(), (), {}, {})


def _coverage() -> Tackning:
    """The register's names of the expected stations C and E (E: trains pass, no
    timetable)."""
    keys = ["tv:C", "tv:E"]
    stations = gpd.GeoDataFrame({"namn": ["Cby", "Eby"], "kommunkod": "1780",
                                 "status": ["trafikeras", "saknar_tidtabell"],
                                 "forvantad": True},
                                index=pd.Index(keys, name="nyckel"),
                                geometry=[_point(k) for k in keys], crs="EPSG:3006")
    return Tackning(stations, pd.DataFrame(), pd.DataFrame(), (), (), "2024-01-02",
                    "2 Jan 2024", ())


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    return stomlinjer.build(_korridorer(), _natdag(), _coverage(), region_stations=REGION,
                            settings=RULE)


def test_segments_with_an_end_in_the_region_busiest_first(layer):
    """Guards the region filter (either end) and the order by trips per day, descending."""
    assert list(layer.columns) == stomlinjer.COLUMNS
    assert layer["id"].tolist() == ["tv:B-tv:C", "tv:A-tv:B", "tv:D-tv:E"]
    assert list(layer.index) == [0, 1, 2]
    assert layer[["fran", "till"]].values.tolist() == [["tv:B", "tv:C"], ["tv:A", "tv:B"],
                                                      ["tv:D", "tv:E"]]


def test_counts_lines_and_classes_per_segment(layer):
    """Guards the columns carried from the segment table and the Swedish class labels."""
    counts = ["turer_dag", "turer_dagtid", "turer_topp_fm", "turer_topp_em"]
    assert layer[counts].values.tolist() == [[9, 8, 4, 4], [2, 2, 1, 1], [1, 1, 1, 0]]
    assert layer["linjer"].tolist() == ["1, 10", "R1", "9"]
    assert layer["operatorer"].tolist() == ["Tåg i Berg, VT", "SJ", "VT"]
    assert layer["floden"].tolist() == ["f2, f3", "f1", "f2"]
    assert layer["trafikslag"].tolist() == ["buss", "tag", "buss"]
    assert layer["klass"].tolist() == ["stark_stomlinje", "stomlinje", "ovrig"]
    assert layer["klass_sv"].tolist() == ["Stark stomlinje", "Stomlinje", "Övrig linje"]


def test_names_come_from_the_timetables_else_from_the_register(layer):
    """Guards the names: the timetable's ``Cby C`` over the register's ``Cby``; E, in no
    timetable, named as in the register."""
    assert layer[["fran_namn", "till_namn"]].values.tolist() == [
        ["Bro", "Cby C"], ["Ås station", "Bro"], ["Dal", "Eby"]]


def test_courses_their_kind_and_the_schematic_flag(layer):
    """Guards the join of the drawn course, its label and ``schematisk`` (straight only)."""
    assert layer.crs == "EPSG:3006"
    assert layer["geometri"].tolist() == ["shapes", "bannat", "rak"]
    assert layer["geometri_sv"].tolist() == ["längs linjens sträckning (shapes.txt)",
                                             "längs järnvägsnätet (RINF)",
                                             "rak linje (schematisk)"]
    assert layer["schematisk"].tolist() == [False, False, True]
    assert [[(x - X0, y - Y0) for x, y in g.coords] for g in layer.geometry] == [
        [(10_000, 0), (15_000, 2_000), (20_000, 0)], [(0, 0), (5_000, 100), (10_000, 0)],
        [(30_000, 0), (40_000, 0)]]
    assert (layer["datum"] == "2024-01-02").all()
