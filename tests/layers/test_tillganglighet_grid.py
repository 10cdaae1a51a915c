"""Grid squares as origins: the SCB population-grid fixture (marked, not real data) placed on
the real Värmland boundaries, measured to the real Pipos pharmacies."""

from __future__ import annotations

import numpy as np
import pytest

from data_sources import befolkningsruta, kommuner, pipos, tatorter
from layers import befolkningsruta as ruta_layer
from layers import kommuner as kommuner_layer
from layers import service, tillganglighet
from layers.accessibility import accessibility
from tests.conftest import FIXTURES

GPKG = FIXTURES / "befolkningsruta" / "befolkningsruta_1km_fixture.gpkg"


@pytest.fixture(scope="module")
def grid_access(data_dir):
    """Access from the fixture's populated squares to the real pharmacies (straight line)."""
    region = kommuner_layer.build(kommuner.load(data_dir), lanskod="17")
    urban = tatorter.load(data_dir)
    cells = befolkningsruta.parse(GPKG, size_m=1000)
    squares = ruta_layer.squares(ruta_layer.assign(cells, region, urban))
    origins = tillganglighet.origins_from_grid(squares, region)
    pharmacies = service.from_pipos(pipos.load(data_dir), date="2025-11-12")
    return origins, accessibility(origins, pharmacies, None, snap_speed_kmh=30.0)


def test_grid_squares_become_tatort_and_landsbygd_origins(grid_access):
    origins, _ = grid_access
    by_id = origins.set_index("id")
    assert by_id.loc["410000_6582000", "omrade"] == "tatort"  # 1000 people in Karlstad tätort
    assert sorted(origins["befolkning"]) == [1, 10, 100, 1000]
    assert set(origins["omrade"]) == {"tatort", "landsbygd"}
    assert origins.crs.to_epsg() == 3006


def test_whole_kommun_rows_appear_when_landsbygd_is_covered(grid_access):
    _, access = grid_access
    rows = tillganglighet.indicators(access, thresholds_km=(5.0,), thresholds_min=(10.0,),
                                     year="fixture", sources={"apotek": "fixture"})
    mean = rows[rows["indikator"] == "service_apotek_medelavstand"].set_index(
        ["kommunkod", "omrade"])
    assert mean.loc[("1780", "hela_kommunen"), "namnare"] == 1100
    assert mean.loc[("1780", "hela_kommunen"), "teljare"] == pytest.approx(
        mean.loc[("1780", "tatort"), "teljare"] + mean.loc[("1780", "landsbygd"), "teljare"])


def test_surface_puts_each_square_in_its_cell_and_round_trips_as_geotiff(grid_access):
    import rasterio
    from rasterio.io import MemoryFile

    from gisapp.exports.geotiff import encode

    _, access = grid_access
    array, transform = tillganglighet.surface(access, kategori="apotek", column="km",
                                              size_m=1000.0)
    assert np.isfinite(array).sum() == len(access)
    with MemoryFile(encode(array, transform)) as memory, memory.open() as raster:
        assert raster.crs.to_epsg() == 3006
        band = raster.read(1)
        for point, km in zip(access.geometry, access["km"], strict=True):
            row, col = rasterio.transform.rowcol(raster.transform, point.x, point.y)
            assert band[row, col] == pytest.approx(km, rel=1e-6)
