"""Railway stations: Trafikverket's TrainStation register (Open API).

Schema returned by :func:`load` (EPSG:3006): ``signatur`` (LocationSignature, e.g. ``Ks``),
``namn`` (AdvertisedLocationName), ``kommunkod`` (empty for the few points in Norway and
Denmark), ``lanskod``, ``lokalkod`` (PrimaryLocationCode, text; empty for technical points
such as border marks and duplicate names, and when the file lacks the column),
``geometry`` (Point). The register also holds operational places without passenger
service; only the timetable tells which are served.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

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
OPTIONAL = "primary_location_code"


def _has_field(path: Path, name: str) -> bool:
    """Whether the vector file has the attribute ``name``.

    ``False`` when the file cannot be read: :func:`validated_vector` then says why.
    """
    try:
        return name in pyogrio.read_info(path)["fields"]
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError):
        return False


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read and validate the station register; kommunkod must be real where present."""
    has_code = _has_field(path, OPTIONAL)
    frame = validated_vector(path, columns=(*COLUMNS, OPTIONAL) if has_code else COLUMNS,
                             id_column="signature", expected_crs=META.native_crs)
    if not has_code:
        frame[OPTIONAL] = None
    frame = frame.rename(columns={"signature": "signatur", "name": "namn",
                                  "kommun_kod": "kommunkod", "lan_kod": "lanskod",
                                  OPTIONAL: "lokalkod"})
    frame["lokalkod"] = frame["lokalkod"].astype("string")
    in_sweden = frame["kommunkod"].notna()
    require_kommunkod(frame.loc[in_sweden], path)
    frame["kommunkod"] = frame["kommunkod"].astype("string")
    frame["lanskod"] = frame["lanskod"].astype("string")
    return frame


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load every station of the register from ``data_dir``."""
    return parse(META.file(data_dir))


