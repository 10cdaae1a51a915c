"""Parcel and post service points ("paketombud"): a third-party compilation of 8 operators.

The file lists one row per point and operator (Bring, PostNord, DB Schenker, DHL, Instabox,
Bussgods, UPS): staffed agents in shops (``Omb_TYP`` = ``Postombud``), parcel lockers
(``Box_Paketskåp``), PostNord pick-up points (``Utlämningsställe``) and business centres
(``Företagscenter``), with SWEREF 99 TM coordinates ``X_SWEREF99TM``/``Y_SWEREF99TM``.
Who compiled it, and from which operator registers, is **not documented** (it came from a
transport-simulation repository, committed 2021-08-02): provenance says so.

One shop serving several operators appears once per operator at the same coordinates;
:func:`places` merges those rows into one place (rule: identical coordinates), listing the
operators, so a place is counted once.

Schema returned by :func:`load` (EPSG:3006), one row per place: ``id`` (``DB_ID`` of the
place's first row), ``namn``, ``adress``, ``postort``, ``typ`` (``Omb_TYP``; several joined
with ``;``), ``operatorer`` (sorted, ``;``-joined), ``kommunkod``, ``geometry``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources._validate import (
    points_from_xy,
    read_table,
    require_columns,
    require_kommunkod,
    require_unique,
    to_compute_crs,
)
from data_sources.base import SourceFile, SourceMeta

META = SourceMeta(
    name="paketombud",
    title="Post- och paketombud (sammanställning av 8 operatörer)",
    publisher="unknown compiler (file from GitHub PredictiveMovement/digital-twin, ombud.xlsx)",
    licence="none stated for the data (the repository's AGPL-3.0 covers its code); not verified",
    reference_year="≤ 2021-08",
    native_crs="EPSG:3006",
    landing_page="https://github.com/PredictiveMovement/digital-twin",
    files=(
        SourceFile(
            path="indicators/paketombud_varmland_2021.csv",
            how_to_get="no official register is published; the development data holds a "
            "third-party compilation (see indicators/SOURCES.md). PTS/PostNord service-point "
            "lists in the same columns can replace it",
        ),
    ),
    caveats=(
        "Third-party compilation; its source is not documented and it is not the official "
        "PostNord/PTS service-point register.",
        "No later than 2021-08-02: points opened or closed since are not reflected.",
        "One row per operator: a shop serving several operators is one place here.",
    ),
)

COLUMNS = ("DB_ID", "OPERATÖR", "Omb_TYP", "OMBUD", "ADRESS", "ORT", "X_SWEREF99TM",
           "Y_SWEREF99TM", "kommunkod")
PLACE_COLUMNS = ["id", "namn", "adress", "postort", "typ", "operatorer", "kommunkod",
                 "geometry"]


def _joined(values: pd.Series) -> str:
    """Distinct values, sorted, joined with ``;``."""
    return ";".join(sorted(set(values.astype(str))))


def places(rows: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Merge the rows of one place (identical coordinates) into one, listing its operators."""
    keyed = rows.assign(_x=rows.geometry.x, _y=rows.geometry.y)
    grouped = keyed.groupby(["_x", "_y"], sort=False)
    out = grouped.agg(id=("DB_ID", "first"), namn=("OMBUD", "first"), adress=("ADRESS", "first"),
                      postort=("ORT", "first"), typ=("Omb_TYP", _joined),
                      operatorer=("OPERATÖR", _joined), kommunkod=("kommunkod", "first"))
    geometry = gpd.points_from_xy(out.index.get_level_values("_x"),
                                  out.index.get_level_values("_y"))
    return gpd.GeoDataFrame(out.reset_index(drop=True), geometry=geometry,
                            crs=rows.crs)[PLACE_COLUMNS]


def parse_rows(path: Path) -> gpd.GeoDataFrame:
    """Read and validate the file, one row per point and operator (EPSG:3006)."""
    frame = read_table(path, dtype={"DB_ID": "string", "kommunkod": "string",
                                    "POSTNR": "string", "Omb_ID": "string"})
    require_columns(frame, COLUMNS, path)
    require_unique(frame, "DB_ID", path)
    require_kommunkod(frame, path)
    points = points_from_xy(frame, "X_SWEREF99TM", "Y_SWEREF99TM", crs=META.native_crs,
                            path=path)
    return to_compute_crs(points, path)


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read the file and return one row per place (:data:`PLACE_COLUMNS`)."""
    return places(parse_rows(Path(path)))


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load the parcel and post places of ``data_dir``."""
    return parse(META.file(data_dir))
