"""The road network of a data directory, compiled once per file version and kept in memory.

Used by the ``tillganglighet`` build step, the ``scenario`` command and the scenario API:
all three need the same :class:`~layers.accessibility.Network`.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from pathlib import Path

from data_sources import roads
from data_sources._validate import require_file
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


def load_network(data_dir: Path) -> Network:
    """Return the compiled drive network of ``data_dir`` (``osm/region.osm.pbf``).

    Raises ``MissingDataError`` when the file is absent (see :data:`data_sources.roads.META`).
    """
    path = roads.META.file(data_dir)
    require_file(path)
    return _compiled(str(path), path.stat().st_mtime_ns)
