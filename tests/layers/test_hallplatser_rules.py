"""The ``hallplatser`` layer on a hand-made network over three analysed days (no data files,
no conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/hallplatser.py``).

The calls (:class:`layers.tidtabeller.Natdag` ``deps``: ``nyckel, timme, avgang, linje,
operator, trafikslag``) and the corridor passages are written by hand. The coverage lists
five stations of the region: A and B served, C without departures on the day, D without a
timetable, E of another period; Z has departures but lies outside the region. Means are
over the three days and rounded to 2 decimals; the windows are those of :data:`RULE` (day
07–09, peaks 07–08 and 08–09).
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from layers import hallplatser
from layers.korridorer import Korridorer
from layers.settings import StomlinjeSettings
from layers.tackning import Tackning
from layers.tidtabeller import Natdag
from layers.trafikdag import Analysdag

RULE = StomlinjeSettings(day_hours=(7, 9), peak_am=(7, 8), peak_pm=(8, 9), min_per_hour=1,
                         strong_per_hour=2)
X0, Y0 = 400_000.0, 6_580_000.0
KEYS = ["tv:A", "tv:B", "tv:C", "tv:D", "tv:E", "tv:Z"]
DAYS = (date(2024, 1, 9), date(2024, 1, 10), date(2024, 1, 11))

# (station, day, hour, departs, line, operator, mode)
CALLS = [
    # A: 07 four departures over the days (62, 351, 62, 62): 4/3 = 1.33 an hour; 08 one
    # (0.33); 25 (01 the next morning) one train (0.33). Per day 6/3 = 2, 07–09 5/3 = 1.67,
    # 07–08 1.33, 08–09 0.33. Lines 62, R1, 351 (shortest first); SJ, VT; rail among them.
    ("tv:A", 0, 7, True, "62", "VT", "buss"), ("tv:A", 0, 7, True, "351", "VT", "buss"),
    ("tv:A", 1, 7, True, "62", "VT", "buss"), ("tv:A", 2, 7, True, "62", "VT", "buss"),
    ("tv:A", 0, 8, True, "62", "VT", "buss"), ("tv:A", 1, 25, True, "R1", "SJ", "tag"),
    # an arrival only: no departure, its line, operator and mode are not A's
    ("tv:A", 2, 9, False, "999", "Ankomst AB", "buss"),
    # B: one bus at 07 each day: 1 an hour, 1 a day, 0 in 08–09
    ("tv:B", 0, 7, True, "1", "VT", "buss"), ("tv:B", 1, 7, True, "1", "VT", "buss"),
    ("tv:B", 2, 7, True, "1", "VT", "buss"),
    # Z: outside the region
    ("tv:Z", 0, 7, True, "5", "VT", "buss"),
]


def _deps(calls=CALLS) -> pd.DataFrame:
    return pd.DataFrame(calls, columns=["nyckel", "dag", "timme", "avgang", "linje",
                                        "operator", "trafikslag"])


def _natdag(deps: pd.DataFrame) -> Natdag:
    stations = gpd.GeoDataFrame(
        {"namn": ["Ås", "Bro", "Cby", "Dal", "Eby", "Zed"],
         "floden": ["f1", "f2, f1", "f1", None, "f3", "f1"]},
        index=pd.Index(KEYS, name="nyckel"),
        geometry=[Point(X0 + 1000 * i, Y0) for i in range(6)], crs="EPSG:3006")
    dag = Analysdag(DAYS, "medel tis–tors", "mean Tue–Thu")
    return Natdag(dag, stations.drop(index="tv:D"), deps, (), {}, {})


def _korridorer() -> Korridorer:
    """A–C: buses stopping at both, two each way in 07 and 08 over each day: stark at A and
    C. B–Z: one bus at 07 on one day, 1/3 an hour: ovrig at B."""
    rows = [("tv:A", "tv:C", r, f"a{r}{h}{n}|{d}", d, h)
            for r in (1, -1) for h in (7, 8) for n in (1, 2) for d in range(3)]
    rows.append(("tv:B", "tv:Z", 1, "b|0", 0, 7))
    passages = pd.DataFrame(rows, columns=["fran", "till", "riktning", "trip_key", "dag",
                                           "timme"]).assign(
        trafikslag="buss", linje="1", operator="VT", flode="f1", stannar_fran=True,
        stannar_till=True)
    geometry = gpd.GeoDataFrame({"fran": ["tv:A", "tv:B"], "till": ["tv:C", "tv:Z"],
                                 "geometri": "rak"},
                                geometry=[LineString([(0, 0), (1, 0)])] * 2, crs="EPSG:3006")
    return Korridorer(passages, geometry, 3)


def _coverage() -> Tackning:
    """The region's stations, listed out of the layer's order."""
    keys = ["tv:C", "tv:B", "tv:D", "tv:A", "tv:E"]
    stations = gpd.GeoDataFrame(
        {"namn": ["Cby", "Bro", "Dal", "Ås", "Alby"], "kommunkod": ["1780", "1781", "1782",
                                                                    "1780", "1783"],
         "status": ["ej_trafikdagen", "trafikeras", "saknar_tidtabell", "trafikeras",
                    "annan_period"], "forvantad": True},
        index=pd.Index(keys, name="nyckel"),
        geometry=[Point(X0 + 1000 * KEYS.index(k), Y0) for k in keys], crs="EPSG:3006")
    return Tackning(stations, pd.DataFrame(), pd.DataFrame(), (), (), "x", "x", ())


@pytest.fixture(scope="module")
def layer() -> gpd.GeoDataFrame:
    return hallplatser.build(_natdag(_deps()), _korridorer(), _coverage(), settings=RULE)


def test_station_stats_are_means_of_departures_over_the_days():
    """Guards :func:`hallplatser.station_stats`: departures only, divided by the days, the
    hour past midnight counted in the day's total and folded onto 01 in the profile."""
    stats = hallplatser.station_stats(_natdag(_deps()), RULE)
    assert sorted(stats.index) == ["tv:A", "tv:B", "tv:Z"]
    a, b = stats.loc["tv:A"], stats.loc["tv:B"]
    assert [a["avgangar_dag"], a["avgangar_dagtid"], a["avgangar_topp_fm"],
            a["avgangar_topp_em"]] == pytest.approx([2.0, 5 / 3, 4 / 3, 1 / 3])
    assert a["profil"] == ",".join(["0", "0.3", "0", "0", "0", "0", "0", "1.3", "0.3"]
                                   + ["0"] * 15)
    assert (a["linjer"], a["operatorer"], a["trafikslag"]) == ("62, R1, 351", "SJ, VT", "tag")
    assert [b["avgangar_dag"], b["avgangar_dagtid"], b["avgangar_topp_fm"],
            b["avgangar_topp_em"]] == [1.0, 1.0, 1.0, 0.0]
    assert (b["profil"], b["linjer"], b["operatorer"], b["trafikslag"]) == (
        ",".join(["0"] * 7 + ["1"] + ["0"] * 16), "1", "VT", "buss")


def test_station_stats_of_a_day_without_departures_are_empty():
    """Guards the empty day: 24 hours, no row, every window still counted (here 22–24)."""
    late = StomlinjeSettings(day_hours=(6, 24), peak_am=(6, 9), peak_pm=(22, 24))
    arrivals = _deps([c for c in CALLS if not c[3]])
    stats = hallplatser.station_stats(_natdag(arrivals), late)
    assert stats.empty
    assert list(stats.columns) == ["avgangar_dag", "avgangar_dagtid", "avgangar_topp_fm",
                                   "avgangar_topp_em", "profil", "linjer", "operatorer",
                                   "trafikslag"]


def test_the_region_stations_busiest_first_then_by_name(layer):
    """Guards the rows (the coverage's stations only, not Z), the order (departures per day
    descending, the stations without any last, by name) and the keys."""
    assert list(layer.columns) == hallplatser.COLUMNS
    assert layer["id"].tolist() == ["tv:A", "tv:B", "tv:E", "tv:C", "tv:D"]
    assert layer["station_id"].tolist() == layer["id"].tolist()
    assert layer["namn"].tolist() == ["Ås", "Bro", "Alby", "Cby", "Dal"]
    assert layer["kommunkod"].tolist() == ["1780", "1781", "1783", "1780", "1782"]
    assert list(layer.index) == [0, 1, 2, 3, 4]
    assert layer.crs == "EPSG:3006"
    assert [(p.x - X0) / 1000 for p in layer.geometry] == [0, 1, 4, 2, 3]


def test_counts_are_rounded_and_empty_unless_served(layer):
    counts = layer[["avgangar_dag", "avgangar_dagtid", "avgangar_topp_fm", "avgangar_topp_em"]]
    assert counts.dtypes.tolist() == [np.float64] * 4
    assert counts.iloc[:2].values.tolist() == [[2.0, 1.67, 1.33, 0.33], [1.0, 1.0, 1.0, 0.0]]
    assert counts.iloc[2:].isna().all().all()
    assert layer["linjer"].tolist()[:2] == ["62, R1, 351", "1"]
    assert layer["operatorer"].tolist()[:2] == ["SJ, VT", "VT"]
    assert layer["profil"].iloc[1] == ",".join(["0"] * 7 + ["1"] + ["0"] * 16)
    assert layer[["linjer", "operatorer", "profil"]].iloc[2:].isna().all().all()


def test_class_only_for_served_stations_and_rail_for_the_expected_ones(layer):
    """Guards the class (C has a stark corridor but no departures on the day: no class),
    its label, the mode (expected stations without departures are rail) and the status."""
    assert layer["klass"].tolist()[:2] == ["stark_stomlinje", "ovrig"]
    assert layer["klass"].iloc[2:].isna().all()
    assert layer["klass_sv"].tolist()[:2] == ["Stark stomlinje", "Övrig linje"]
    assert layer["klass_sv"].iloc[2:].isna().all()
    assert layer["trafikslag"].tolist() == ["tag", "buss", "tag", "tag", "tag"]
    assert layer["status"].tolist() == ["trafikeras", "trafikeras", "annan_period",
                                        "ej_trafikdagen", "saknar_tidtabell"]
    assert layer["status_sv"].tolist() == ["Trafikeras", "Trafikeras",
                                           "Tidtabell för annan period",
                                           "Inga avgångar trafikdagen", "Saknar tidtabell"]


def test_feeds_and_the_analysed_days(layer):
    """Guards ``floden`` (empty for a station in no timetable) and ``datum``."""
    assert layer["floden"].tolist() == ["f1", "f2, f1", "f3", "f1", ""]
    assert (layer["datum"] == "medel tis–tors").all()
