"""The ``bredband`` layer on hand-made kommuner and broadband indicator rows (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/bredband.py``).

Rows are what :func:`layers.indikatorer.broadband_rows` gives (the indicator contract:
``kommunkod, omrade, indikator, varde, enhet, teljare, namnare, ar, kalla``, ``omrade`` one of
``tatort``, ``landsbygd``, ``hela_kommunen``); kommuner are the ``kommuner`` layer. Expected
values follow :func:`layers.bredband.build`: per kommun with rows, the ``hela_kommunen`` share
of each ``bredband_*`` indicator in the catalogue's order (empty where the kommun lacks it),
the years of its rows joined with ``/`` in order; kommuner without rows are left out.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from layers import bredband
from layers.indikatorer import BREDBAND_IDS, COLUMNS

HUS_1G, HUS_100, ARB_1G = ("bredband_1gbit_hushall", "bredband_100mbit_hushall",
                           "bredband_1gbit_arbetsstallen")


def _kommuner() -> gpd.GeoDataFrame:
    """Three kommuner; square i starts at x = 10 i."""
    return gpd.GeoDataFrame({"kommunkod": ["1715", "1780", "1784"],
                             "kommunnamn": ["Kil", "Karlstad", "Arvika"],
                             "lanskod": ["17"] * 3},
                            geometry=[box(i * 10, 0, i * 10 + 5, 5) for i in range(3)], crs=3006)


def _rows(rows: list[tuple]) -> pd.DataFrame:
    """``(kommunkod, omrade, indikator, varde, ar)`` as indicator rows."""
    frame = pd.DataFrame(rows, columns=["kommunkod", "omrade", "indikator", "varde", "ar"])
    frame = frame.assign(enhet="procent", teljare=math.nan, namnare=math.nan, kalla="PTS")
    return frame[COLUMNS]


ROWS = [
    # Karlstad: two indicators of 2024 and one of 2023; tätort and landsbygd rows not shown
    ("1780", "tatort", HUS_1G, 99.0, "2024"),
    ("1780", "hela_kommunen", HUS_1G, 95.5, "2024"),
    ("1780", "landsbygd", HUS_1G, 60.0, "2024"),
    ("1780", "hela_kommunen", HUS_100, 97.0, "2024"),
    ("1780", "hela_kommunen", ARB_1G, 80.0, "2023"),
    # Kil: one indicator
    ("1715", "hela_kommunen", HUS_1G, 70.25, "2024"),
    ("1715", "tatort", HUS_100, 99.0, "2024"),
    # a kommun outside the layer
    ("1880", "hela_kommunen", HUS_1G, 90.0, "2024"),
]


def test_each_kommun_with_rows_has_its_whole_kommun_shares():
    out = bredband.build(_kommuner(), _rows(ROWS))
    assert list(out.columns) == ["kommunkod", "kommunnamn", "geometry", *BREDBAND_IDS, "ar"]
    # Arvika has no rows, 1880 is not in the layer
    assert out["kommunkod"].tolist() == ["1715", "1780"]
    assert out["kommunnamn"].tolist() == ["Kil", "Karlstad"]
    assert [g.bounds[0] for g in out.geometry] == [0.0, 10.0]
    assert out[HUS_1G].tolist() == [70.25, 95.5]
    # Kil's 100 Mbit/s share is only for its tätort: empty for the whole kommun
    assert math.isnan(out[HUS_100].iloc[0]) and out[HUS_100].iloc[1] == 97.0
    assert math.isnan(out[ARB_1G].iloc[0]) and out[ARB_1G].iloc[1] == 80.0
    # no kommun has the 100 Mbit/s workplace share: the column is there, empty
    assert out["bredband_100mbit_arbetsstallen"].isna().all()
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 3006


def test_the_years_of_a_kommuns_rows_are_listed_once_each_in_order():
    out = bredband.build(_kommuner(), _rows(ROWS)).set_index("kommunkod")
    # Karlstad: 2024, 2024, 2023 → "2023/2024"; Kil: 2024 (its tätort row's year not counted)
    assert out.loc["1780", "ar"] == "2023/2024"
    assert out.loc["1715", "ar"] == "2024"


def test_a_year_only_of_partial_rows_is_not_listed():
    rows = _rows([("1780", "hela_kommunen", HUS_1G, 95.5, "2024"),
                  ("1780", "tatort", HUS_100, 99.0, "2022")])
    assert bredband.build(_kommuner(), rows)["ar"].tolist() == ["2024"]
