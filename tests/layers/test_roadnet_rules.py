"""Road segments as directed edges with car travel times, on hand-made OSM segments (no data
files, no conftest: the fast tests that ``scripts/mutate.py`` runs against
``layers/roadnet.py``).

Segments are what :mod:`data_sources.roads` gives: ``u, v, length_m, highway, maxspeed`` (OSM
text, may be empty), ``oneway`` (OSM text ``yes``/``-1``/``no`` or empty). Expected values follow
the rules in :mod:`layers.roadnet`: ``maxspeed`` when usable (the lowest of several, ``mph``
converted at 1.609344 km/mile, the Swedish implicit values), else the default of the road
class (50 km/h for a class not in the table); minutes = km / (km/h) · 60; ``yes`` keeps u→v,
``-1`` keeps v→u, anything else both.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from layers import roadnet
from layers.roadnet import directed_edges, parse_maxspeed, speeds_kmh


@pytest.mark.parametrize(("text", "kmh"), [
    ("50", 50.0), (" 50 ", 50.0), ("50.5", 50.5), ("120", 120.0),
    # the lowest of several, whatever their order
    ("30;50", 30.0), ("70; 50", 50.0), ("50;30;70", 30.0),
    # 20 miles an hour: 20 · 1.609344 = 32.18688 km/h
    ("20 mph", 32.18688), ("20mph", 32.18688), ("30 MPH;50", 48.28032),
    # the Swedish implicit values, in any case
    ("SE:urban", 50.0), ("se:rural", 70.0), ("SE:motorway", 110.0),
    ("SE:living_street", 7.0), ("walk", 7.0), ("SE:rural;60", 60.0),
    # a value and a word the table does not know: the value
    ("signals;40", 40.0),
    # a speed of 0 is no speed limit to drive by; any speed above 0 is one, however low
    ("0;50", 50.0), ("1", 1.0), ("0.5;50", 0.5),
])
def test_maxspeed_texts_give_the_limit_in_kmh(text, kmh):
    assert parse_maxspeed(text) == pytest.approx(kmh, rel=1e-12)


@pytest.mark.parametrize("text", [None, "signals", "none", "0", "0 mph", "-1", "50 km/h",
                                  "", ";", "SE:urban:x", math.nan])
def test_unusable_maxspeed_is_nan(text):
    assert math.isnan(parse_maxspeed(text))


def test_a_number_read_as_a_number_is_its_text():
    assert parse_maxspeed(80) == 80.0 and parse_maxspeed(60.0) == 60.0


def test_maxspeed_wins_over_the_class_default_and_an_unknown_class_gets_the_fallback():
    highway = pd.Series(["motorway", "residential", "track", "living_street", "primary"])
    maxspeed = pd.Series([None, "30", None, None, "SE:rural"])
    speeds = speeds_kmh(highway, maxspeed)
    assert isinstance(speeds, np.ndarray) and speeds.dtype == np.float64
    # motorway 110 by default; 30 tagged; track is not in the table: 50; gångfart 7; 70 tagged
    assert speeds.tolist() == [110.0, 30.0, 50.0, 7.0, 70.0]
    assert roadnet.FALLBACK_SPEED_KMH == 50.0


def test_the_defaults_table_can_be_replaced():
    highway = pd.Series(["motorway", "residential"])
    speeds = speeds_kmh(highway, pd.Series([None, "45"]), defaults={"motorway": 100.0})
    # residential is not in the given table: the fallback; the tag still wins
    assert speeds.tolist() == [100.0, 45.0]
    speeds = speeds_kmh(pd.Series(["residential"]), pd.Series([None]),
                        defaults={"motorway": 100.0})
    assert speeds.tolist() == [50.0]


def test_the_swedish_defaults_follow_the_general_limits():
    # trafikförordningen: 50 inside built-up areas (the fallback); gångfart 7 (living streets);
    # the motorway default is the implicit motorway value
    table = roadnet.DEFAULT_SPEED_KMH
    assert table["motorway"] == roadnet.IMPLICIT_KMH["se:motorway"] == 110.0
    assert table["living_street"] == roadnet.IMPLICIT_KMH["se:living_street"] == 7.0
    assert roadnet.FALLBACK_SPEED_KMH == roadnet.IMPLICIT_KMH["se:urban"] == 50.0


def _segments(rows: list[tuple]) -> pd.DataFrame:
    """``(u, v, length_m, highway, maxspeed, oneway)``."""
    return pd.DataFrame(rows, columns=["u", "v", "length_m", "highway", "maxspeed", "oneway"])


def test_one_way_segments_keep_their_direction_and_the_rest_give_both():
    segments = _segments([
        (1, 2, 1000, "residential", "30", "yes"),      # 1 km at 30 km/h: 2 min, u→v only
        (3, 4, 1500, "motorway", None, None),          # 1.5 km at 110: 1.5/110·60 min, both
        (5, 6, 1609.344, "tertiary", "20 mph", "-1"),  # 1 mile at 20 mph: 3 min, v→u only
        (7, 8, 600, "track", None, "no"),              # 0.6 km at 50: 0.72 min, both
        (9, 10, 100, "service", None, " Yes "),        # 0.1 km at 20: 0.3 min, u→v only
        (11, 12, 100, "service", None, "TRUE"),        # u→v only
        (13, 14, 100, "service", None, "1"),           # u→v only
        (15, 16, 100, "service", None, "Reverse"),     # v→u only
        (17, 18, 100, "service", None, "alternating"),  # both
    ])
    out = directed_edges(segments)
    assert list(out.columns) == ["u", "v", "length_m", "minutes"]
    assert out.index.tolist() == list(range(len(out)))
    assert out["length_m"].dtype == np.float64
    # the kept forward directions in segment order, then the reverse ones in segment order
    assert list(zip(out["u"], out["v"], strict=True)) == [
        (1, 2), (3, 4), (7, 8), (9, 10), (11, 12), (13, 14), (17, 18),
        (4, 3), (6, 5), (8, 7), (16, 15), (18, 17)]
    assert out["length_m"].tolist() == [1000.0, 1500.0, 600.0, 100.0, 100.0, 100.0, 100.0,
                                        1500.0, 1609.344, 600.0, 100.0, 100.0]
    motorway = 1.5 / 110.0 * 60.0
    assert out["minutes"].to_numpy() == pytest.approx(
        [2.0, motorway, 0.72, 0.3, 0.3, 0.3, 0.3, motorway, 3.0, 0.72, 0.3, 0.3], rel=1e-12)


def test_directed_edges_use_the_given_defaults():
    segments = _segments([(1, 2, 1000, "residential", None, "yes")])
    # 1 km at 60 km/h: 1 minute
    out = directed_edges(segments, defaults={"residential": 60.0})
    assert out["minutes"].tolist() == [1.0]
