"""Drawing order of the map: Leaflet panes, polygons < lines < points, labels on top.

Every vector layer is drawn into the pane of its geometry type, so a station is always
above the line through it and a line above the kommun it crosses, whatever order the
layers are switched on. Panes let pointer events through (``pointer-events: none``);
only the features themselves are interactive, so a click reaches the topmost feature under
the cursor in any pane. Background, highlight and labels are never interactive.
"""

from __future__ import annotations

from collections.abc import Callable

import folium

BACKGROUND = "sbBackground"  # the light background from the data, under the tiles
CHOROPLETH = "sbChoropleth"
POLYGONS = "sbPolygons"
HIGHLIGHT = "sbHighlight"
LINES = "sbLines"
POINTS = "sbPoints"
LABELS = "sbLabels"
# Leaflet's tile pane is at 200 and its overlay pane at 400; markers 600, popups 700.
Z_INDEX = {BACKGROUND: 150, POLYGONS: 410, CHOROPLETH: 415, HIGHLIGHT: 420, LINES: 430,
           POINTS: 440, LABELS: 460}


def add_panes(fmap: folium.Map) -> None:
    """Create every pane of :data:`Z_INDEX` on ``fmap`` (before any layer is added)."""
    for name, z_index in Z_INDEX.items():
        folium.map.CustomPane(name, z_index=z_index, pointer_events=False).add_to(fmap)


def pane_for(geometry_type: str) -> str:
    """The pane of a layer of ``geometry_type`` (``Point``, ``LineString``, ``Polygon``…)."""
    if "Point" in geometry_type:
        return POINTS
    if "Line" in geometry_type:
        return LINES
    return POLYGONS


def in_pane(style: Callable[[dict], dict], pane: str) -> Callable[[dict], dict]:
    """``style`` with ``pane`` added to every feature's style.

    folium merges a point's style into its marker's options, which is how a circle marker
    gets its pane (folium drops ``pane`` from the marker itself).
    """

    def styled(feature: dict) -> dict:
        return {**style(feature), "pane": pane}

    return styled
