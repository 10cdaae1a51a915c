"""Service points from OpenStreetMap: a local ``.osm.pbf`` extract (offline) or osmnx (online).

Reads the amenities and shops that :mod:`layers.service` maps onto the service taxonomy
(:data:`TAGS`). Offline from ``osm/region.osm.pbf`` with pyrosm (the same extract as the road
network, :mod:`data_sources.roads`); online with osmnx ``features_from_place``.

Schema returned by :func:`parse` / :func:`from_osmnx` (EPSG:3006): ``id`` (``node/123``,
``way/456``), ``amenity``, ``shop``, ``healthcare``, ``namn``, ``adress`` (street and number
when tagged), ``geometry`` (the point, or a point inside a mapped building/area).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources._pbf import read_pbf
from data_sources._validate import require_unique, to_compute_crs
from data_sources.base import SourceMeta
from data_sources.roads import META as ROADS_META

META = SourceMeta(
    name="osm_service",
    title="Servicepunkter (OpenStreetMap)",
    publisher="OpenStreetMap contributors",
    licence="ODbL 1.0",
    reference_year="extract date",
    native_crs="EPSG:4326",
    landing_page="https://www.openstreetmap.org/copyright",
    files=ROADS_META.files,
    caveats=("Crowd-sourced: completeness varies by place; check against official registers.",),
    fetcher=lambda data_dir, settings, *, lanskod: [
        "osm_service: read from the same extract as osm_vagnat (fetched with it)"],
)

# OSM tags read (key -> values); layers.service.OSM_TAGS maps them onto categories.
TAGS: dict[str, list[str]] = {
    "amenity": ["pharmacy", "clinic", "doctors", "fuel", "post_office", "parcel_locker", "atm",
                "library"],
    "shop": ["supermarket", "convenience", "grocery"],
    "healthcare": ["centre", "clinic", "doctor"],
}
COLUMNS = ["id", "amenity", "shop", "healthcare", "namn", "adress", "geometry"]


def _normalise(frame: gpd.GeoDataFrame, osm_type: pd.Series, osm_id: pd.Series,
               source: str) -> gpd.GeoDataFrame:
    """Common schema from pyrosm or osmnx features (points kept, areas → inner point)."""
    def get(column: str) -> pd.Series:
        """A tag column, or all-empty when no feature has the tag."""
        if column in frame.columns:
            return frame[column].astype(object)
        return pd.Series(None, index=frame.index, dtype=object)

    street, number = get("addr:street"), get("addr:housenumber")
    address = (street.fillna("") + " " + number.fillna("")).str.strip().replace("", None)
    out = gpd.GeoDataFrame({
        "id": osm_type.astype(str).to_numpy() + "/" + osm_id.astype("int64").astype(str).to_numpy(),
        "amenity": get("amenity").to_numpy(), "shop": get("shop").to_numpy(),
        "healthcare": get("healthcare").to_numpy(),
        "namn": get("name").to_numpy(), "adress": address.to_numpy(),
    }, geometry=frame.geometry.representative_point().to_numpy(), crs=frame.crs)
    out = out[out.geometry.notna()].reset_index(drop=True)
    require_unique(out, "id", Path(source))
    return to_compute_crs(out, Path(source))


def parse(path: Path) -> gpd.GeoDataFrame:
    """Read the service amenities and shops of an ``.osm.pbf`` extract with pyrosm."""
    pois = read_pbf(path, lambda osm: osm.get_pois(custom_filter=TAGS))
    if pois is None or pois.empty:
        return gpd.GeoDataFrame(columns=COLUMNS, geometry="geometry", crs="EPSG:3006")
    return _normalise(pois, pois["osm_type"], pois["id"], str(path))


def from_osmnx(place: str) -> gpd.GeoDataFrame:
    """Download the service amenities and shops of ``place`` with osmnx (needs internet)."""
    import osmnx as ox

    features = ox.features_from_place(place, tags=TAGS).reset_index()
    return _normalise(features, features["element"], features["id"],
                      f"osmnx features_from_place({place!r})")


def extract_date(data_dir: Path) -> str:
    """The date of the local extract (file modification date, ISO), as the points' date."""
    path = META.file(data_dir)
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).date().isoformat()


def load(data_dir: Path) -> gpd.GeoDataFrame:
    """Load the service points of ``osm/region.osm.pbf`` in ``data_dir``."""
    return parse(META.file(data_dir))
