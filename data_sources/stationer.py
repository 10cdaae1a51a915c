"""Railway stations: Trafikverket's TrainStation register (Open API).

Schema returned by :func:`load` (EPSG:3006): ``signatur`` (LocationSignature, e.g. ``Ks``),
``namn`` (AdvertisedLocationName), ``kommunkod`` (empty for the few points in Norway and
Denmark), ``lanskod``, ``geometry`` (Point). The register also holds operational places
without passenger service; only the timetable tells which are served.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from data_sources._validate import require_kommunkod, validated_vector
from data_sources.base import SourceFile, SourceMeta

META = SourceMeta(
    name="stationer",
    title="Järnvägsstationer (TrainStation)",
    publisher="Trafikverket",
    licence="CC0 1.0",
    reference_year="2025",
    native_crs="EPSG:4326",
    landing_page="https://data.trafikverket.se/documentation/datacache/data-model#TrainStation",
    files=(
        SourceFile(
            path="transport_osm/rail/trafikverket_train_stations.geojson",
            how_to_get="query Trafikverket's Open API (object TrainStation, free API key) and "
            "save as GeoJSON with columns name, signature, kommun_kod, lan_kod",
        ),
    ),
    caveats=("Includes operational locations without passenger service.",),
)

COLUMNS = ("signature", "name", "kommun_kod", "lan_kod")


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate the station register; kommunkod must be real where present."""
    frame = validated_vector(path, columns=COLUMNS, id_column="signature",
                             expected_crs=META.native_crs)
    frame = frame.rename(columns={"signature": "signatur", "name": "namn",
                                  "kommun_kod": "kommunkod", "lan_kod": "lanskod"})
    in_sweden = frame["kommunkod"].notna()
    require_kommunkod(frame.loc[in_sweden], path)
    frame["kommunkod"] = frame["kommunkod"].astype("string")
    frame["lanskod"] = frame["lanskod"].astype("string")
    return frame


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load every station of the register from ``data_dir``."""
    return parse(META.file(data_dir))


