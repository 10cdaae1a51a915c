"""The road network of a data directory, compiled once per file version.

Used by the build steps that measure along roads (``tillganglighet``,
``upptagningsomraden``). The network a build measured along is stored with the build
(:meth:`gisapp.store.Build.network`), so scenarios run on the same network, never on the
raw data directory at request time.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from pathlib import Path

from data_sources import roads
from data_sources._validate import require_file
from gisapp.build.pipeline import BuildContext
from layers.accessibility import Network, build_network
from layers.roadnet import directed_edges

log = logging.getLogger(__name__)


@lru_cache(maxsize=2)
def _compiled(path: str, mtime_ns: int) -> Network:
    """Read and compile the network at ``path`` (``mtime_ns`` keys the cache on the version)."""
    started = time.perf_counter()
    nodes, edges = roads.parse(Path(path))
    network = build_network(nodes, directed_edges(edges))
    log.info("road network %s: %d nodes, %d directed edges in %.1f s", path, network.n_nodes,
             network.n_edges, time.perf_counter() - started)
    return network


def road_network(ctx: BuildContext) -> Network:
    """The compiled drive network of the build's data directory, loaded once per build.

    Raises ``MissingDataError`` when the data directory has no road network.
    """
    return ctx.source(roads.META.name, load_network)


def load_network(data_dir: Path) -> Network:
    """Return the compiled drive network of ``data_dir`` (``osm/region.osm.pbf``).

    Raises ``MissingDataError`` when the file is absent (see :data:`data_sources.roads.META`).
    """
    path = roads.META.file(data_dir)
    require_file(path)
    return _compiled(str(path), path.stat().st_mtime_ns)
