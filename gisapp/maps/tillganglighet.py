"""Map display of the ``tillganglighet`` layer: origins coloured by time (or km) to service.

Listed in :mod:`gisapp.maps.renderers` as drawn on demand. One category is drawn (the first
of the taxonomy present in the build); circles are sized by population. Along a road
network the colour is car time in minutes; with the straight-line fallback it is the
distance in km and every label says "fågelvägen".
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np

from gisapp.store import Build
from layers.accessibility import STRAIGHT
from layers.service import CATEGORIES
from layers.spec import LayerSpec

# Class breaks (km or min) and colours of the spec's legend, last colour = unreachable.
BREAKS = (5.0, 10.0, 20.0, 30.0)
UNREACHABLE = "ej nåbar"


def _colours(spec: LayerSpec) -> list[str]:
    """The legend colours, in class order."""
    return [colour for colour, _, _ in spec.legend]


def display_frame(spec: LayerSpec, build: Build) -> gpd.GeoDataFrame:
    """The origins of the first category present, each with its circle style in ``_style``.

    Drawn on demand (:data:`gisapp.maps.renderers.ON_DEMAND`): a grid build has thousands
    of origins (every square's tätort and landsbygd part).
    """
    frame = build.layer(spec.id)
    present = [c for c in CATEGORIES if c in set(frame["kategori"])]
    shown = frame[frame["kategori"] == (present[0] if present else None)].copy()
    straight = bool((shown["metod"] == STRAIGHT).all())
    value = shown["km"] if straight else shown["minuter"]
    colours = _colours(spec)
    classes = np.digitize(value.replace(np.inf, np.nan).fillna(0), BREAKS)
    radius = 4 + 10 * np.sqrt(shown["befolkning"] / max(shown["befolkning"].max(), 1))
    base = dict(spec.style)
    shown["_style"] = [{**base, "fillColor": colours[c] if reach else colours[-1],
                        "radius": float(r)}
                       for c, reach, r in zip(classes, shown["nabar"], radius, strict=True)]
    shown["km"] = shown["km"].replace(np.inf, np.nan).round(1)
    shown["minuter"] = shown["minuter"].replace(np.inf, np.nan).round(0)
    shown["metod"] = shown["metod"].where(shown["nabar"], UNREACHABLE)
    return shown
