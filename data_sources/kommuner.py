"""Kommun boundaries: Lantmäteriet GSD-Sverigekartor 1:1 miljon (2018), layer ``ak_riks``.

Schema returned by :func:`load` (EPSG:3006): ``kommunkod`` (str, 4 digits), ``kommunnamn``
(SCB spelling), ``lanskod`` (str, 2 digits), ``lansnamn``, ``area_km2`` (planar, incl. lakes
and sea), ``geometry`` (MultiPolygon). Legal boundaries: they include Vänern and the
territorial sea; see :mod:`data_sources.kommuner_land` for the land outline.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._lantmateriet import sverigekartor_meta
from data_sources._validate import validated_vector

META = sverigekartor_meta(
    name="kommuner",
    title="Kommungränser, Översiktskartan 1:1 miljon",
    path="admin/kommuner_sverige_lm1m_2018.gpkg",
    layer="ak_riks",
    how="dissolve on KNKOD; save with columns kommunkod, kommunnamn, lanskod, lansnamn",
    caveats=(
        "Boundaries as of 2018; include Vänern and the territorial sea.",
        "Generalised for 1:1 000 000: not for property-level work.",
    ),
)

COLUMNS = ("kommunkod", "kommunnamn", "lanskod", "lansnamn", "area_km2")


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate a kommun GeoPackage in the schema above."""
    return validated_vector(path, columns=COLUMNS, id_column="kommunkod",
                            expected_crs=META.native_crs, layer="kommuner")


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load all 290 kommuner from ``data_dir``."""
    return parse(META.file(data_dir))
