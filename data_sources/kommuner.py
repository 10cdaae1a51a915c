"""Kommun boundaries: Lantmäteriet GSD-Sverigekartor 1:1 miljon (2018), layer ``ak_riks``.

Schema returned by :func:`load` (EPSG:3006): ``kommunkod`` (str, 4 digits), ``kommunnamn``
(SCB spelling), ``lanskod`` (str, 2 digits), ``lansnamn``, ``area_km2`` (planar, incl. lakes
and sea), ``geometry`` (MultiPolygon). Legal boundaries: they include Vänern and the
territorial sea; see :mod:`data_sources.kommuner_land` for the land outline.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._validate import validated_vector
from data_sources.base import SourceFile, SourceMeta

META = SourceMeta(
    name="kommuner",
    title="Kommungränser, Översiktskartan 1:1 miljon",
    publisher="Lantmäteriet",
    licence="CC0 1.0",
    reference_year="2018",
    native_crs="EPSG:3006",
    landing_page="https://www.lantmateriet.se/sv/geodata/vara-produkter/produktlista/sverigekartor/",
    files=(
        SourceFile(
            path="admin/kommuner_sverige_lm1m_2018.gpkg",
            how_to_get="download GSD-Sverigekartor vektor 1:1 miljon from Lantmäteriet's "
            "Geotorget (free account), layer ak_riks, dissolve on KNKOD and save as this "
            "GeoPackage with columns kommunkod, kommunnamn, lanskod, lansnamn",
        ),
    ),
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
