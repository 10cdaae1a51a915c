"""Station keys on a hand-made register and a few feed stations (no data files, no conftest:
the fast tests that ``scripts/mutate.py`` runs against ``layers/stationsnyckel.py``).

The register (Trafikverket's stations: ``signatur, namn, lokalkod``, points in EPSG:3006)
lies along a line east of ``X0, Y0``; the stations abroad lie 100 km further east, far from
every register point. Distances are on the x axis (whole metres, so exact), the thresholds
those of the settings: ``near_m`` 300 m, ``name_m`` 1 500 m. Expected keys are worked out by
hand from the rules in the module docstring.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from layers.stationsnyckel import normalise, register_match, station_keys

X0, Y0 = 400_000.0, 6_600_000.0
NEAR_M, NAME_M = 300.0, 1_500.0

# signature, name, location code (None: a technical point), x (m)
REGISTER_ROWS = [
    ("Far", "Sunne", "01", 1_000),          # the same name as the station, farther
    ("Near", "Sunne station", "02", 400),   # the same name, nearer (listed second)
    ("Tech", "Gränsmärke", None, 50),       # nearest of all, but no location code
    ("Rot", "Rottneros", "03", 200),        # coded, another name
]


def _register(rows=REGISTER_ROWS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"signatur": [r[0] for r in rows], "namn": [r[1] for r in rows],
                             "lokalkod": pd.array([r[2] for r in rows], dtype="string")},
                            geometry=[Point(X0 + r[3], Y0) for r in rows], crs="EPSG:3006")


def _stations(rows: list[tuple], index: list[int] | None = None) -> gpd.GeoDataFrame:
    """Feed stations ``(flode, station_id, namn, x, y)`` (m from ``X0, Y0``)."""
    return gpd.GeoDataFrame({"flode": [r[0] for r in rows], "station_id": [r[1] for r in rows],
                             "namn": [r[2] for r in rows]},
                            geometry=[Point(X0 + r[3], Y0 + r[4]) for r in rows],
                            crs="EPSG:3006", index=index)


def test_names_are_compared_without_kind_words_case_or_genitive_s():
    assert normalise("Karlstad Centralstation") == "karlstad"
    assert normalise("Karlstads central") == "karlstad"
    assert normalise("Stockholm C") == "stockholm"
    assert normalise("Göteborg Centralen") == "göteborg"
    assert normalise("Sunne Resecentrum") == normalise("SUNNE-stn") == "sunne"
    assert normalise("Kils järnvägsstation") == "kil"  # "kils": 4 letters, the s dropped
    assert normalise("Ås") == "ås" and normalise("Bus") == "bus"  # under 4 letters: kept
    assert normalise("Övre Hults bro") == "övre hult bro"  # every word on its own
    assert normalise("Centralen") == ""
    assert normalise(17) == "17"


def test_the_same_name_nearest_first_else_the_nearest_coded_point():
    """Station 10: two Sunne in reach, the nearer (400 m) wins over the nearer other names.
    Station 11: no same name; the technical point at 50 m is skipped for Rottneros at 200 m.
    Station 12: Rottneros at exactly 300 m still matches. Station 13: Rottneros at 301 m,
    too far; the Sunne points have another name: none. Station 14: a Sunne 1 600 m away and
    nothing else within 1 500 m: none. Station 15 (after one with nothing in reach): only
    the Sunne 1 400 m away in reach, its own name: that one."""
    stations = _stations([("a", "1", "Sunne", 0, 0), ("a", "2", "Okänd", 0, 0),
                          ("a", "3", "Okänd", -100, 0), ("a", "4", "Okänd", -101, 0),
                          ("a", "5", "Sunne", 2_600, 0), ("a", "6", "Sunne", 2_400, 0)],
                         index=[10, 11, 12, 13, 14, 15])
    match = register_match(stations, _register(), near_m=NEAR_M, name_m=NAME_M)
    assert str(match.dtype) == "string"
    assert match.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert match.tolist()[:3] == ["Near", "Rot", "Rot"]
    assert match.iloc[3:5].isna().all()
    assert match.iloc[5] == "Far"


def test_a_farther_same_name_beats_a_nearer_coded_point():
    """Rottneros (coded) 100 m away, Sunne 900 m away: the name decides."""
    stations = _stations([("a", "1", "Sunne", 100, 0)])
    register = _register([("Rot", "Rottneros", "03", 200), ("Far", "Sunne", "01", 1_000)])
    assert register_match(stations, register, near_m=NEAR_M, name_m=NAME_M).tolist() == ["Far"]


def test_the_nearest_of_two_coded_points_within_reach():
    """Two coded points of other names, the farther listed first: the nearer wins."""
    stations = _stations([("a", "1", "Okänd", 0, 0)])
    register = _register([("B", "Bro", "01", 250), ("A", "Alby", "02", -120)])
    assert register_match(stations, register, near_m=NEAR_M, name_m=NAME_M).tolist() == ["A"]


def test_nothing_to_match_gives_an_empty_match():
    stations = _stations([("a", "1", "Sunne", 0, 0)], index=[7])
    none = register_match(stations, _register([]), near_m=NEAR_M, name_m=NAME_M)
    assert none.index.tolist() == [7] and none.isna().all() and str(none.dtype) == "string"
    empty = register_match(_stations([]), _register(), near_m=NEAR_M, name_m=NAME_M)
    assert empty.empty and str(empty.dtype) == "string"


# Abroad (100 km east, no register point near): A1 and B1 2 km apart keep their own keys;
# C1 lies 1 km from both and takes the first's (A1's); D1 is near A1 with another name; E1
# lies exactly 1 500 m from A1 (shares it); F1 1 501 m north of A1, farther from the others;
# G1 near A1 and D1 with a name sorting after theirs
ABROAD = [("no", "A1", "Oslo S", 100_000, 0), ("sj", "B1", "Oslo S station", 102_000, 0),
          ("vt", "C1", "oslo s", 101_000, 0), ("vt", "D1", "Halden", 100_010, 0),
          ("x", "E1", "Oslo S", 98_500, 0), ("x", "F1", "Oslo S", 100_000, 1_501),
          ("vt", "G1", "Sarpsborg", 100_020, 0)]


def test_every_feed_station_gets_a_key():
    """Matched stations are ``tv:<signatur>`` (two feeds' Sunne share Near's key); those the
    register lacks keep ``<flode>:<station_id>`` unless an earlier one of the same name lies
    within ``name_m``."""
    stations = _stations([("sj", "901", "Sunne", 0, 0), ("vt", "902", "Sunne station", 10, 0),
                          ("sj", "903", "Okänd", 0, 0), *ABROAD])
    keys = station_keys(stations, _register(), near_m=NEAR_M, name_m=NAME_M)
    assert keys.columns.tolist() == ["flode", "station_id", "nyckel", "signatur"]
    assert keys["flode"].tolist() == ["sj", "vt", "sj", "no", "sj", "vt", "vt", "x", "x", "vt"]
    assert keys["station_id"].tolist() == ["901", "902", "903", "A1", "B1", "C1", "D1", "E1",
                                           "F1", "G1"]
    assert keys["nyckel"].tolist() == ["tv:Near", "tv:Near", "tv:Rot", "no:A1", "sj:B1",
                                       "no:A1", "vt:D1", "no:A1", "x:F1", "vt:G1"]
    assert keys["nyckel"].map(type).eq(str).all()
    assert keys["signatur"].tolist()[:3] == ["Near", "Near", "Rot"]
    assert keys["signatur"].iloc[3:].isna().all()


def test_keys_when_every_station_is_matched_or_none_is():
    matched = station_keys(_stations([("sj", "1", "Sunne", 0, 0)]), _register(),
                           near_m=NEAR_M, name_m=NAME_M)
    assert matched["nyckel"].tolist() == ["tv:Near"]
    abroad = station_keys(_stations(ABROAD[:3]), _register(), near_m=NEAR_M, name_m=NAME_M)
    assert abroad["nyckel"].tolist() == ["no:A1", "sj:B1", "no:A1"]
