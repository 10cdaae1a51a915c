"""Tätort polygons: Lantmäteriet 1:1 miljon layer ``mb_riks`` (SCB tätorter, delineation 2018).

Schema returned by :func:`load` (EPSG:3006): ``tatortsnr`` (SCB's 4-digit tätort number of
2018), ``tatort`` (name), ``kommunkod`` (kommun containing the polygon), ``lanskod``,
``bef_2018`` (population field BEF), ``geometry`` (MultiPolygon).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._lantmateriet import sverigekartor_meta
from data_sources._validate import validated_vector

META = sverigekartor_meta(
    name="tatorter",
    title="Tätorter (polygoner), Översiktskartan 1:1 miljon",
    publisher="Lantmäteriet (generalisation of SCB tätorter)",
    path="admin/tatorter_sverige_lm1m_2018.gpkg",
    layer="mb_riks (tätorter)",
    how="dissolve on the SCB tätort number; save with columns tatortsnr_2018, tatort, "
    "kommunkod, lanskod, bef_2018",
    caveats=(
        "Generalised to 1:1M: small tätorter are coarse blobs.",
        "Population vintage of BEF uncertain (2018 or 2020).",
        "Tätorter spanning two kommuner carry one kommunkod.",
    ),
)

COLUMNS = ("tatortsnr_2018", "tatort", "kommunkod", "lanskod", "bef_2018")


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate a tätort polygon GeoPackage (layer ``tatorter``)."""
    frame = validated_vector(path, columns=COLUMNS, id_column="tatortsnr_2018",
                             expected_crs=META.native_crs, layer="tatorter")
    return frame.rename(columns={"tatortsnr_2018": "tatortsnr"})


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load all 1 992 tätort polygons from ``data_dir``."""
    return parse(META.file(data_dir))
