"""Tätorter 2020 as points with population: SCB "Tätorter 1980–2020", layer To2020_SR99TM.

Schema returned by :func:`load` (EPSG:3006): ``tatortskod`` (e.g. ``1780TC106``),
``tatort``, ``kommunkod`` (SCB's kommun field), ``lanskod``, ``bef_2020`` (population
31 Dec 2020, int), ``geometry`` (SCB's label point, not the polygon).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._validate import require_whole_numbers, validated_vector
from data_sources.base import SourceFile, SourceMeta

META = SourceMeta(
    name="tatortspunkter",
    title="Tätorter 2020 med folkmängd (punkter)",
    publisher="SCB (Statistiska centralbyrån)",
    licence="CC0 1.0",
    reference_year="2020",
    native_crs="EPSG:4326",
    landing_page="https://www.scb.se/vara-tjanster/oppna-data/oppna-geodata/tatorter/",
    files=(
        SourceFile(
            path="admin/tatorter_sverige_scb_2020_punkter.geojson",
            how_to_get="download SCB's Tätorter 1980–2020 GeoPackage, take layer "
            "To2020_SR99TM, keep a point per tätort and save as GeoJSON (EPSG:4326) with "
            "columns tatortskod, tatort, kommunkod, lanskod, bef_2020",
        ),
    ),
    caveats=(
        "Points only (SCB's label coordinate).",
        "Tätorter crossing kommun borders are assigned to one kommun.",
    ),
)

COLUMNS = ("tatortskod", "tatort", "kommunkod", "lanskod", "bef_2020")


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate SCB tätort points; population must be a whole number ≥ 0."""
    frame = validated_vector(path, columns=COLUMNS, id_column="tatortskod",
                             expected_crs=META.native_crs)
    frame["bef_2020"] = require_whole_numbers(frame, "bef_2020", path)
    return frame


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load all 2 017 tätort points from ``data_dir``."""
    return parse(META.file(data_dir))
