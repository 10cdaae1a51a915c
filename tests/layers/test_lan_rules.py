"""The ``lan`` layer on a few hand-made län polygons (no data files, no conftest: the fast tests
that ``scripts/mutate.py`` runs against ``layers/lan.py``).

Frames are what :mod:`data_sources.lan` loads: ``lanskod`` (2-digit text), ``lansnamn``,
``area_km2``, ``geometry`` (EPSG:3006). Expected values follow the rules of
:func:`layers.lan.build`: the län of the region chosen by code, as ``lanskod, lansnamn,
geometry``, sorted by code and numbered from 0, an unknown code an error naming it.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from data_sources.errors import DataError
from layers import lan


def _lan() -> gpd.GeoDataFrame:
    """Four län listed out of code order, each a square of its own (x from its position)."""
    rows = [("20", "Dalarnas län", 1.0), ("03", "Uppsala län", 2.0),
            ("17", "Värmlands län", 3.0), ("18", "Örebro län", 4.0)]
    return gpd.GeoDataFrame(
        {"lanskod": [r[0] for r in rows], "lansnamn": [r[1] for r in rows],
         "area_km2": [r[2] for r in rows]},
        geometry=[box(i * 10, 0, i * 10 + 5, 5) for i in range(len(rows))], crs=3006)


def test_one_lan_is_chosen_by_code_with_its_name_and_polygon_only():
    out = lan.build(_lan(), lanskod="17")
    # Värmland is the third row: its square starts at x = 2 * 10
    assert list(out.columns) == ["lanskod", "lansnamn", "geometry"]
    assert out["lanskod"].tolist() == ["17"] and out["lansnamn"].tolist() == ["Värmlands län"]
    assert out.index.tolist() == [0]
    assert out.geometry.iloc[0].equals(box(20, 0, 25, 5))
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 3006


def test_several_lan_are_sorted_by_code_and_numbered_from_zero():
    # asked for as "20,17": given back 17 then 20 (the input lists 20 first, 17 third)
    out = lan.build(_lan(), lanskod="20,17")
    assert out["lanskod"].tolist() == ["17", "20"]
    assert out["lansnamn"].tolist() == ["Värmlands län", "Dalarnas län"]
    assert out.index.tolist() == [0, 1]
    assert out.geometry.iloc[1].equals(box(0, 0, 5, 5))


def test_the_whole_country_is_every_lan_in_code_order():
    out = lan.build(_lan(), lanskod="all")
    assert out["lanskod"].tolist() == ["03", "17", "18", "20"]
    assert out.index.tolist() == [0, 1, 2, 3]


def test_an_unknown_lan_is_an_error_naming_it():
    with pytest.raises(DataError, match="'99'"):
        lan.build(_lan(), lanskod="17,99")
