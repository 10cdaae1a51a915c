"""School units: Skolverket's Skolenhetsregistret (register export, one row per unit and form).

Read from the open API's extract (``skolverket/skolenheter_v2.csv``, written by
``strukturbild fetch --source skolverket``, :mod:`data_sources.skolverket`) when present, else
from the 2020 register export. The 2020 export has no coordinates; rows with SWEREF 99 TM
``e_sweref99tm``/``n_sweref99tm`` (joined from Skolverket's Planned Educations API) get a
point, the others keep an empty geometry and are counted, never guessed.

Schema returned by :func:`load` (EPSG:3006): ``id`` (SKOLENHETSKOD + school form),
``skolenhetskod``, ``skolform``, ``namn``, ``adress``, ``postort``, ``huvudmannatyp``,
``kommunkod``, ``elever`` (F–9 pupils, grundskola only, may be empty), ``geometry``
(Point or None).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources import skolverket
from data_sources._validate import (
    _listed,
    read_table,
    require_columns,
    require_kommunkod,
    require_unique,
    to_compute_crs,
)
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError

REGISTER = SourceFile(
    path="indicators/skolenhetsregistret_varmland_2020.csv",
    how_to_get="strukturbild fetch --source skolverket (the open API, with coordinates); or "
    "download Skolenhetsregistret's Excel overview, save each school-form sheet as UTF-8 CSV; "
    "add e_sweref99tm/n_sweref99tm where known",
)


def locate(data_dir: Path) -> tuple[SourceFile, ...]:
    """The API extract when fetched, else the 2020 register export (empty when neither)."""
    for source_file in (skolverket.FILE, REGISTER):
        if (Path(data_dir) / source_file.path).is_file():
            return (source_file,)
    return ()


def year_of(data_dir: Path) -> str | None:
    """The API's extract date when its file is read, else the export's 2020."""
    if locate(data_dir) == (skolverket.FILE,):
        return skolverket.extract_date(data_dir)
    return META.reference_year


META = SourceMeta(
    name="skolor",
    title="Skolenhetsregistret",
    publisher="Skolverket",
    licence="CC0 1.0",
    reference_year="2020",
    native_crs="EPSG:3006",
    landing_page="https://www.skolverket.se/skolutveckling/skolenhetsregistret",
    files=(REGISTER,),
    caveats=(
        "Without the API extract: the register export as of August 2020 (run by SCB), "
        "coordinates for a partial sample only (2026-04).",
        "Pre-schools are not included.",
    ),
    locate=locate,
    year_of=year_of,
)

COLUMNS = ("SKOLFORM", "HUVUDMANNATYP", "KOMMUN", "SKOLENHETSKOD", "NAMN", "BESÖKSADRESS",
           "BESÖKSPOSTORT")


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate a register export; schools without coordinates keep no geometry."""
    frame = read_table(path, dtype={"KOMMUN": "string", "SKOLENHETSKOD": "string"})
    require_columns(frame, COLUMNS, path)
    frame["id"] = frame["SKOLENHETSKOD"] + "-" + frame["SKOLFORM"]
    require_unique(frame, "id", path)
    frame = frame.rename(columns={"KOMMUN": "kommunkod"})
    require_kommunkod(frame, path)
    geometry = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=META.native_crs)
    if {"e_sweref99tm", "n_sweref99tm"} <= set(frame.columns):
        x = pd.to_numeric(frame["e_sweref99tm"], errors="coerce")
        y = pd.to_numeric(frame["n_sweref99tm"], errors="coerce")
        given = frame["e_sweref99tm"].notna() | frame["n_sweref99tm"].notna()
        unreadable = given & (x.isna() | y.isna())
        if unreadable.any():  # never count a typo as "the register has no coordinates"
            msg = (f"{path}: e_sweref99tm/n_sweref99tm must both be numbers (metres, decimal "
                   f"point) or both empty; bad in row(s) {_listed(frame.index[unreadable])}")
            raise DataError(msg)
        known = x.notna() & y.notna()
        geometry[known] = gpd.points_from_xy(x[known], y[known])
    points = gpd.GeoDataFrame(frame, geometry=geometry, crs=META.native_crs)
    points = to_compute_crs(points, path)
    elever = frame.get("ELEVER_FKLASS_AR1_9_SUMMA", pd.Series(pd.NA, index=frame.index))
    out = points.rename(columns={
        "SKOLENHETSKOD": "skolenhetskod", "SKOLFORM": "skolform", "NAMN": "namn",
        "BESÖKSADRESS": "adress", "BESÖKSPOSTORT": "postort", "HUVUDMANNATYP": "huvudmannatyp",
    })
    out["elever"] = pd.to_numeric(elever, errors="coerce").astype("Int64")
    return out[["id", "skolenhetskod", "skolform", "namn", "adress", "postort",
                "huvudmannatyp", "kommunkod", "elever", "geometry"]]


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load the school-unit register from ``data_dir``."""
    return parse(META.file(data_dir))
