"""The coverage rules on a hand-made region of four kommuner, a few stations, two feeds and
four expected operators (no data files, no conftest: the fast tests that
``scripts/mutate.py`` runs against ``layers/tackning.py``).

Expected values are worked out by hand from the rules in the module docstring: a station is
``trafikeras`` with a departure on the day, ``ej_trafikdagen`` when in a counted feed without
one, ``annan_period`` when only in a feed of another period, ``saknar_tidtabell`` when in no
feed; a kommun is covered when each of its expected stations is ``trafikeras``.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import tackning
from layers.forvantad_trafik import Operator, RegionTraffic
from layers.tidtabeller import FlodeRapport, Natdag
from layers.trafikdag import Analysdag

X0, Y0 = 400_000.0, 6_600_000.0


def _at(x_km: float) -> shapely.Point:
    """A point ``x_km`` east of the corner, 5 km north of it."""
    return shapely.Point(X0 + 1000 * x_km, Y0 + 5000)


def _kommuner() -> gpd.GeoDataFrame:
    """1701 (x 0–10.1 km, overlapping 1702 by 100 m), 1702 (10–20), 1703 (20–30), 1704."""
    boxes = [(0, 10.1), (10, 20), (20, 30), (30, 40)]
    return gpd.GeoDataFrame({"kommunkod": ["1701", "1702", "1703", "1704"]},
                            geometry=[shapely.box(X0 + 1000 * a, Y0, X0 + 1000 * b, Y0 + 10_000)
                                      for a, b in boxes], crs=3006)


# Trafikverket's register: signature, name, x (km). Zz lies outside the region.
REGISTER_ROWS = [("Aa", "Ås", 1), ("Bb", "Bro", 2), ("Hh", "Alby", 3), ("Ff", "Fors", 4),
                 ("Cc", "Cby", 12), ("Ee", "Eby", 10.05), ("Dd", "Dal", 25), ("Zz", "Zed", 90)]
REGISTER = gpd.GeoDataFrame({"signatur": [r[0] for r in REGISTER_ROWS],
                             "namn": [r[1] for r in REGISTER_ROWS],
                             "lanskod": "17"},
                            geometry=[_at(r[2]) for r in REGISTER_ROWS], crs=3006)
SJ = Operator("SJ", ("SJ",), ("tag",))
TAGAB = Operator("Tågab", ("Tågab",), ("tag",))
VT = Operator("Värmlandstrafik", ("Värmlandstrafik",), ("tag", "buss"))
VY = Operator("Vy", ("Vy",), ("tag", "buss"))
REGION = RegionTraffic(lanskod="17", stations=("Aa", "Bb", "Hh", "Ff", "Cc", "Dd", "Qq"),
                       operators=(SJ, TAGAB, VT, VY), basis="test")
DAG = Analysdag(days=(date(2023, 11, 7),), label_sv="2023-11-07", label_en="7 Nov 2023")
F1 = FlodeRapport("f1", ("SJ AB", "Tågab"), ("tag",), date(2023, 1, 1), date(2024, 6, 30), True)
F2 = FlodeRapport("f2", ("Värmlandstrafik",), ("tag",), date(2025, 1, 1), date(2025, 12, 31),
                  False)


def _natdag(feeds: tuple[FlodeRapport, ...] = (F1, F2)) -> Natdag:
    """The timetables' stations and calls.

    Ås has a departure; Bro (in f2 and f1) only an arrival; Alby is in f1 without calls; Cby
    only in f2 (not counted); Eby, not expected, has a departure; so has Zed, outside; x:1,
    not expected, is in f1 without calls. Tågab's only call is a bus, at Zed.
    """
    stations = gpd.GeoDataFrame({
        "namn": ["Ås", "Bro", "Alby", "Cby", "Eby", "Zed", "Okänd"],
        "signatur": ["Aa", "Bb", "Hh", "Cc", "Ee", "Zz", None],
        "floden": ["f1", "f2, f1", "f1", "f2", "f1", "f1", "f1"],
    }, geometry=[_at(1), _at(2), _at(3), _at(12), _at(10.05), _at(90), _at(15)], crs=3006,
        index=pd.Index(["tv:Aa", "tv:Bb", "tv:Hh", "tv:Cc", "tv:Ee", "tv:Zz", "x:1"],
                       name="nyckel"))
    deps = pd.DataFrame({
        "nyckel": ["tv:Aa", "tv:Bb", "tv:Ee", "tv:Zz", "tv:Zz"],
        "avgang": [True, False, True, True, True],
        "trafikslag": ["tag", "tag", "tag", "tag", "buss"],
        "operator": ["SJ AB", "SJ AB", "SJ AB", "SJ AB", "Tågab"],
    })
    return Natdag(dag=DAG, stations=stations, deps=deps, feeds=feeds, shapes={}, sources={})


def _cover(region: RegionTraffic | None = REGION, feeds=(F1, F2)) -> tackning.Tackning:
    return tackning.coverage(_natdag(feeds), REGISTER, region, _kommuner())


def test_expected_stations_are_keyed_and_the_unknown_ones_named():
    found, missing = tackning.expected_stations(REGISTER, REGION)
    assert found.index.tolist() == ["tv:Aa", "tv:Bb", "tv:Hh", "tv:Ff", "tv:Cc", "tv:Dd"]
    assert found.columns.tolist() == ["namn", "geometry"] and found.crs == "EPSG:3006"
    assert missing == ["Qq"]
    none, nothing = tackning.expected_stations(REGISTER, None)
    assert none.empty and nothing == []


def test_each_station_of_the_region_gets_its_status():
    stations = _cover().stations
    assert stations.columns.tolist() == ["namn", "kommunkod", "status", "forvantad",
                                         "geometry"]
    assert stations.index.name == "nyckel"
    assert {k: (r.namn, r.status, bool(r.forvantad)) for k, r in stations.iterrows()} == {
        "tv:Aa": ("Ås", "trafikeras", True),
        "tv:Bb": ("Bro", "ej_trafikdagen", True),
        "tv:Hh": ("Alby", "ej_trafikdagen", True),
        "tv:Cc": ("Cby", "annan_period", True),
        "tv:Ee": ("Eby", "trafikeras", False),
        "x:1": ("Okänd", "ej_trafikdagen", False),
        "tv:Ff": ("Fors", "saknar_tidtabell", True),
        "tv:Dd": ("Dal", "saknar_tidtabell", True)}
    kommun = stations["kommunkod"].to_dict()
    assert kommun["tv:Aa"] == kommun["tv:Ff"] == "1701" and kommun["tv:Dd"] == "1703"
    assert kommun["tv:Cc"] == kommun["x:1"] == "1702" and kommun["tv:Ee"] in {"1701", "1702"}


def test_a_station_in_no_timetable_and_not_expected_is_left_out():
    natdag = _natdag()
    quiet = natdag.stations.assign(floden=["f1", "f2, f1", "f1", "f2", "f1", "f1", ""])
    stations = tackning.station_status(Natdag(DAG, quiet, natdag.deps, natdag.feeds, {}, {}),
                                       tackning.expected_stations(REGISTER, REGION)[0],
                                       _kommuner())
    assert "x:1" not in stations.index and "tv:Dd" in stations.index


def test_a_kommun_is_covered_when_each_expected_station_is_served():
    kommuner = _cover().kommuner
    assert kommuner.columns.tolist() == ["kommunkod", "komplett", "orsak_sv", "orsak_en"]
    assert kommuner.values.tolist() == [
        ["1701", False,
         "Tågtrafiken i kommunen täcks inte av tidtabellerna här (inga avgångar 2023-11-07: "
         "Alby, Bro; saknar tidtabell: Fors)",
         "The kommun's rail service is not covered by the timetables here (no departures "
         "7 Nov 2023: Alby, Bro; no timetable: Fors)"],
        ["1702", False,
         "Tågtrafiken i kommunen täcks inte av tidtabellerna här (tidtabell för annan period: "
         "Cby)",
         "The kommun's rail service is not covered by the timetables here (timetable of "
         "another period only: Cby)"],
        ["1703", False,
         "Tågtrafiken i kommunen täcks inte av tidtabellerna här (saknar tidtabell: Dal)",
         "The kommun's rail service is not covered by the timetables here (no timetable: Dal)"],
        ["1704", True, "", ""]]


def test_each_expected_operator_and_mode_gets_its_status():
    operators = _cover().operators
    assert operators.columns.tolist() == ["namn", "trafikslag", "status"]
    assert operators.values.tolist() == [
        ["SJ", "tag", "med"],  # SJ AB runs trains
        ["Tågab", "tag", "inga_turer"],  # in f1, counted, but only a bus runs
        ["Värmlandstrafik", "tag", "annan_period"],  # only in f2
        ["Värmlandstrafik", "buss", "saknas"],  # f2 has no buses
        ["Vy", "tag", "saknas"], ["Vy", "buss", "saknas"]]


def test_the_coverage_notes_and_fields():
    cover = _cover()
    assert cover.notes == ("förväntad station Qq finns inte i Trafikverkets register",
                           "stationer med avgångar som inte finns bland de förväntade: Eby")
    assert cover.feeds == (F1, F2) and cover.expected == (SJ, TAGAB, VT, VY)
    assert (cover.label_sv, cover.label_en) == ("2023-11-07", "7 Nov 2023")


def test_without_expectations_the_timetables_say_what_is_covered():
    cover = _cover(region=None)
    assert cover.notes == ("inga förväntade stationer eller operatörer angivna för länet: "
                           "täckningen är det tidtabellerna visar",)
    assert cover.operators.empty and cover.expected == ()
    assert cover.operators.columns.tolist() == ["namn", "trafikslag", "status"]
    assert not cover.stations["forvantad"].any()
    assert cover.kommuner["komplett"].all()
    assert set(cover.stations.index) == {"tv:Aa", "tv:Bb", "tv:Hh", "tv:Cc", "tv:Ee", "x:1"}


def test_the_coverage_sentence():
    cover = _cover()
    assert tackning.sentence(cover, "sv") == (
        "Tidtabeller: SJ och Tågab 2023–2024 (Tågab: inga turer 2023-11-07). "
        "Saknas: Värmlandstrafik (buss), Vy (tåg och buss). "
        "Ej med (annan period): Värmlandstrafik 2025-01-01–2025-12-31.")
    assert tackning.sentence(cover, "en") == (
        "Timetables: SJ and Tågab 2023–2024 (Tågab: no trips 7 Nov 2023). "
        "Missing: Värmlandstrafik (bus), Vy (rail and bus). "
        "Not counted (other period): Värmlandstrafik 2025-01-01–2025-12-31.")


def test_the_sentence_without_counted_timetables_or_gaps():
    idle = FlodeRapport("f3", ("Vy Tåg", "Okänd AB"), ("tag",), date(2022, 1, 1),
                        date(2022, 6, 30), False)
    natdag = _natdag((idle,))
    cover = tackning.coverage(Natdag(DAG, natdag.stations, natdag.deps.iloc[:0], (idle,), {},
                                     {}), REGISTER, REGION, _kommuner())
    # Vy Tåg is Vy's, of another period (tåg); nobody has buses but the feeds have none
    assert tackning.sentence(cover, "sv") == (
        "Inga tidtabeller för trafikdagen. Saknas: SJ (tåg), Tågab (tåg), Värmlandstrafik (tåg "
        "och buss), Vy (buss). Ej med (annan period): Vy och Okänd AB 2022-01-01–2022-06-30.")
    assert tackning.sentence(cover, "en") == (
        "No timetable for the day. Missing: SJ (rail), Tågab (rail), Värmlandstrafik (rail "
        "and bus), Vy (bus). Not counted (other period): Vy and Okänd AB "
        "2022-01-01–2022-06-30.")
    one_year = FlodeRapport("f4", ("SJ AB", "Tågab", "Vy"), ("tag", "buss"), date(2024, 1, 1),
                            date(2024, 12, 31), True)
    natdag = _natdag((one_year,))
    natdag.deps["operator"] = "SJ AB"
    cover = tackning.coverage(natdag, REGISTER, REGION, _kommuner())
    assert tackning.sentence(cover, "sv") == (
        "Tidtabeller: SJ, Tågab och Vy 2024 (Tågab och Vy: inga turer 2023-11-07). "
        "Saknas: Värmlandstrafik (tåg och buss).")


def test_uncovered_kommuner_get_empty_stomlinje_indicators_with_the_reason():
    rows = pd.DataFrame({
        "kommunkod": ["1701", "1701", "1704", "1703"],
        "indikator": ["befolkning_stomlinje_tag_1000", "befolkning",
                      "befolkning_stomlinje_tag_1000", "befolkning_stomlinje_buss_500"],
        "varde": [10.0, 500.0, 20.0, 30.0], "teljare": [50.0, 500.0, 40.0, 3.0],
        "namnare": [500.0, np.nan, 200.0, 10.0], "kalla": ["GTFS", "SCB", "GTFS", "GTFS"]})
    cover = _cover()
    reason = cover.kommuner.set_index("kommunkod")
    out = tackning.blank_uncovered(rows, cover)
    assert out["varde"].isna().tolist() == [True, False, False, True]
    assert out["teljare"].isna().tolist() == [True, False, False, True]
    assert out["namnare"].tolist()[::2] == [500.0, 200.0]
    assert out["kalla"].tolist() == [reason.loc["1701", "orsak_sv"] + " — GTFS", "SCB", "GTFS",
                                     reason.loc["1703", "orsak_sv"] + " — GTFS"]
    english = tackning.blank_uncovered(rows, cover, "en")
    assert english["kalla"].iloc[0] == reason.loc["1701", "orsak_en"] + " — GTFS"
    assert rows["varde"].tolist() == [10.0, 500.0, 20.0, 30.0]  # the input is left as it was


def test_a_kommuns_reasons_keep_the_order_its_stations_come_in():
    """Bro (no departures) comes before Cby (another period), so its reason is said first,
    though ``annan_period`` sorts before ``ej_trafikdagen``."""
    stations = gpd.GeoDataFrame({"namn": ["Bro", "Cby"], "kommunkod": ["1702", "1702"],
                                 "status": ["ej_trafikdagen", "annan_period"],
                                 "forvantad": [True, True]}, geometry=[_at(12), _at(13)],
                                crs=3006)
    rows = tackning.kommun_coverage(stations, ["1702"], "2023-11-07", "7 Nov 2023")
    assert rows["orsak_sv"].tolist() == [
        "Tågtrafiken i kommunen täcks inte av tidtabellerna här (inga avgångar 2023-11-07: "
        "Bro; tidtabell för annan period: Cby)"]


def test_an_operator_running_trains_is_not_counted_as_running_buses():
    """SJ, expected by bus, runs only trains on the day and holds no bus timetable: its
    buses are missing, not running."""
    region = RegionTraffic(lanskod="17", stations=(), basis="test",
                           operators=(Operator("SJ", ("SJ",), ("buss",)),))
    operators = tackning.operator_coverage(_natdag(), region)
    assert operators.values.tolist() == [["SJ", "buss", "saknas"]]
