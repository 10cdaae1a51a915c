"""Road segments as directed edges with car travel times (pure, no I/O).

Speeds come from OSM ``maxspeed`` when it is given; otherwise from :data:`DEFAULT_SPEED_KMH`
per ``highway`` class. The defaults follow the Swedish general limits (trafikförordningen
3 kap. 17 §: 50 km/h inside built-up areas, 70 km/h outside) and the usual signed limits per
road class; they are our documented choice, not a measurement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 110.0,
    "motorway_link": 70.0,
    "trunk": 90.0,
    "trunk_link": 60.0,
    "primary": 80.0,
    "primary_link": 60.0,
    "secondary": 70.0,
    "secondary_link": 50.0,
    "tertiary": 60.0,
    "tertiary_link": 50.0,
    "unclassified": 50.0,
    "residential": 40.0,
    "road": 50.0,
    "living_street": 7.0,  # gångfart
    "service": 20.0,
}
# Used for road classes missing from the table above.
FALLBACK_SPEED_KMH = 50.0
# OSM implicit limits for Sweden (wiki "Default speed limits": SE:urban, SE:rural, …).
IMPLICIT_KMH = {"se:urban": 50.0, "se:rural": 70.0, "se:motorway": 110.0,
                "se:living_street": 7.0, "walk": 7.0}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph)?\s*$")
_MPH = 1.609344
_ONE_WAY = {"yes", "true", "1"}
_REVERSE = {"-1", "reverse"}


def parse_maxspeed(value: str | None) -> float:
    """Return a speed limit in km/h from an OSM ``maxspeed`` text, or NaN when unusable.

    Takes the lowest of several values (``"50;70"``), converts ``mph`` and reads the
    Swedish implicit values (``SE:urban`` …).
    """
    if value is None:
        return float("nan")
    speeds = []
    for part in str(value).split(";"):
        part = part.strip().lower()
        match = _NUMBER.match(part)
        if match:
            speeds.append(float(match.group(1)) * (_MPH if match.group(2) else 1.0))
        elif part in IMPLICIT_KMH:
            speeds.append(IMPLICIT_KMH[part])
    positive = [s for s in speeds if s > 0]
    return min(positive) if positive else float("nan")


def speeds_kmh(
    highway: pd.Series, maxspeed: pd.Series, *, defaults: Mapping[str, float] = DEFAULT_SPEED_KMH
) -> np.ndarray:
    """Return the car speed (km/h) per segment: ``maxspeed``, else the default of its class."""
    tagged = maxspeed.map(parse_maxspeed).to_numpy(dtype="float64")
    default = highway.map(lambda h: defaults.get(h, FALLBACK_SPEED_KMH)).to_numpy(dtype="float64")
    return np.where(np.isnan(tagged), default, tagged)


def directed_edges(
    edges: pd.DataFrame, *, defaults: Mapping[str, float] = DEFAULT_SPEED_KMH
) -> pd.DataFrame:
    """Expand OSM segments into directed edges with length and travel time.

    ``edges`` has ``u, v, length_m, highway, maxspeed, oneway`` (see
    :mod:`data_sources.roads`). ``oneway`` ``yes`` keeps u→v, ``-1`` keeps v→u, anything
    else gives both directions. Returns ``u, v, length_m, minutes``.
    """
    oneway = edges["oneway"].map(lambda v: None if v is None else str(v).strip().lower())
    minutes = edges["length_m"].to_numpy() / 1000.0 / speeds_kmh(
        edges["highway"], edges["maxspeed"], defaults=defaults) * 60.0
    frame = pd.DataFrame({"u": edges["u"].to_numpy(), "v": edges["v"].to_numpy(),
                          "length_m": edges["length_m"].to_numpy(dtype="float64"),
                          "minutes": minutes})
    forward = frame[~oneway.isin(_REVERSE).to_numpy()]
    backward = frame[~oneway.isin(_ONE_WAY).to_numpy()].rename(columns={"u": "v", "v": "u"})
    return pd.concat([forward, backward[["u", "v", "length_m", "minutes"]]], ignore_index=True)
