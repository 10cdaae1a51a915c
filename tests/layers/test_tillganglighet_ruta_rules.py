"""The squares of one service category on a few hand-made grid parts (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against
``layers/tillganglighet_ruta.py``).

Rows are what the ``tillganglighet`` layer holds for grid origins: one row per part (tätort,
landsbygd) of an SCB square, ``rutid_scb`` the square's SW corner (6 digits x, 7 digits y,
EPSG:3006), unreachable parts with ``inf`` km and minutes and ``nabar = False``, no minutes
(NaN) for straight-line distances. Expected values are worked out by hand from the rules in
:func:`layers.tillganglighet_ruta.build`: population-weighted means, rounded as shown (km to
2 decimals, minutes to 1) and classed as shown by the legend's breaks 5, 10, 20, 30.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from layers import tillganglighet_ruta
from layers.accessibility import NETWORK, STRAIGHT

INF = math.inf
NAN = math.nan


def _access(rows: list[tuple], metod: str) -> pd.DataFrame:
    """Parts ``(rutid_scb, kommunkod, kategori, befolkning, km, minuter, nabar)``."""
    columns = ["rutid_scb", "kommunkod", "kategori", "befolkning", "km", "minuter", "nabar"]
    frame = pd.DataFrame(rows, columns=columns).assign(metod=metod)
    return frame.astype({"befolkning": "int64", "nabar": bool})


# listed out of square order; a post row and a part without a square are left out
NETWORK_PARTS = [
    # one part of 5: 12.3456 km → 12.35, 19.96 min → 20.0, which is class 20_30 (as shown)
    ("3910006600000", "1780", "apotek", 5, 12.3456, 19.96, True),
    # 30 at 2 km / 3 min and 10 at 6 km / 9 min: (60 + 60) / 40 = 3 km, (90 + 90) / 40 = 4.5
    ("3900006600000", "1780", "apotek", 30, 2.0, 3.0, True),
    ("3900006600000", "1780", "post", 30, 0.1, 0.2, True),
    ("3900006600000", "1780", "apotek", 10, 6.0, 9.0, True),
    # one part of 10 reached, one of 2 not: unreachable
    ("3930006600000", "1781", "apotek", 10, 3.0, 4.0, True),
    ("3930006600000", "1781", "apotek", 2, INF, INF, False),
    # no inhabitant in either part: the plain mean, (4 + 8) / 2 km, (6 + 10) / 2 min
    ("3900006601000", "1780", "apotek", 0, 4.0, 6.0, True),
    ("3900006601000", "1780", "apotek", 0, 8.0, 10.0, True),
    # 10 at 3 km / 4 min beside an empty part at 9 km / 12 min: the empty part weighs nothing
    ("3920006600000", "1781", "apotek", 10, 3.0, 4.0, True),
    ("3920006600000", "1781", "apotek", 0, 9.0, 12.0, True),
    (None, "1780", "apotek", 1000, 50.0, 60.0, True),
]


def test_classes_follow_the_legend_breaks_with_the_lower_bound_inside():
    values = np.array([0.0, 4.99, 5.0, 9.99, 10.0, 19.99, 20.0, 29.99, 30.0, 120.0, 1.0])
    reachable = np.array([True] * 10 + [False])
    assert tillganglighet_ruta.classify(values, reachable).tolist() == [
        "0_5", "0_5", "5_10", "5_10", "10_20", "10_20", "20_30", "20_30", "over_30", "over_30",
        "ej_nabar"]


def test_network_squares_are_population_weighted_and_classed_by_car_time():
    out = tillganglighet_ruta.build(_access(NETWORK_PARTS, NETWORK), kategori="apotek",
                                    size_m=1000.0)
    assert list(out.columns) == tillganglighet_ruta.COLUMNS
    assert out.crs == "EPSG:3006"
    assert out["rutid_scb"].tolist() == ["3900006600000", "3900006601000", "3910006600000",
                                         "3920006600000", "3930006600000"]
    assert out["kommunkod"].tolist() == ["1780", "1780", "1780", "1781", "1781"]
    assert (out["kategori"] == "apotek").all() and (out["metod"] == NETWORK).all()
    assert out["befolkning"].tolist() == [40, 0, 5, 10, 12]
    assert out["km"].tolist() == [3.0, 6.0, 12.35, 3.0, INF]
    assert out["minuter"].tolist() == [4.5, 8.0, 20.0, 4.0, INF]
    assert out["klass"].tolist() == ["0_5", "5_10", "20_30", "0_5", "ej_nabar"]
    assert [g.bounds for g in out.geometry] == [
        (390000.0, 6600000.0, 391000.0, 6601000.0), (390000.0, 6601000.0, 391000.0, 6602000.0),
        (391000.0, 6600000.0, 392000.0, 6601000.0), (392000.0, 6600000.0, 393000.0, 6601000.0),
        (393000.0, 6600000.0, 394000.0, 6601000.0)]


STRAIGHT_PARTS = [
    # 4.996 km is shown as 5.0 and classed 5_10 (4.996 itself would be 0_5)
    ("4130006583000", "1780", "post", 7, 4.996, NAN, True),
    ("4130006583000", "1780", "apotek", 7, 0.5, NAN, True),  # another category: left out
    # 30 at 2 km and 10 at 6 km: 3 km; a road time would class it the same, none is given
    ("4120006583000", "1780", "post", 30, 2.0, NAN, True),
    ("4120006583000", "1780", "post", 10, 6.0, NAN, True),
    ("4140006583000", "1780", "post", 3, INF, NAN, False),
]


def test_straight_line_squares_have_no_time_and_are_classed_by_km():
    out = tillganglighet_ruta.build(_access(STRAIGHT_PARTS, STRAIGHT), kategori="post",
                                    size_m=250.0)
    assert out["rutid_scb"].tolist() == ["4120006583000", "4130006583000", "4140006583000"]
    assert out["km"].tolist() == [3.0, 5.0, INF]
    assert out["minuter"].isna().all()
    assert out["klass"].tolist() == ["0_5", "5_10", "ej_nabar"]
    assert (out["metod"] == STRAIGHT).all() and out["befolkning"].tolist() == [40, 7, 3]
    assert (out["kategori"] == "post").all()
    assert out.geometry.iloc[1].bounds == (413000.0, 6583000.0, 413250.0, 6583250.0)


def test_the_layer_id_names_the_category():
    assert tillganglighet_ruta.layer_id("apotek") == "tillganglighet_apotek"
