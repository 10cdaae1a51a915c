"""Service points from Tillväxtverket's Pipos Serviceanalys (Excel/CSV export).

A Pipos export lists service points of one service type (``Servicetyp``: Apoteksvaror,
Dagligvaror, Drivmedel, …) with ``Serviceform``, ``Serviceplatsid``, ``Namn``, ``Adress``,
``Kommun`` (e.g. "Kils kommun") and SWEREF 99 TM coordinates ``X``/``Y``. The development
copy renamed X/Y to ``x_sweref99tm``/``y_sweref99tm`` and added ``kommunkod``; both forms
are read.

Schema returned by :func:`load` (EPSG:3006): ``id`` (Serviceplatsid), ``servicetyp``,
``serviceform``, ``namn``, ``adress``, ``postort``, ``huvudman``, ``kommunkod``, ``geometry``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources._register import fallback_kommuner
from data_sources._validate import (
    points_from_xy,
    read_table,
    require_columns,
    require_kommunkod,
    require_unique,
    to_compute_crs,
)
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError

META = SourceMeta(
    name="pipos",
    title="Serviceplatser för apoteksvaror (Pipos Serviceanalys)",
    publisher="Tillväxtverket, Pipos Serviceanalys",
    licence="publicly available; terms not stated (credit: Källa: Tillväxtverket, Pipos)",
    reference_year="2025-11-12",
    native_crs="EPSG:3006",
    landing_page="https://pipos.se/",
    files=(
        SourceFile(
            path="indicators/pipos_apoteksvaror_varmland_2025-11-12.csv",
            how_to_get="log in to Pipos Serviceanalys, export the service type as Excel and "
            "save it as UTF-8 CSV",
        ),
    ),
    caveats=("Export date 2025-11-12; pharmacy goods only in the development data.",),
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


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate a Pipos export (original or development form)."""
    frame = read_table(path, dtype={"kommunkod": "string", "Serviceplatsid": "string",
                                    "Postnummer": "string"})
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
    return out[["id", "servicetyp", "serviceform", "namn", "adress", "postort", "huvudman",
                "kommunkod", "geometry"]]


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load the Pipos export from ``data_dir``."""
    return parse(META.file(data_dir))
