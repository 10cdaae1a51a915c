"""SCB population grid: both published forms (GeoPackage, GeoTIFF) on marked fixtures, and the
zonal sums against the real kommun and tätort polygons of ../shared/data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine

from data_sources import befolkningsruta, kommuner, tatorter
from data_sources.errors import DataError
from layers import befolkningsruta as ruta_layer
from tests.conftest import FIXTURES

GPKG = FIXTURES / "befolkningsruta" / "befolkningsruta_1km_fixture.gpkg"
TIF = FIXTURES / "befolkningsruta" / "befolkningsruta_250m_fixture.tif"


@pytest.fixture(scope="module")
def zones(data_dir):
    """The real Värmland kommuner and tätort polygons (LM 2018)."""
    region = kommuner.load(data_dir)
    region = region[region["lanskod"] == "17"]
    urban = tatorter.load(data_dir)
    return region, urban[urban["kommunkod"].isin(region["kommunkod"])]


def sums(cells, zones) -> dict:
    region, urban = zones
    assigned = ruta_layer.assign(cells, region, urban)
    frame = ruta_layer.zonal_sums(assigned, kommunkoder=region["kommunkod"].tolist())
    return frame.set_index(["kommunkod", "omrade"])["befolkning"].to_dict()


def test_geopackage_squares_become_centre_points():
    cells = befolkningsruta.parse(GPKG, size_m=1000)
    assert cells.crs == "EPSG:3006"
    assert len(cells) == 4  # the square with 0 people is left out
    first = cells.set_index("ruta").loc["410000_6582000"]
    assert (first.geometry.x, first.geometry.y) == (410_500, 6_582_500)
    assert first["befolkning"] == 1000


def test_zonal_sums_by_kommun_and_tatort(zones):
    result = sums(befolkningsruta.parse(GPKG, size_m=1000), zones)
    assert result[("1780", "tatort")] == 1000
    assert result[("1780", "landsbygd")] == 100
    assert result[("1715", "tatort")] == 10
    assert result[("1715", "landsbygd")] == 1
    for kommunkod in zones[0]["kommunkod"]:
        assert (result[(kommunkod, "tatort")] + result[(kommunkod, "landsbygd")]
                == result[(kommunkod, "hela_kommunen")])
    assert sum(v for (_, omrade), v in result.items() if omrade == "hela_kommunen") == 1111


def test_geotiff_cells_with_nodata_and_zero(zones):
    cells = befolkningsruta.parse(TIF, size_m=250)
    assert sorted(cells["befolkning"]) == [3, 5, 7]
    assert set(cells["ruta"]) == {"415000_6584250", "415500_6584250", "415250_6584000"}
    result = sums(cells, zones)
    assert result[("1780", "tatort")] == 15
    assert result[("1780", "landsbygd")] == 0


def test_squares_layer_rebuilds_the_published_squares(zones):
    cells = befolkningsruta.parse(GPKG, size_m=1000)
    squares = ruta_layer.squares(ruta_layer.assign(cells, *zones))
    published = gpd.read_file(GPKG).set_index("Beftotalt")
    for row in squares.itertuples():
        assert row.geometry.equals(published.loc[row.befolkning, "geometry"])


def test_wrong_square_size_is_named():
    with pytest.raises(DataError, match=r"expected 250 m squares; .* measure 1000.0"):
        befolkningsruta.parse(GPKG, size_m=250)


def test_geotiff_in_wrong_crs_or_with_negative_values(tmp_path):
    profile = {"driver": "GTiff", "width": 2, "height": 1, "count": 1, "dtype": "int32",
               "transform": Affine(250, 0, 415_000, 0, -250, 6_584_500)}
    wrong_crs = tmp_path / "wgs84.tif"
    with rasterio.open(wrong_crs, "w", crs="EPSG:4326", **profile) as dst:
        dst.write(np.array([[1, 2]], dtype="int32"), 1)
    with pytest.raises(DataError, match="wgs84.tif: CRS is EPSG:4326, expected EPSG:3006"):
        befolkningsruta.parse(wrong_crs, size_m=250)
    negative = tmp_path / "negative.tif"
    with rasterio.open(negative, "w", crs="EPSG:3006", **profile) as dst:
        dst.write(np.array([[4, -3]], dtype="int32"), 1)
    with pytest.raises(DataError, match=r"whole numbers ≥ 0 .* -3.0 at \(row, col\) \(0, 1\)"):
        befolkningsruta.parse(negative, size_m=250)


def test_missing_population_column_is_named(tmp_path):
    frame = gpd.read_file(GPKG).rename(columns={"Beftotalt": "Totalt"})
    path = tmp_path / "ruta.gpkg"
    frame.to_file(path, driver="GPKG")
    with pytest.raises(DataError, match=r"ruta.gpkg: missing column\(s\) 'Beftotalt'"):
        befolkningsruta.parse(path, size_m=1000)


def test_a_square_given_twice_or_without_geometry_is_named(tmp_path):
    frame = gpd.read_file(GPKG)
    twice = tmp_path / "twice.gpkg"
    pd.concat([frame, frame.iloc[[0]]]).to_file(twice, driver="GPKG")
    with pytest.raises(DataError, match="same square appears more than once"):
        befolkningsruta.parse(twice, size_m=1000)
    hollow = tmp_path / "hollow.gpkg"
    frame.assign(geometry=[None, *frame.geometry.iloc[1:]]).to_file(hollow, driver="GPKG")
    with pytest.raises(DataError, match=r"feature\(s\) 0 have no geometry"):
        befolkningsruta.parse(hollow, size_m=1000)
