"""Län boundaries: Lantmäteriet 1:1 miljon (2018), layer ``an_riks``.

Schema returned by :func:`load` (EPSG:3006): ``lanskod`` (str, 2 digits), ``lansnamn``
(SCB official name), ``area_km2``, ``geometry``. Coincides with the dissolved kommuner of
:mod:`data_sources.kommuner`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._register import known_lanskoder
from data_sources._validate import validated_vector
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError

META = SourceMeta(
    name="lan",
    title="Länsgränser, Översiktskartan 1:1 miljon",
    publisher="Lantmäteriet",
    licence="CC0 1.0",
    reference_year="2018",
    native_crs="EPSG:3006",
    landing_page="https://www.lantmateriet.se/sv/geodata/vara-produkter/produktlista/sverigekartor/",
    files=(
        SourceFile(
            path="admin/lan_sverige_lm1m_2018.gpkg",
            how_to_get="download GSD-Sverigekartor vektor 1:1 miljon from Lantmäteriet's "
            "Geotorget, layer an_riks, dissolve on LANSKOD and save with columns lanskod, lansnamn",
        ),
    ),
    caveats=("Includes lakes and the territorial sea.",),
)

COLUMNS = ("lanskod", "lansnamn", "area_km2")


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate a län GeoPackage; every lanskod must be a real län."""
    frame = validated_vector(path, columns=COLUMNS, id_column="lanskod",
                             expected_crs=META.native_crs, layer="lan")
    unknown = sorted(set(frame["lanskod"]) - known_lanskoder())
    if unknown:
        msg = f"{path}: column 'lanskod' holds code(s) that are not Swedish län: {unknown}"
        raise DataError(msg)
    return frame


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load the 21 län from ``data_dir``."""
    return parse(META.file(data_dir))
