"""Kommun land outlines: SCB "Digitala gränser", generalised (release 2024-05-17).

Schema returned by :func:`load` (EPSG:3006): ``kommunkod``, ``kommunnamn``, ``lanskod``,
``geometry``. Coarse (≈34 vertices per kommun) and land-only: Vänern and the sea are
excluded, which makes it the right outline for area-based measures on land.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._validate import validated_vector
from data_sources.base import SourceFile, SourceMeta

META = SourceMeta(
    name="kommuner_land",
    title="Kommuner, generaliserad landkontur (Digitala gränser)",
    publisher="SCB (Statistiska centralbyrån)",
    licence="CC0 1.0",
    reference_year="2024",
    native_crs="EPSG:4326",
    landing_page="https://www.scb.se/hitta-statistik/regional-statistik-och-kartor/"
    "regionala-indelningar/digitala-granser/",
    files=(
        SourceFile(
            path="admin/kommuner_sverige_scb_generaliserad_2024.geojson",
            how_to_get="download SCB's Digitala gränser (shape_svenska), convert "
            "Kommun_Sweref99TM to GeoJSON (EPSG:4326) with columns kommunkod, kommunnamn, lanskod",
        ),
    ),
    caveats=("Very coarse generalisation; outlines do not coincide with Lantmäteriet's.",),
)

COLUMNS = ("kommunkod", "kommunnamn", "lanskod")


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate an SCB generalised kommun GeoJSON."""
    return validated_vector(path, columns=COLUMNS, id_column="kommunkod",
                            expected_crs=META.native_crs)


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load the 290 land outlines from ``data_dir``."""
    return parse(META.file(data_dir))
