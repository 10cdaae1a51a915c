"""Län boundaries: Lantmäteriet 1:1 miljon (2018), layer ``an_riks``.

Schema returned by :func:`load` (EPSG:3006): ``lanskod`` (str, 2 digits), ``lansnamn``
(SCB official name), ``area_km2``, ``geometry``. Coincides with the dissolved kommuner of
:mod:`data_sources.kommuner`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._lantmateriet import sverigekartor_meta
from data_sources._register import known_lanskoder
from data_sources._validate import validated_vector
from data_sources.errors import DataError

META = sverigekartor_meta(
    name="lan",
    title="Länsgränser, Översiktskartan 1:1 miljon",
    path="admin/lan_sverige_lm1m_2018.gpkg",
    layer="an_riks",
    how="dissolve on LANSKOD; save with columns lanskod, lansnamn",
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
