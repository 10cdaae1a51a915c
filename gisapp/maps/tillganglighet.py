"""Map renderer of the ``tillganglighet`` layer: origins coloured by time (or km) to service.

Listed in :mod:`gisapp.maps.renderers`. One category
is drawn (the first of the taxonomy present in the build); circles are sized by
population. Along a road network the colour is car time in minutes; with the straight-line
fallback it is the distance in km and every label says "fågelvägen".
"""

from __future__ import annotations

import folium
import numpy as np

from gisapp.maps.display import to_geojson
from gisapp.maps.popup import popup
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


def render(parent: folium.map.FeatureGroup, spec: LayerSpec, build: Build, lang: str) -> None:
    """Draw the origins of the first category present, coloured and sized, into ``parent``."""
    frame = build.layer(spec.id)
    present = [c for c in CATEGORIES if c in set(frame["kategori"])]
    if not present:
        return
    shown = frame[frame["kategori"] == present[0]].copy()
    straight = bool((shown["metod"] == STRAIGHT).all())
    value = shown["km"] if straight else shown["minuter"]
    colours = _colours(spec)
    classes = np.digitize(value.replace(np.inf, np.nan).fillna(0), BREAKS)
    shown["farg"] = [colours[-1] if not reach else colours[c]
                     for c, reach in zip(classes, shown["nabar"], strict=True)]
    shown["radie"] = 4 + 10 * np.sqrt(shown["befolkning"] / max(shown["befolkning"].max(), 1))
    shown["km"] = shown["km"].replace(np.inf, np.nan).round(1)
    shown["minuter"] = shown["minuter"].replace(np.inf, np.nan).round(0)
    shown["metod"] = shown["metod"].where(shown["nabar"], UNREACHABLE)
    base = dict(spec.style)
    folium.GeoJson(
        to_geojson(shown, escape=True),
        style_function=lambda f: {**base, "fillColor": f["properties"]["farg"],
                                  "radius": f["properties"]["radie"]},
        popup=popup(spec, lang, list(shown.columns)),
        marker=folium.CircleMarker(radius=6),
    ).add_to(parent)

