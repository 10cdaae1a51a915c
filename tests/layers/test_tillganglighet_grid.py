"""The access surface: one raster cell per SCB grid square of the real build, holding the
population-weighted distance of the square's tätort and landsbygd parts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.io import MemoryFile

from gisapp.exports.geotiff import encode
from layers import tillganglighet


@pytest.fixture(scope="module")
def access(built):
    layer = built.layer("tillganglighet")
    return layer[layer["kategori"] == "apotek"]


def test_every_square_gets_the_weighted_distance_of_its_parts(access):
    array, transform = tillganglighet.surface(access, kategori="apotek", column="km",
                                              size_m=1000.0)
    rows = pd.DataFrame(access.drop(columns="geometry"))
    rows["weighted"] = rows["km"] * rows["befolkning"]
    squares = rows.groupby("rutid_scb")[["weighted", "befolkning"]].sum()
    expected = squares["weighted"] / squares["befolkning"]
    assert np.isfinite(array).sum() == len(expected) == rows["rutid_scb"].nunique()
    x = squares.index.str.slice(0, 6).astype(int)
    y = squares.index.str.slice(6).astype(int)
    assert (transform.c, transform.f) == (x.min(), y.max() + 1000)
    for rutid, km in expected.sample(200, random_state=1).items():
        col, row = ~transform @ (int(rutid[:6]) + 500, int(rutid[6:]) + 500)
        assert array[int(row), int(col)] == pytest.approx(km, rel=1e-6)
    split = rows.groupby("rutid_scb").size()
    assert (split == 2).sum() > 100  # squares split between tätort and landsbygd


def test_surface_round_trips_as_geotiff(access):
    array, transform = tillganglighet.surface(access, kategori="apotek", column="km",
                                              size_m=1000.0)
    with MemoryFile(encode(array, transform)) as memory, memory.open() as raster:
        assert raster.crs.to_epsg() == 3006
        assert raster.res == (1000.0, 1000.0)
        band = raster.read(1)
        point = access.iloc[0]
        row, col = rasterio.transform.rowcol(raster.transform, int(point["rutid_scb"][:6]) + 1,
                                             int(point["rutid_scb"][6:]) + 1)
        assert np.isfinite(band[row, col])
        np.testing.assert_array_equal(np.isnan(band), np.isnan(array))
