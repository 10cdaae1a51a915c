"""Fast rule tests of :mod:`layers.tidtabeller` on small hand-written feeds.

Three feeds written as GTFS text (:func:`tests.gtfs_text.write_feed`) and a two-station
register in Trafikverket's columns: ``sj`` (two trains of two agencies, a Saturday bus of a
third), ``vt`` (one agency without ``agency_id``: a copy of an SJ train under its own ids,
and buses, one to a station the register lacks) and ``old`` (a feed of 2022). Expected
keys, duplicates and reports are worked out by hand from that text. No conftest fixture, no
real-data build: these are the tests ``make mutate`` runs against each mutant.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from layers import tidtabeller
from layers.settings import StomlinjeSettings
from layers.tidtabeller import FlodeRapport
from tests.gtfs_text import write_feed

DAY = StomlinjeSettings(service_date="2024-01-09")  # a Tuesday
CALENDAR = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date"
TIMES = "trip_id,arrival_time,departure_time,stop_id,stop_sequence"
KARLSTAD, KIL, BORGVIK = (13.4990, 59.3780), (13.3180, 59.5030), (13.0000, 59.3500)


def _projected(lon_lat: tuple[float, float]) -> Point:
    """A WGS 84 point in EPSG:3006, as the parser projects stops."""
    return gpd.GeoSeries([Point(lon_lat)], crs="EPSG:4326").to_crs("EPSG:3006").iloc[0]


@pytest.fixture
def register() -> gpd.GeoDataFrame:
    """Trafikverket's register as :mod:`data_sources.stationer` gives it: Karlstad C and Kil."""
    return gpd.GeoDataFrame({"signatur": ["Ks", "Kil"], "namn": ["Karlstad C", "Kil"],
                             "lokalkod": pd.array(["00A", "00B"], dtype="string")},
                            geometry=[_projected((13.4995, 59.3785)),
                                      _projected((13.3182, 59.5032))], crs="EPSG:3006")


@pytest.fixture
def sj(tmp_path: Path):
    """SJ's trains s1 (Karlstad 07:00 → Kil 07:20, route without short name) and s2 (Tågab's
    line 62, Kil 09:00 → Karlstad 09:20), Nattbuss' Saturday bus; shapes of 3 and 1 points.
    Karlstad's platform id sorts before its station's (``sjK1`` < ``sjKS``)."""
    return write_feed(tmp_path / "sj", {
        "agency": "agency_id,agency_name\nSJ,SJ AB\nTAB,Tågab\nNB,Nattbuss",
        "stops": f"""
            stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station
            sjKS,Karlstad C,{KARLSTAD[1]},{KARLSTAD[0]},1,
            sjK1,Karlstad C spår 1,59.3781,13.4991,0,sjKS
            sjKIL,Kil,{KIL[1]},{KIL[0]},,
        """,
        "routes": """
            route_id,agency_id,route_short_name,route_long_name,route_type
            r1,SJ,,Regional,2
            r2,TAB,62,,2
            r3,NB,N1,,3
        """,
        "trips": """
            route_id,service_id,trip_id,direction_id,shape_id
            r1,WK,s1,0,shA
            r2,WK,s2,1,
            r3,LO,n1,0,
        """,
        "calendar": f"{CALENDAR}\nWK,1,1,1,1,1,0,0,20240101,20240630\n"
                    "LO,0,0,0,0,0,1,0,20240101,20240630",
        "stop_times": f"""
            {TIMES}
            s1,07:00:00,07:00:00,sjK1,1
            s1,07:20:00,07:20:00,sjKIL,2
            s2,09:00:00,09:00:00,sjKIL,1
            s2,09:20:00,09:20:00,sjK1,2
            n1,01:00:00,01:00:00,sjKIL,1
            n1,01:20:00,01:20:00,sjK1,2
        """,
        "shapes": """
            shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence
            shA,59.3780,13.4990,1
            shA,59.4500,13.4000,2
            shA,59.5030,13.3180,3
            shB,59.3780,13.4990,1
        """,
    })


@pytest.fixture
def vt(tmp_path: Path):
    """Värmlandstrafik: v1 is SJ's s1 under its own ids (the same minutes); bus v2 shares
    only Karlstad 07:00 with it; bus v3 runs Borgvik → Kil along a shape of two points."""
    return write_feed(tmp_path / "vt", {
        "agency": "agency_name\nVärmlandstrafik",
        "stops": f"""
            stop_id,stop_name,stop_lat,stop_lon
            vKS,Karlstads central,59.3790,13.5000
            vKIL,Kil station,59.5035,13.3185
            vBV,Borgvik,{BORGVIK[1]},{BORGVIK[0]}
        """,
        "routes": "route_id,route_short_name,route_long_name,route_type\n"
                  "vtag,,Tåg,2\nv700,700,,700",
        "trips": "route_id,service_id,trip_id,shape_id\nvtag,WK,v1,\nv700,WK,v2,\nv700,WK,v3,vS",
        "calendar": f"{CALENDAR}\nWK,1,1,1,1,1,0,0,20240101,20241231",
        "stop_times": f"""
            {TIMES}
            v1,07:00:30,07:00:30,vKS,1
            v1,07:20:10,07:20:10,vKIL,2
            v2,07:00:00,07:00:00,vKS,1
            v2,07:40:00,07:40:00,vBV,2
            v3,10:00:00,10:00:00,vBV,1
            v3,10:30:00,10:30:00,vKIL,2
        """,
        "shapes": f"shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n"
                  f"vS,{BORGVIK[1]},{BORGVIK[0]},1\nvS,59.5035,13.3185,2",
    })


@pytest.fixture
def old(tmp_path: Path):
    """A feed of 2022 (two agencies, a route without one), with a shape; its Kil is listed
    before its Karlstad."""
    return write_feed(tmp_path / "old", {
        "agency": "agency_id,agency_name\nA1,Gamla Bolaget\nA2,Andra Bolaget",
        "stops": "stop_id,stop_name,stop_lat,stop_lon\noKIL,Kil,59.5031,13.3181\n"
                 "oKS,Karlstad,59.3781,13.4991",
        "routes": "route_id,agency_id,route_short_name,route_type\no1,A1,1,3\no2,,2,3",
        "trips": "route_id,service_id,trip_id,shape_id\no1,WK,g1,shO\no2,WK,g2,",
        "calendar": f"{CALENDAR}\nWK,1,1,1,1,1,0,0,20220101,20221231",
        "stop_times": f"{TIMES}\ng1,08:00:00,08:00:00,oKIL,1\ng1,08:30:00,08:30:00,oKS,2\n"
                      "g2,09:00:00,09:00:00,oKS,1\ng2,09:30:00,09:30:00,oKIL,2",
        "shapes": "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n"
                  "shO,59.5031,13.3181,1\nshO,59.3781,13.4991,2",
    })


@pytest.fixture
def bare(tmp_path: Path):
    """The least a feed holds: no agency.txt, no shapes.txt, no short names; one bus trip."""
    return write_feed(tmp_path / "bare", {
        "stops": "stop_id,stop_name,stop_lat,stop_lon\nx,X,59.4,13.5\ny,Y,59.5,13.5",
        "routes": "route_id,agency_id,route_type\nq,Q,3",
        "trips": "route_id,service_id,trip_id\nq,WK,t",
        "calendar": f"{CALENDAR}\nWK,1,1,1,1,1,0,0,20240101,20241231",
        "stop_times": f"{TIMES}\nt,08:00:00,08:00:00,x,1\nt,08:10:00,08:10:00,y,2"})


def test_route_operators_by_agency_id_the_only_agency_or_unknown(sj, vt, old, bare):
    """Guards the agency of each route: by id; the one agency of a feed without ids; no
    agency (a route without one among several, a feed without ``agency.txt``)."""
    assert tidtabeller.route_operators(sj).to_dict() == {"r1": "SJ AB", "r2": "Tågab",
                                                         "r3": "Nattbuss"}
    assert tidtabeller.route_operators(vt).to_dict() == {"vtag": "Värmlandstrafik",
                                                         "v700": "Värmlandstrafik"}
    assert tidtabeller.route_operators(old).to_dict() == {"o1": "Gamla Bolaget",
                                                          "o2": "okänd operatör"}
    assert tidtabeller.route_operators(bare).to_dict() == {"q": "okänd operatör"}


def test_feed_stations_are_parents_and_stops_without_one(sj, vt):
    """Guards the station list: a platform is not a station of its own."""
    out = tidtabeller.feed_stations("sj", sj)
    assert list(out.columns) == ["flode", "station_id", "namn", "geometry"]
    assert out[["flode", "station_id", "namn"]].to_dict("list") == {
        "flode": ["sj", "sj"], "station_id": ["sjKS", "sjKIL"], "namn": ["Karlstad C", "Kil"]}
    assert out.crs == "EPSG:3006"
    assert out.geometry.iloc[0].distance(_projected(KARLSTAD)) < 0.01
    assert tidtabeller.feed_stations("vt", vt)["station_id"].tolist() == ["vKS", "vKIL", "vBV"]


DUPLICATE_CALLS = pd.DataFrame([
    # trip, feed, day, station, seconds: b repeats a (same minutes), e repeats a and b;
    # c runs on another day, d shares one minute with a, g calls X twice in a minute, f is
    # a copy of a in a's own feed
    ("a", "f1", 0, "X", 600), ("a", "f1", 0, "Y", 1200),
    ("f", "f1", 0, "X", 610), ("f", "f1", 0, "Y", 1210),
    ("b", "f2", 0, "X", 659), ("b", "f2", 0, "Y", 1259),
    ("c", "f2", 1, "X", 600), ("c", "f2", 1, "Y", 1200),
    ("d", "f2", 0, "X", 660), ("d", "f2", 0, "Y", 1200),
    ("g", "f2", 0, "X", 600), ("g", "f2", 0, "X", 630),
    ("e", "f3", 0, "X", 600), ("e", "f3", 0, "Y", 1200),
], columns=["trip_key", "flode", "dag", "nyckel", "tid_s"])


def test_duplicate_trips_are_later_feeds_trips_at_the_same_minutes():
    """Guards the duplicate rule: ``min_calls`` stations at the same minute on the same day,
    the later feed's trip dropped, a call repeated within a minute counted once."""
    def dropped(order: list[str], min_calls: int) -> set[str]:
        return set(tidtabeller.duplicate_trips(DUPLICATE_CALLS, order, min_calls=min_calls))

    assert dropped(["f1", "f2", "f3"], 2) == {"b", "e"}
    assert dropped(["f1", "f2", "f3"], 3) == set()
    assert dropped(["f1", "f2", "f3"], 1) == {"b", "d", "e", "g"}
    assert dropped(["f2", "f1", "f3"], 2) == {"a", "f", "e"}


def test_merge_keys_stations_drops_duplicates_and_reports_each_feed(sj, vt, old, register):
    """Guards :func:`tidtabeller.merge` end to end on one day."""
    natdag = tidtabeller.merge([("sj", sj), ("vt", vt), ("old", old)], register, DAY)
    assert natdag.dag.days == (date(2024, 1, 9),)
    assert natdag.used == ("sj", "vt")
    deps = natdag.deps
    assert deps.index.tolist() == list(range(8))
    assert deps[["trip_key", "flode", "dag", "nyckel", "linje", "operator", "tid_s"]].to_dict(
        "split")["data"] == [
        ["sj|0|s1", "sj", 0, "tv:Ks", "r1", "SJ AB", 25_200],
        ["sj|0|s1", "sj", 0, "tv:Kil", "r1", "SJ AB", 26_400],
        ["sj|0|s2", "sj", 0, "tv:Kil", "62", "Tågab", 32_400],
        ["sj|0|s2", "sj", 0, "tv:Ks", "62", "Tågab", 33_600],
        ["vt|0|v2", "vt", 0, "tv:Ks", "700", "Värmlandstrafik", 25_200],
        ["vt|0|v2", "vt", 0, "vt:vBV", "700", "Värmlandstrafik", 27_600],
        ["vt|0|v3", "vt", 0, "vt:vBV", "700", "Värmlandstrafik", 36_000],
        ["vt|0|v3", "vt", 0, "tv:Kil", "700", "Värmlandstrafik", 37_800]]
    assert natdag.feeds == (
        FlodeRapport("sj", ("Nattbuss", "SJ AB", "Tågab"), ("buss", "tag"), date(2024, 1, 1),
                     date(2024, 6, 30), True, i_trafik=("SJ AB", "Tågab"), turer=2),
        FlodeRapport("vt", ("Värmlandstrafik",), ("buss", "tag"), date(2024, 1, 1),
                     date(2024, 12, 31), True, i_trafik=("Värmlandstrafik",), dubbletter=1,
                     turer=2),
        FlodeRapport("old", ("Gamla Bolaget", "okänd operatör"), ("buss",), date(2022, 1, 1),
                     date(2022, 12, 31), False,
                     orsak="gäller 2022-01-01–2022-12-31, inte 2024-01-09: räknas inte in "
                           "(annan period)"))
    stations = natdag.stations
    assert list(stations.columns) == tidtabeller.STATION_COLUMNS and stations.crs == "EPSG:3006"
    assert stations[["namn", "floden"]].to_dict("index") == {
        "tv:Ks": {"namn": "Karlstad C", "floden": "sj, vt, old"},
        "tv:Kil": {"namn": "Kil", "floden": "sj, vt, old"},
        "vt:vBV": {"namn": "Borgvik", "floden": "vt"}}
    assert stations["signatur"].tolist()[:2] == ["Ks", "Kil"]
    assert stations["signatur"].isna().tolist() == [False, False, True]
    firsts = [_projected(KARLSTAD), _projected(KIL), _projected(BORGVIK)]
    assert all(p.distance(q) < 0.01 for p, q in zip(stations.geometry, firsts, strict=True))
    # shapes of the feeds used with two points or more (not sj's shB of one, not old's)
    assert set(natdag.shapes) == {("sj", "shA"), ("vt", "vS")}
    assert isinstance(natdag.shapes[("sj", "shA")], LineString)
    assert [len(line.coords) for line in natdag.shapes.values()] == [3, 2]
    assert natdag.sources == {"sj": sj, "vt": vt, "old": old}


def test_the_first_feed_keeps_its_trip_of_a_pair(sj, vt, register):
    """Guards the preference: with ``vt`` first, SJ's copy s1 is the one dropped."""
    natdag = tidtabeller.merge([("vt", vt), ("sj", sj)], register, DAY)
    assert sorted(natdag.deps["trip_key"].unique()) == ["sj|0|s2", "vt|0|v1", "vt|0|v2",
                                                        "vt|0|v3"]
    assert [(f.flode, f.dubbletter, f.turer) for f in natdag.feeds] == [("vt", 0, 3),
                                                                        ("sj", 1, 1)]


def test_an_average_month_counts_every_day_with_its_own_keys(sj, vt, register):
    """Guards the days: each Tuesday of January 2024 (5) is its own ``dag`` and key."""
    month = StomlinjeSettings(average_month="2024-01", average_weekdays=(1,))
    natdag = tidtabeller.merge([("sj", sj), ("vt", vt)], register, month)
    assert natdag.dag.days == tuple(date(2024, 1, d) for d in (2, 9, 16, 23, 30))
    deps = natdag.deps
    assert sorted(deps["dag"].unique()) == [0, 1, 2, 3, 4]
    assert sorted(deps.loc[deps["dag"] == 4, "trip_key"].unique()) == [
        "sj|4|s1", "sj|4|s2", "vt|4|v2", "vt|4|v3"]
    assert [(f.flode, f.dubbletter, f.turer) for f in natdag.feeds] == [("sj", 0, 10),
                                                                        ("vt", 5, 10)]


def test_a_day_no_feed_covers_leaves_every_feed_out_and_no_calls(sj, old, register):
    """Guards the empty network: no feed holds the day, the calls table keeps its columns."""
    natdag = tidtabeller.merge([("sj", sj), ("old", old)], register,
                               StomlinjeSettings(service_date="2023-06-13"))
    assert natdag.used == () and natdag.shapes == {}
    assert natdag.deps.empty
    assert list(natdag.deps.columns) == [
        "trip_key", "trip_id", "route_id", "direction_id", "shape_id", "trafikslag",
        "stop_id", "station_id", "stop_sequence", "tid_s", "timme", "avgang", "flode", "dag",
        "linje", "operator", "nyckel"]
    assert [f.orsak for f in natdag.feeds] == [
        "gäller 2024-01-01–2024-06-30, inte 2023-06-13: räknas inte in (annan period)",
        "gäller 2022-01-01–2022-12-31, inte 2023-06-13: räknas inte in (annan period)"]


def test_a_feed_without_shapes_agencies_or_register_stations_keeps_its_own_keys(bare):
    """Guards the least feed: no shapes (none drawn), unknown operator, the line named by its
    route id, stations keyed ``<feed>:<station_id>`` against an empty register."""
    register = gpd.GeoDataFrame({"signatur": [], "namn": [],
                                 "lokalkod": pd.array([], dtype="string")}, geometry=[],
                                crs="EPSG:3006")
    natdag = tidtabeller.merge([("bare", bare)], register, DAY)
    assert natdag.shapes == {}
    assert natdag.deps[["trip_key", "nyckel", "linje", "operator"]].to_dict("split")["data"] \
        == [["bare|0|t", "bare:x", "q", "okänd operatör"],
            ["bare|0|t", "bare:y", "q", "okänd operatör"]]
    assert natdag.feeds == (FlodeRapport("bare", ("okänd operatör",), ("buss",),
                                         date(2024, 1, 1), date(2024, 12, 31), True,
                                         i_trafik=("okänd operatör",), turer=1),)
