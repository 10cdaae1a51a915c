"""Kommun population: SCB folkmängd 31 December (via Kolada KPI N01951).

Schema returned by :func:`load`: ``kommunkod``, ``kommunnamn``, ``invanare`` (int),
``ar`` (reference year, str). The file in the development data covers the Värmland kommuner
only; a kommun that is absent from the table has no population in the build (shown as
missing, never estimated).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources._validate import require_whole_numbers, validated_table
from data_sources.base import SourceFile, SourceMeta

META = SourceMeta(
    name="befolkning",
    title="Folkmängd per kommun 31 december",
    publisher="SCB (via Kolada, KPI N01951)",
    licence="CC0 1.0",
    reference_year="2025",
    native_crs=None,
    landing_page="https://www.kolada.se/verktyg/fri-sokning/?kpis=N01951",
    files=(
        SourceFile(
            path="admin/varmland_kommuner_befolkning.csv",
            how_to_get="export Kolada KPI N01951 (Invånare totalt, antal) for the region's "
            "kommuner as CSV with columns kommunkod, kommunnamn, invanare_2025_kolada_n01951",
        ),
    ),
    caveats=("Read from a secondary copy of Kolada; not cross-checked against SCB directly.",),
)

POPULATION_COLUMN = "invanare_2025_kolada_n01951"
COLUMNS = ("kommunkod", "kommunnamn", POPULATION_COLUMN)


def parse(path: Path) -> pd.DataFrame:
    """Read and validate a kommun population table."""
    frame = validated_table(path, columns=COLUMNS)
    frame["invanare"] = require_whole_numbers(frame, POPULATION_COLUMN, path)
    frame["ar"] = META.reference_year
    return frame[["kommunkod", "kommunnamn", "invanare", "ar"]]


def load(data_dir: Path) -> pd.DataFrame:
    """Load the kommun population table from ``data_dir``."""
    return parse(META.file(data_dir))
