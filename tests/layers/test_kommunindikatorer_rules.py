"""The ``kommunindikatorer`` layer on hand-made kommuner, indicator rows and classifications (no
data files, no conftest: the fast tests that ``scripts/mutate.py`` runs against
``layers/kommunindikatorer.py``).

Rows follow the indicator contract (``kommunkod, omrade, indikator, varde, enhet, teljare,
namnare, ar, kalla``); classifications are :mod:`data_sources.klassning` tables (``kommunkod,
klass_kod, klass, huvudgrupp``) keyed by their id. Expected values follow
:func:`layers.kommunindikatorer.build`: every kommun of the layer, one column per indicator
with its ``hela_kommunen`` value (NaN where absent), one ``klass_<id>`` column per
classification (empty where it lacks the kommun).
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from layers import kommunindikatorer
from layers.indikatorer import COLUMNS


def _kommuner() -> gpd.GeoDataFrame:
    """Three kommuner (with a column the layer does not keep); square i starts at x = 10 i."""
    return gpd.GeoDataFrame({"kommunkod": ["1715", "1780", "1784"],
                             "kommunnamn": ["Kil", "Karlstad", "Arvika"],
                             "invanare": [12000, 95000, 26000]},
                            geometry=[box(i * 10, 0, i * 10 + 5, 5) for i in range(3)], crs=3006)


def _rows(rows: list[tuple]) -> pd.DataFrame:
    """``(kommunkod, omrade, indikator, varde)`` as indicator rows."""
    frame = pd.DataFrame(rows, columns=["kommunkod", "omrade", "indikator", "varde"])
    frame = frame.assign(enhet="x", teljare=math.nan, namnare=math.nan, ar="2024", kalla="SCB")
    return frame[COLUMNS]


def _klass(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kommunkod", "klass_kod", "klass", "huvudgrupp"])


ROWS = [
    ("1780", "hela_kommunen", "befolkning", 95000.0),
    ("1780", "tatort", "befolkning", 88000.0),
    ("1780", "hela_kommunen", "andel_i_tatort", 92.6),
    ("1715", "hela_kommunen", "befolkning", 12000.0),
    ("1715", "landsbygd", "andel_i_tatort", 10.0),
]
KLASSER = {
    "skr": _klass([("1780", "B3", "Större stad", "B"), ("1784", "C8", "Landsbygdskommun", "C")]),
    "tillvaxtverket": _klass([("1715", "2", "Tätortsnära landsbygd", "Landsbygd")]),
}


def test_every_kommun_gets_its_whole_kommun_values_and_classes():
    out = kommunindikatorer.build(_kommuner(), _rows(ROWS), KLASSER)
    assert list(out.columns) == ["kommunkod", "kommunnamn", "geometry", "andel_i_tatort",
                                 "befolkning", "klass_skr", "klass_tillvaxtverket"]
    # Arvika has no rows but stays; its values are NaN
    assert out["kommunkod"].tolist() == ["1715", "1780", "1784"]
    assert [g.bounds[0] for g in out.geometry] == [0.0, 10.0, 20.0]
    assert out["befolkning"].tolist()[:2] == [12000.0, 95000.0]
    assert math.isnan(out["befolkning"].iloc[2])
    # Kil's andel_i_tatort is only for its landsbygd: NaN for the whole kommun
    assert math.isnan(out["andel_i_tatort"].iloc[0]) and out["andel_i_tatort"].iloc[1] == 92.6
    assert out["klass_skr"].tolist()[1:] == ["Större stad", "Landsbygdskommun"]
    assert pd.isna(out["klass_skr"].iloc[0])
    assert out["klass_tillvaxtverket"].iloc[0] == "Tätortsnära landsbygd"
    assert out["klass_tillvaxtverket"].iloc[1:].isna().all()
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 3006


def test_without_whole_kommun_rows_only_the_classes_are_added():
    rows = _rows([("1780", "tatort", "befolkning", 88000.0)])
    out = kommunindikatorer.build(_kommuner(), rows, {"skr": KLASSER["skr"]})
    assert list(out.columns) == ["kommunkod", "kommunnamn", "geometry", "klass_skr"]
    assert out["kommunkod"].tolist() == ["1715", "1780", "1784"]


def test_an_empty_table_and_no_classes_give_the_kommuner_alone():
    out = kommunindikatorer.build(_kommuner(), pd.DataFrame(columns=COLUMNS), {})
    assert list(out.columns) == ["kommunkod", "kommunnamn", "geometry"]
    assert out["kommunnamn"].tolist() == ["Kil", "Karlstad", "Arvika"]
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 3006
