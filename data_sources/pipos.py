"""Service points from Tillväxtverket's Pipos Serviceanalys (Excel/CSV exports, every type).

A Pipos export lists service points of one service type (``Servicetyp``: Apoteksvaror,
Dagligvaror, Drivmedel, Uttagsautomat, Posttjänster, …) with ``Serviceform``,
``Serviceplatsid``, ``Namn``, ``Adress``, ``Kommun`` (e.g. "Kils kommun") and SWEREF 99 TM
coordinates ``X``/``Y``. Every service type has the same format, so one reader takes them
all: every file ``indicators/pipos_<servicetyp>_<region>_<YYYY-MM-DD>.csv`` (or ``.xlsx``,
Pipos' own Excel) in the data directory is read, and the export date in its name is the
date of its points. The development copy renamed X/Y to ``x_sweref99tm``/``y_sweref99tm``
and added ``kommunkod``; both forms are read.

Schema returned by :func:`load` (EPSG:3006): ``id`` (Serviceplatsid), ``servicetyp``,
``serviceform``, ``namn``, ``adress``, ``postort``, ``huvudman``, ``kommunkod``, ``datum``
(export date of the file), ``geometry``.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources._register import fallback_kommuner
from data_sources._validate import (
    points_from_xy,
    read_table,
    require_columns,
    require_file,
    require_kommunkod,
    require_unique,
    to_compute_crs,
)
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError, MissingDataError

FOLDER = "indicators"
HOW_TO_GET = ("log in to Pipos Serviceanalys (pipos.se), export each service type "
              "(Dagligvaror, Drivmedel, Apoteksvaror, Uttagsautomat, Posttjänster, …) as Excel "
              "and save it as indicators/pipos_<servicetyp>_<region>_<YYYY-MM-DD>.xlsx (or as "
              "UTF-8 CSV)")
_NAME = re.compile(r"^pipos_.+_(\d{4}-\d{2}-\d{2})\.(csv|xlsx)$", re.IGNORECASE)


def export_files(data_dir: Path) -> tuple[SourceFile, ...]:
    """Every Pipos export in ``data_dir/indicators`` (sorted by name)."""
    folder = Path(data_dir) / FOLDER
    if not folder.is_dir():
        return ()
    return tuple(SourceFile(path=f"{FOLDER}/{p.name}", how_to_get=HOW_TO_GET)
                 for p in sorted(folder.iterdir()) if _NAME.match(p.name) and p.is_file())


def export_date(path: Path) -> str:
    """The export date in a Pipos file's name (``YYYY-MM-DD``)."""
    match = _NAME.match(Path(path).name)
    if match is None:
        msg = f"{path}: a Pipos export is named pipos_<servicetyp>_<region>_<YYYY-MM-DD>.csv"
        raise DataError(msg)
    return match.group(1)


def _dates(data_dir: Path) -> str | None:
    """The export dates of the files present (``2025-11-12``, or ``2025-11-12–2026-01-03``)."""
    dates = sorted({export_date(Path(data_dir) / f.path) for f in export_files(data_dir)})
    return None if not dates else dates[0] if len(dates) == 1 else f"{dates[0]}–{dates[-1]}"


META = SourceMeta(
    name="pipos",
    title="Serviceplatser (Pipos Serviceanalys)",
    publisher="Tillväxtverket, Pipos Serviceanalys",
    licence="publicly available; terms not stated (credit: Källa: Tillväxtverket, Pipos)",
    reference_year="export date in the file name",
    native_crs="EPSG:3006",
    landing_page="https://pipos.se/",
    files=(SourceFile(path=f"{FOLDER}/pipos_<servicetyp>_<region>_<YYYY-MM-DD>.csv",
                      how_to_get=HOW_TO_GET),),
    caveats=("One file per service type; the development data has pharmacy goods only "
             "(Apoteksvaror, 2025-11-12).",),
    locate=export_files,
    year_of=_dates,
)

COLUMNS = ("Servicetyp", "Serviceform", "Serviceplatsid", "Huvudman", "Namn", "Adress",
           "Postort", "Kommun")
_XY_FORMS = (("X", "Y"), ("x_sweref99tm", "y_sweref99tm"))


def kommunkod_from_name(names: pd.Series) -> pd.Series:
    """Map Pipos kommun names ("Kils kommun", "Hagfors kommun") to kommunkoder."""
    lookup = {}
    for code, name in fallback_kommuner()[["kommunkod", "kommunnamn"]].itertuples(index=False):
        lookup[f"{name} kommun"] = code
        lookup[f"{name}s kommun"] = code
    return names.map(lookup).astype("string")


def _read(path: Path) -> pd.DataFrame:
    """The export's table: Pipos' Excel (first sheet) or a UTF-8 CSV; index = row number."""
    dtype = {"kommunkod": "string", "Serviceplatsid": "string", "Postnummer": "string"}
    if path.suffix.lower() != ".xlsx":
        return read_table(path, dtype=dtype)
    require_file(path)
    try:
        frame = pd.read_excel(path, dtype=dtype)
    except (ValueError, OSError, KeyError) as exc:
        msg = f"{path}: cannot be read as a Pipos Excel export: {exc}"
        raise DataError(msg) from exc
    frame.index = frame.index + 2
    return frame


def parse(path: Path, *, date: str | None = None) -> gpd.GeoDataFrame:
    """Read and validate one Pipos export (original or development form, CSV or Excel).

    ``date`` is the export date (default: from the file name, see :func:`export_date`).
    """
    path = Path(path)
    frame = _read(path)
    require_columns(frame, COLUMNS, path)
    xy = next((pair for pair in _XY_FORMS if set(pair) <= set(frame.columns)), None)
    if xy is None:
        msg = f"{path}: missing coordinate columns; expected X/Y (SWEREF 99 TM)"
        raise DataError(msg)
    require_unique(frame, "Serviceplatsid", path)
    if "kommunkod" not in frame.columns:
        frame["kommunkod"] = kommunkod_from_name(frame["Kommun"])
        unknown = frame.loc[frame["kommunkod"].isna(), "Kommun"]
        if not unknown.empty:
            msg = (f"{path}: column 'Kommun' holds name(s) that are not Swedish kommuner: "
                   f"{sorted(set(unknown))[:5]} in row(s) {unknown.index.tolist()[:5]}")
            raise DataError(msg)
    require_kommunkod(frame, path)
    points = to_compute_crs(points_from_xy(frame, *xy, crs=META.native_crs, path=path), path)
    out = points.rename(columns={
        "Serviceplatsid": "id", "Servicetyp": "servicetyp", "Serviceform": "serviceform",
        "Namn": "namn", "Adress": "adress", "Postort": "postort", "Huvudman": "huvudman",
    })
    out["datum"] = date if date is not None else export_date(path)
    return out[COLUMNS_OUT]


COLUMNS_OUT = ["id", "servicetyp", "serviceform", "namn", "adress", "postort", "huvudman",
               "kommunkod", "datum", "geometry"]


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load every Pipos export in ``data_dir`` (one per service type) as one frame.

    A service point listed in two files of the same service type (two exports of one type)
    is an error naming both files; the same ``Serviceplatsid`` under two types (a shop
    selling groceries and pharmacy goods) is two rows.
    """
    files = export_files(data_dir)
    if not files:
        msg = f"{Path(data_dir) / FOLDER}: no Pipos export. {HOW_TO_GET}"
        raise MissingDataError(msg)
    frames = [parse(Path(data_dir) / f.path) for f in files]
    out = pd.concat(frames, ignore_index=True)
    twice = out.duplicated(["servicetyp", "id"], keep=False)
    if twice.any():
        names = [f.path for f, frame in zip(files, frames, strict=True)
                 if frame["servicetyp"].isin(out.loc[twice, "servicetyp"]).any()]
        msg = (f"Pipos exports {names} list the same service point(s) "
               f"{sorted(set(out.loc[twice, 'id']))[:5]} of one service type twice: keep one "
               "export per service type")
        raise DataError(msg)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frames[0].crs)
