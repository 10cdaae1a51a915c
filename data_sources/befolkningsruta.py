"""Population grid: SCB "Statistik på rutor", persons per 1 km or 250 m square (SWEREF 99 TM).

SCB publishes one grid per year and square size as open geodata (CC0): a GeoPackage whose
layer is named ``befolkning_<storlek>_<år>`` (``befolkning_1km_2024``, ``befolkning_250m_2024``)
holding square polygons in EPSG:3006 with, in SCB's lower case, ``rutid_scb`` (13 digits: the
square's south-west corner, easting 6 + northing 7 digits), ``beftotalt`` (persons registered
in the square on 31 December) and further columns (``rutid_inspire``, ``rutstorl``, ``man``,
``kvinna``, ``referenstid``, age groups). Two forms are read:

* **GeoPackage, as SCB publishes it**: any layer named as above (year and size are read from
  the layer name, else from the file name); ``rutstorl`` and ``referenstid`` are checked against
  them when present, and each polygon must be the square its ``rutid_scb`` names;
* **CSV** with at least ``rutid_scb`` and ``beftotalt``, one row per populated square (the
  national file of the development data, ``scb_befolkning_1km_2024_sverige.csv``); optional
  corner columns ``x_sweref99tm_sw`` / ``y_sweref99tm_sw`` must agree with ``rutid_scb``. The
  square is rebuilt from ``rutid_scb``.

Files are looked for in ``population/``: every ``*.gpkg`` or ``*.csv`` whose name contains
``befolkning_<1km|250m>_<år>`` (a GeoPackage also by its layer names). When several are
present, :func:`candidates` orders them and the first is read:

1. the latest year (one population year per figure; the grid's year is the year of every
   grid-based indicator, read from the name — there is no separate year setting);
2. then the file with the **most populated squares**: a national file before a regional
   extract (the build clips to the region, so a national file builds any län, and a regional
   extract is a subset of the same SCB layer), and at equal coverage the finer grid (250 m has
   more squares than 1 km of the same area);
3. then a GeoPackage (SCB's own form, with geometry) before a CSV.

In the development data this picks the national CSV (103 464 squares) over the Värmland
GeoPackage (5 779 squares of the same layer): same values, but only the national file can
build another län (``--lan 03``).

Schema returned by :func:`parse` / :func:`load` (EPSG:3006): ``rutid_scb`` (str),
``befolkning`` (int64, > 0; squares with 0 persons are left out), ``storlek_m`` (int64),
``ar`` (str, the grid's year), ``geometry`` (the square, Polygon). Bad input is a
``DataError`` naming the file, the rows and what was expected: unknown column layouts,
malformed or duplicated ``rutid_scb``, squares off the grid, polygons that are not their
square, negative or fractional counts, truncated files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from data_sources._validate import (
    SWEDEN_BOUNDS_3006,
    _listed,
    bad_values,
    read_table,
    read_vector,
    require_file,
    require_whole_numbers,
    to_compute_crs,
)
from data_sources.base import SourceFile, SourceMeta
from data_sources.crs import COMPUTE_CRS
from data_sources.errors import DataError, MissingDataError

FOLDER = "population"
ID_COLUMN = "rutid_scb"
POPULATION_COLUMN = "beftotalt"
SIZES = {"1km": 1000, "250m": 250}
COLUMNS = ["rutid_scb", "befolkning", "storlek_m", "ar", "geometry"]
_NAME = re.compile(r"befolkning_(1km|250m)_(\d{4})", re.IGNORECASE)
_RUTID = re.compile(r"^\d{13}$")
_CORNER_COLUMNS = ("x_sweref99tm_sw", "y_sweref99tm_sw")
_TOLERANCE_M = 0.5  # a published square's corners lie on whole metres
_AREA_TOLERANCE = 0.01  # a polygon within the square's bounds but not the square (a triangle)
_LANDING = "https://www.scb.se/vara-tjanster/oppna-data/oppna-geodata/statistik-pa-rutor/"
_HOW_TO_GET = (
    f"Hämta SCB:s befolkning per ruta (öppna geodata, Statistik på rutor: {_LANDING}), t.ex. "
    f"befolkning_1km_2024.gpkg, och lägg filen med SCB:s namn i {FOLDER}/ (GeoPackage med "
    "lagret befolkning_<1km|250m>_<år>, kolumnerna rutid_scb och beftotalt; eller en CSV med "
    "rutid_scb och beftotalt vars namn innehåller befolkning_<1km|250m>_<år>)."
)


@dataclass(frozen=True)
class GridFile:
    """One grid found in the data directory: file, GeoPackage layer, square size and year."""

    path: str
    layer: str | None
    size_m: int
    year: str
    squares: int


def name_parts(name: str) -> tuple[int, str] | None:
    """Return ``(square size in m, year)`` named by ``befolkning_<1km|250m>_<år>``, or None."""
    match = _NAME.search(name)
    return (SIZES[match.group(1).lower()], match.group(2)) if match else None


def _grid_of(path: Path, layer: str | None) -> tuple[int, str]:
    """Size and year of a file (and layer), from the layer name first, else the file name."""
    from_file = name_parts(path.name)
    from_layer = name_parts(layer) if layer else None
    if from_file and from_layer and from_file != from_layer:
        msg = (f"{path}: the file name says {from_file[0]} m squares of {from_file[1]} but "
               f"layer {layer!r} says {from_layer[0]} m of {from_layer[1]}; expected one grid")
        raise DataError(msg)
    found = from_layer or from_file
    if found is None:
        msg = (f"{path}: cannot tell the grid's square size and year: name the file (or its "
               "layer) as SCB does, befolkning_<1km|250m>_<år>, e.g. befolkning_1km_2024")
        raise DataError(msg)
    return found


def _gpkg_layers(path: Path) -> list[str]:
    """Layer names of a GeoPackage; a file that cannot be opened is a ``DataError``."""
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"{path}: cannot be read as a GeoPackage (truncated or damaged?): {exc}"
        raise DataError(msg) from exc


def _count_csv_rows(path: Path) -> int:
    """Data lines of a CSV (lines after the header)."""
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


@lru_cache(maxsize=32)
def _files_in(folder: str, stamp: tuple) -> tuple[GridFile, ...]:
    """Every grid in ``folder`` (cached on the folder's file names, sizes and times)."""
    del stamp  # part of the cache key only
    found = []
    for path in sorted(Path(folder).iterdir()):
        suffix = path.suffix.lower()
        if suffix == ".csv" and name_parts(path.name):
            size_m, year = _grid_of(path, None)
            found.append(GridFile(str(path), None, size_m, year, _count_csv_rows(path)))
        elif suffix == ".gpkg":
            layers = _gpkg_layers(path)
            named = [layer for layer in layers if name_parts(layer)]
            if not named and len(layers) == 1 and name_parts(path.name):
                named = layers
            for layer in named:
                size_m, year = _grid_of(path, layer)
                count = int(pyogrio.read_info(path, layer=layer)["features"])
                found.append(GridFile(str(path), layer, size_m, year, count))
    return tuple(found)


def candidates(data_dir: Path | None) -> list[GridFile]:
    """Every grid in ``data_dir/population``, the preferred first (see the module docstring).

    ``GridFile.path`` is relative to ``data_dir``.
    """
    if data_dir is None or not (Path(data_dir) / FOLDER).is_dir():
        return []
    folder = Path(data_dir) / FOLDER
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns)
                  for p in sorted(folder.iterdir()) if p.is_file())
    found = [GridFile(str(Path(g.path).relative_to(data_dir)), g.layer, g.size_m, g.year,
                      g.squares) for g in _files_in(str(folder), stamp)]
    return sorted(found, key=lambda g: (-int(g.year), -g.squares, g.size_m,
                                        g.layer is None, g.path))


def preferred(data_dir: Path | None) -> GridFile | None:
    """The grid the build reads from ``data_dir``, or ``None`` when there is none."""
    found = candidates(data_dir)
    return found[0] if found else None


def _square_frame(ids: pd.Series, people: pd.Series, size_m: int, year: str,
                  path: Path) -> gpd.GeoDataFrame:
    """Validate squares (ids, grid alignment, uniqueness) and build the output schema."""
    text = ids.astype("string")
    malformed = ~text.fillna("").str.fullmatch(_RUTID)
    if malformed.any():
        raise bad_values(path, ID_COLUMN, "hold SCB's 13-digit square id (easting 6 + northing "
                         "7 digits of the south-west corner)", ids[malformed].tolist(),
                         ids.index[malformed])
    repeated = text.duplicated(keep=False)
    if repeated.any():
        msg = (f"{path}: the same square appears more than once (it would be counted twice): "
               f"{ID_COLUMN} {_listed(sorted(set(text[repeated])))} in row(s) "
               f"{_listed(ids.index[repeated])}")
        raise DataError(msg)
    x = text.str.slice(0, 6).astype("int64").to_numpy()
    y = text.str.slice(6).astype("int64").to_numpy()
    off = (x % size_m != 0) | (y % size_m != 0)
    if off.any():
        msg = (f"{path}: {ID_COLUMN} must name the south-west corner of a {size_m} m square "
               f"(coordinates divisible by {size_m}); off the grid: "
               f"{_listed(text[off].tolist())} in row(s) {_listed(ids.index[off])}")
        raise DataError(msg)
    x0, y0, x1, y1 = SWEDEN_BOUNDS_3006
    outside = (x < x0) | (x > x1) | (y < y0) | (y > y1)
    if outside.any():
        msg = (f"{path}: square(s) {_listed(text[outside].tolist())} in row(s) "
               f"{_listed(ids.index[outside])} lie outside Sweden in SWEREF 99 TM")
        raise DataError(msg)
    keep = people.to_numpy() > 0
    frame = pd.DataFrame({"rutid_scb": text.to_numpy()[keep],
                          "befolkning": people.to_numpy()[keep],
                          "storlek_m": np.full(int(keep.sum()), size_m, dtype="int64"),
                          "ar": year})
    geometry = shapely.box(x[keep], y[keep], x[keep] + size_m, y[keep] + size_m)
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=COMPUTE_CRS)


def _require_scb_columns(columns: pd.Index, path: Path, where: str = "") -> None:
    """Raise unless ``rutid_scb`` and ``beftotalt`` are present, spelt as SCB spells them."""
    missing = [c for c in (ID_COLUMN, POPULATION_COLUMN) if c not in columns]
    if not missing:
        return
    near = [str(c) for c in columns if str(c).lower() in missing]
    hint = (f" ({_listed(near)} differ only in case: SCB writes them in lower case)"
            if near else "")
    msg = (f"{path}{where}: unknown column layout: missing {_listed(missing)}{hint}; expected "
           f"SCB's grid columns {ID_COLUMN!r} and {POPULATION_COLUMN!r}, found "
           f"{_listed(list(columns))}")
    raise DataError(msg)


def _check_optional(frame: pd.DataFrame, path: Path, size_m: int, year: str) -> None:
    """Check SCB's ``rutstorl`` and ``referenstid`` against the grid's size and year."""
    if "rutstorl" in frame.columns:
        wrong = pd.to_numeric(frame["rutstorl"], errors="coerce") != size_m
        if wrong.any():
            msg = (f"{path}: column 'rutstorl' must be {size_m} (the size in the grid's "
                   f"name); found {_listed(sorted(set(frame.loc[wrong, 'rutstorl'])))} in "
                   f"row(s) {_listed(frame.index[wrong])}")
            raise DataError(msg)
    if "referenstid" in frame.columns:
        wrong = ~frame["referenstid"].astype("string").fillna("").str.startswith(year)
        if wrong.any():
            msg = (f"{path}: column 'referenstid' must be a date in {year} (the year in the "
                   f"grid's name); found {_listed(sorted(set(frame.loc[wrong, 'referenstid'])))}"
                   f" in row(s) {_listed(frame.index[wrong])}")
            raise DataError(msg)


def parse_gpkg(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one grid layer of a GeoPackage as SCB publishes it; see the module schema.

    ``layer`` defaults to the file's only layer. Each polygon must be the square its
    ``rutid_scb`` names (within 0.5 m); rows in messages are feature positions (0-based).
    """
    path = Path(path)
    if layer is None:
        layers = _gpkg_layers(require_file(path))
        if len(layers) != 1:
            msg = f"{path}: holds layers {layers}; name the grid layer to read"
            raise DataError(msg)
        layer = layers[0]
    size_m, year = _grid_of(path, layer)
    frame = read_vector(path, layer=layer)
    _require_scb_columns(frame.columns, path, f" (layer {layer!r})")
    empty = frame.geometry.isna() | frame.geometry.is_empty
    if empty.any():
        msg = f"{path}: feature(s) {_listed(frame.index[empty])} have no geometry"
        raise DataError(msg)
    frame = to_compute_crs(frame, path, expected=COMPUTE_CRS)
    _check_optional(frame, path, size_m, year)
    people = require_whole_numbers(frame, POPULATION_COLUMN, path)
    squares = _square_frame(frame[ID_COLUMN], people, size_m, year, path)
    published = frame.geometry.to_numpy()[people.to_numpy() > 0]
    bounds = shapely.bounds(published)
    expected = shapely.bounds(squares.geometry.to_numpy())
    off = (np.abs(bounds - expected).max(axis=1) > _TOLERANCE_M) | (
        np.abs(shapely.area(published) / size_m**2 - 1) > _AREA_TOLERANCE)
    if off.any():
        rows = frame.index[people.to_numpy() > 0][off]
        msg = (f"{path}: feature(s) {_listed(rows)} ({ID_COLUMN} "
               f"{_listed(squares.loc[off, 'rutid_scb'].tolist())}) are not the {size_m} m "
               f"square their {ID_COLUMN} names: bounds {_listed(bounds[off].round(1).tolist())}")
        raise DataError(msg)
    return squares


def parse_csv(path: Path) -> gpd.GeoDataFrame:
    """Read a CSV of grid squares (``rutid_scb``, ``beftotalt``); see the module schema.

    Row numbers in messages are line numbers of the file. A file that does not end with a
    line break, or whose rows lack a value, is reported as truncated.
    """
    path = Path(require_file(path))
    size_m, year = _grid_of(path, None)
    with path.open("rb") as handle:
        handle.seek(0, 2)
        length = handle.tell()
        handle.seek(max(length - 1, 0))
        last = handle.read(1)
    if length and last != b"\n":
        msg = (f"{path}: the file ends in the middle of a line (truncated?); expected every "
               "row, the last one too, to end with a line break")
        raise DataError(msg)
    frame = read_table(path, dtype={ID_COLUMN: "string"})
    _require_scb_columns(frame.columns, path)
    incomplete = frame[[ID_COLUMN, POPULATION_COLUMN]].isna().any(axis=1)
    if incomplete.any():
        msg = (f"{path}: row(s) {_listed(frame.index[incomplete])} lack {ID_COLUMN} or "
               f"{POPULATION_COLUMN} (a truncated or damaged file?)")
        raise DataError(msg)
    people = require_whole_numbers(frame, POPULATION_COLUMN, path)
    squares = _square_frame(frame[ID_COLUMN], people, size_m, year, path)
    if set(_CORNER_COLUMNS) <= set(frame.columns):
        corner = frame.loc[people > 0, list(_CORNER_COLUMNS)].apply(pd.to_numeric,
                                                                   errors="coerce")
        expected = shapely.bounds(squares.geometry.to_numpy())[:, :2]
        wrong = np.abs(corner.to_numpy(dtype="float64") - expected).max(axis=1) > _TOLERANCE_M
        wrong |= np.isnan(corner.to_numpy(dtype="float64")).any(axis=1)
        if wrong.any():
            msg = (f"{path}: columns {_listed(_CORNER_COLUMNS)} disagree with {ID_COLUMN} in "
                   f"row(s) {_listed(corner.index[wrong])} ({ID_COLUMN} "
                   f"{_listed(squares.loc[wrong, 'rutid_scb'].tolist())})")
            raise DataError(msg)
    return squares


def parse(path: Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a grid file by its suffix (GeoPackage or CSV); see the module schema."""
    if Path(path).suffix.lower() == ".csv":
        return parse_csv(path)
    return parse_gpkg(path, layer=layer)


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load the preferred grid of ``data_dir`` (:func:`preferred`)."""
    grid = preferred(data_dir)
    if grid is None:
        msg = f"{Path(data_dir) / FOLDER}: no population grid. {_HOW_TO_GET}"
        raise MissingDataError(msg)
    return parse(Path(data_dir) / grid.path, layer=grid.layer)


def _located(data_dir: Path) -> tuple[SourceFile, ...]:
    """The preferred grid file as the source's file (for availability and provenance)."""
    grid = preferred(data_dir)
    return () if grid is None else (SourceFile(path=grid.path, how_to_get=_HOW_TO_GET),)


def _year(data_dir: Path) -> str | None:
    """The preferred grid's year (31 December), read from its name."""
    grid = preferred(data_dir)
    return None if grid is None else grid.year


META = SourceMeta(
    name="befolkningsruta",
    title="Befolkning per ruta (SCB, Statistik på rutor)",
    publisher="SCB (Statistiska centralbyrån)",
    licence="CC0 1.0",
    reference_year="31 December of the year in the grid's name",
    native_crs=COMPUTE_CRS,
    landing_page=_LANDING,
    files=(SourceFile(path=f"{FOLDER}/befolkning_1km_<år>.gpkg", how_to_get=_HOW_TO_GET),),
    caveats=(
        "Persons without a usable coordinate are not in the grid (its total is a little "
        "below SCB's register total).",
        "A square is not split at kommun borders: it belongs wholly to the kommun that "
        "holds its centre.",
    ),
    locate=_located,
    year_of=_year,
)
