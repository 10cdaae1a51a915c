"""Layers the map draws from the build's vector tiles (:mod:`gisapp.tiles`), not the page.

A layer is tiled when the build's archive holds it (``manifest["tiles"]["layers"]``; builds
written before tiles draw every layer into the page as before). The page carries, per tiled
layer, the XYZ address of its tiles, its zooms, its style and colour classes and its popup
fields; the panel (``static/strukturbild.js``) draws it with Leaflet.VectorGrid and builds
each popup from the clicked feature's properties, every value inserted as text.
"""

from __future__ import annotations

from gisapp.maps.renderers import SIZES, popup_fields, style_function
from gisapp.maps.transit import access_fields
from gisapp.store import Build
from layers.spec import LayerSpec

TILE_URL = "/tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"


def tiled_layers(build: Build) -> dict[str, list[int]]:
    """``{layer id: [minzoom, maxzoom]}`` of the layers in the build's tile archive."""
    if build.tiles is None:
        return {}
    return {layer_id: zooms for layer_id, zooms in build.manifest["tiles"]["layers"].items()
            if layer_id not in SIZES}


def tile_entry(spec: LayerSpec, build: Build, lang: str, zooms: list[int]) -> dict:
    """The panel config of a tiled layer: tile URL, minimum zoom, style, classes, popup."""
    fields = popup_fields(spec, lang)
    if spec.id == "tatorter" and "tatort_stomlinje" in build.layer_ids():
        fields += [list(field) for field in access_fields(lang)]
    classes = None
    if spec.categories is not None:
        classes = {"column": spec.categories.column,
                   "colours": {str(c.value): c.colour for c in spec.categories.classes}}
    style = style_function(spec)({"properties": {}})
    if "Polygon" in spec.geometry_type:
        style = {"fill": True, **style}  # as Leaflet's polygons (VectorGrid's paths are unfilled)
    return {"tiles": {"url": TILE_URL.format(layer=spec.id), "minZoom": zooms[0],
                      "style": style, "classes": classes},
            "popup": fields}
