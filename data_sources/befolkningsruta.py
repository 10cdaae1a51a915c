"""Population grid: SCB "befolkning per ruta" (1 km and 250 m squares, SWEREF 99 TM).

SCB publishes the total population per grid square (ruta) as open geodata, either as a
GeoPackage of square polygons with the population in an attribute (``Beftotalt`` by default,
see :data:`POPULATION_COLUMN`) or as a single-band GeoTIFF whose cell values are population
counts (cells without population are nodata or 0). Both forms are read here; a square is
represented by its centre point, so that zonal sums assign each square to exactly one kommun
and to tätort or landsbygd (``layers.befolkningsruta``).

The grid for Värmland is not in the development data (see ``admin/SOURCES.md``): the layer
``befolkning`` is "saknar data" there, and the loader is tested on fixtures in SCB's format.

Schema returned by :func:`parse` / :func:`load` (EPSG:3006): ``ruta`` (SW corner
``"<x>_<y>"`` in metres), ``befolkning`` (int), ``storlek_m`` (square side, int),
``geometry`` (Point, centre of the square). Squares with no population are left out.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import rasterio.errors
import shapely

from data_sources._validate import (
    COMPUTE_CRS,
    _listed,
    read_vector,
    require_columns,
    require_whole_numbers,
    to_compute_crs,
)
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError

POPULATION_COLUMN = "Beftotalt"
SIZES_M = (250, 1000)
FORMATS = ("gpkg", "tif")
_LANDING = "https://www.scb.se/vara-tjanster/oppna-data/oppna-geodata/"
_SIZE_TOLERANCE_M = 0.5


def _meta(size_m: int, fmt: str) -> SourceMeta:
    """Metadata of one SCB grid product (square size × file format)."""
    label = "250 m" if size_m == 250 else "1 km"
    path = f"befolkning/befolkningsruta_{size_m}m.{fmt}"
    form = (f"GeoPackage with square polygons in EPSG:3006 and the population in column "
            f"{POPULATION_COLUMN}" if fmt == "gpkg"
            else "single-band GeoTIFF in EPSG:3006, cell value = population")
    return SourceMeta(
        name=f"befolkningsruta_{size_m}m_{fmt}",
        title=f"Befolkning per ruta {label}",
        publisher="SCB (Statistiska centralbyrån)",
        licence="CC0 1.0",
        reference_year="as published (31 December of the grid's year)",
        native_crs=COMPUTE_CRS,
        landing_page=_LANDING,
        files=(SourceFile(path=path, how_to_get=(
            f"Hämta SCB:s befolkning per ruta {label} (öppna geodata, eller beställ för "
            f"regionen) och spara som {path}: {form}")),),
        caveats=("Squares are assigned to kommun and tätort by their centre point.",),
    )


# Preference order: finest squares first, GeoPackage before GeoTIFF.
GRIDS: tuple[SourceMeta, ...] = tuple(_meta(size, fmt) for size in SIZES_M for fmt in FORMATS)


def _frame(x0: np.ndarray, y0: np.ndarray, people: np.ndarray, size_m: int) -> gpd.GeoDataFrame:
    """Build the output schema from SW corners, populations and the square size."""
    keep = people > 0
    x0, y0, people = x0[keep], y0[keep], people[keep]
    ruta = [f"{int(round(x))}_{int(round(y))}" for x, y in zip(x0, y0, strict=True)]
    centres = shapely.points(x0 + size_m / 2, y0 + size_m / 2)
    return gpd.GeoDataFrame(
        {"ruta": ruta, "befolkning": people.astype("int64"),
         "storlek_m": np.full(len(people), size_m, dtype="int64")},
        geometry=centres, crs=COMPUTE_CRS,
    )


def parse_gpkg(path: Path, *, size_m: int, column: str = POPULATION_COLUMN) -> gpd.GeoDataFrame:
    """Read SCB grid squares from a GeoPackage (polygons, population in ``column``).

    A feature without geometry, or two features on the same square (counted twice
    otherwise), is a ``DataError`` naming them.
    """
    frame = read_vector(path)
    require_columns(frame, (column,), path)
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        msg = f"{path}: feature(s) {_listed(frame.index[empty])} have no geometry"
        raise DataError(msg)
    frame = to_compute_crs(frame, path, expected=COMPUTE_CRS)
    people = require_whole_numbers(frame, column, path).to_numpy()
    bounds = frame.geometry.bounds
    corner = bounds.minx.round(0).astype("int64").astype(str) + "_" + \
        bounds.miny.round(0).astype("int64").astype(str)
    repeated = corner.duplicated(keep=False)
    if repeated.any():
        msg = (f"{path}: the same square appears more than once (it would be counted twice): "
               f"feature(s) {_listed(frame.index[repeated])}")
        raise DataError(msg)
    sides = np.column_stack([bounds.maxx - bounds.minx, bounds.maxy - bounds.miny])
    wrong = np.abs(sides - size_m).max(axis=1) > _SIZE_TOLERANCE_M
    if wrong.any():
        msg = (f"{path}: expected {size_m} m squares; feature(s) {_listed(frame.index[wrong])} "
               f"measure {_listed(sides[wrong][:, 0].round(1).tolist())} m")
        raise DataError(msg)
    return _frame(bounds.minx.to_numpy(), bounds.miny.to_numpy(), people, size_m)


def parse_tif(path: Path, *, size_m: int) -> gpd.GeoDataFrame:
    """Read SCB grid squares from a single-band GeoTIFF of population counts."""
    try:
        with rasterio.open(path) as src:
            crs, res, transform = src.crs, src.res, src.transform
            band = src.read(1, masked=True)
    except rasterio.errors.RasterioIOError as exc:
        msg = f"{path}: cannot be read as a GeoTIFF: {exc}"
        raise DataError(msg) from exc
    if crs is None or crs.to_epsg() != 3006:
        msg = f"{path}: CRS is {crs}, expected {COMPUTE_CRS}"
        raise DataError(msg)
    if abs(res[0] - size_m) > _SIZE_TOLERANCE_M or abs(res[1] - size_m) > _SIZE_TOLERANCE_M:
        msg = f"{path}: cell size is {res[0]} × {res[1]} m, expected {size_m} m squares"
        raise DataError(msg)
    values = band.filled(0).astype("float64")
    bad = (values < 0) | (values % 1 != 0)
    if bad.any():
        rows, cols = np.nonzero(bad)
        msg = (f"{path}: cell values must be whole numbers ≥ 0 (population); bad value(s) "
               f"{_listed(values[bad].tolist())} at (row, col) "
               f"{_listed(list(zip(rows.tolist(), cols.tolist(), strict=True)))}")
        raise DataError(msg)
    rows, cols = np.nonzero(values > 0)
    xs, ys = rasterio.transform.xy(transform, rows, cols, offset="ll")
    return _frame(np.asarray(xs, dtype="float64"), np.asarray(ys, dtype="float64"),
                  values[rows, cols], size_m)


def parse(path: Path, *, size_m: int) -> gpd.GeoDataFrame:
    """Read a grid file, GeoPackage or GeoTIFF by its suffix; see the module schema."""
    if Path(path).suffix.lower() in (".tif", ".tiff"):
        return parse_tif(path, size_m=size_m)
    return parse_gpkg(path, size_m=size_m)


def available(data_dir: Path | None) -> SourceMeta | None:
    """Return the preferred grid product present in ``data_dir``, or ``None``."""
    return next((meta for meta in GRIDS if meta.available(data_dir)), None)


def loader(meta: SourceMeta):
    """Return ``load(data_dir)`` for one grid product (for ``BuildContext.source``)."""
    size_m = int(meta.name.split("_")[1].removesuffix("m"))

    def load(data_dir: Path) -> gpd.GeoDataFrame:
        return parse(meta.file(data_dir), size_m=size_m)

    return load
