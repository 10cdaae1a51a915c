"""QGIS styles (QML) from the layer specs, for the ``layer_styles`` table of a GeoPackage.

QGIS opens a GeoPackage layer with the style that ``layer_styles`` marks ``useAsDefault``, so
an exported strukturbild looks in QGIS as it does on the web map: each layer's fill and stroke
from its :class:`~layers.spec.LayerSpec`, and for layers drawn by class (service by
category, stomlinjer and stations by stomlinje class) one colour per class from the palette
of the map legend. Widths and sizes are in screen pixels, as in Leaflet.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from layers.spec import LayerSpec

QGIS_VERSION = "3.22.0"
STYLE_COLUMNS = ["f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column",
                 "styleName", "styleQML", "styleSLD", "useAsDefault", "description", "owner",
                 "ui", "update_time"]
DEFAULT_COLOUR = "#3388ff"  # Leaflet's default path colour


def _rgba(colour: str, opacity: float = 1.0) -> str:
    """QGIS colour text ``r,g,b,a`` from ``#rrggbb`` and an opacity 0–1."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i:i + 2], 16) for i in (0, 2, 4))
    return f"{red},{green},{blue},{round(max(0.0, min(opacity, 1.0)) * 255)}"


def _props(values: dict[str, object]) -> str:
    """``<prop k= v=/>`` lines of one symbol layer."""
    return "".join(f"<prop k={quoteattr(k)} v={quoteattr(str(v))}/>" for k, v in values.items())


def _symbol(kind: str, style: dict, fill_colour: str | None = None) -> str:
    """One QGIS symbol (fill, line or marker) from Leaflet path options."""
    stroke = style.get("color", DEFAULT_COLOUR)
    weight = style.get("weight", 3)
    fill = fill_colour or style.get("fillColor", stroke)
    if kind == "line":
        layer_class, props = "SimpleLine", {
            "line_color": _rgba(fill_colour or stroke, style.get("opacity", 1.0)),
            "line_width": weight, "line_width_unit": "Pixel", "line_style": "solid",
            "capstyle": "round", "joinstyle": "round"}
    elif kind == "marker":
        layer_class, props = "SimpleMarker", {
            "name": "circle", "color": _rgba(fill, style.get("fillOpacity", 0.2)),
            "outline_color": _rgba(stroke), "outline_width": weight,
            "outline_width_unit": "Pixel", "size": 2 * style.get("radius", 5),
            "size_unit": "Pixel"}
    else:
        filled = style.get("fill", True) and style.get("fillOpacity", 0.2) > 0
        layer_class, props = "SimpleFill", {
            "color": _rgba(fill, style.get("fillOpacity", 0.2)),
            "style": "solid" if filled else "no",
            "outline_color": _rgba(stroke, style.get("opacity", 1.0)),
            "outline_style": "solid" if weight > 0 else "no",
            "outline_width": weight, "outline_width_unit": "Pixel"}
    return (f'<symbol type="{kind}" name="{{name}}" alpha="1" clip_to_extent="1" '
            f'force_rhr="0"><layer class="{layer_class}" pass="0" enabled="1" locked="0">'
            f"{_props(props)}</layer></symbol>")


def _kind(geometry_type: str) -> str:
    """QGIS symbol type of a layer's geometry type."""
    if "Point" in geometry_type:
        return "marker"
    return "line" if "LineString" in geometry_type else "fill"


def qml(spec: LayerSpec, frame: pd.DataFrame | None = None) -> str:
    """Return the QML document styling one layer as the web map does.

    For a categorised layer (``spec.categories``), only the classes present in ``frame`` (all
    when no frame is given) get a category.
    """
    kind = _kind(spec.geometry_type)
    if spec.categories is not None:
        column, classes = spec.categories.column, spec.categories.classes
        present = ({c.value for c in classes} if frame is None or column not in frame
                   else set(frame[column]))
        chosen = [(c.value, c.label_sv, c.colour) for c in classes if c.value in present]
        categories = "".join(
            f'<category value={quoteattr(value)} symbol="{n}" label={quoteattr(label)} '
            'render="true"/>' for n, (value, label, _) in enumerate(chosen))
        symbols = "".join(_symbol(kind, spec.style, colour).replace("{name}", str(n))
                          for n, (_, _, colour) in enumerate(chosen))
        renderer = (f'<renderer-v2 type="categorizedSymbol" attr={quoteattr(column)} '
                    f'symbollevels="0" enableorderby="0" forceraster="0">'
                    f"<categories>{categories}</categories><symbols>{symbols}</symbols>"
                    "</renderer-v2>")
    else:
        renderer = ('<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" '
                    f'forceraster="0"><symbols>{_symbol(kind, spec.style).replace("{name}", "0")}'
                    "</symbols></renderer-v2>")
    return (f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
            f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology">{renderer}</qgis>')


def layer_qmd(layer_id: str, title: str, abstract: str, licences: list[str],
              rights: list[str]) -> str:
    """QGIS layer metadata (QMD) naming the layer's title, sources' licences and rights.

    QGIS shows it under Layer Properties → Metadata when it opens the GeoPackage layer.
    """
    licence_tags = "".join(f"<licence>{escape(text)}</licence>" for text in licences)
    rights_tags = "".join(f"<rights>{escape(text)}</rights>" for text in rights)
    return (f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>"
            f'<qgis version="{QGIS_VERSION}"><identifier>{escape(layer_id)}</identifier>'
            "<parentidentifier></parentidentifier><language>sv</language><type>dataset</type>"
            f"<title>{escape(title)}</title><abstract>{escape(abstract)}</abstract>"
            f"{rights_tags}{licence_tags}<encoding></encoding></qgis>")


def style_rows(layers: dict[str, tuple[LayerSpec, pd.DataFrame, str]],
               created: str) -> pd.DataFrame:
    """Return the ``layer_styles`` rows, one default style per layer.

    ``layers`` maps a layer id to ``(spec, frame, geometry column)``; each style is named
    after the spec's Swedish title and dated ``created`` (the build's time).
    """
    rows = [{"f_table_catalog": "", "f_table_schema": "", "f_table_name": layer_id,
             "f_geometry_column": geometry_column, "styleName": spec.title_sv,
             "styleQML": qml(spec, frame), "styleSLD": "", "useAsDefault": True,
             "description": f"{spec.title_sv} / {spec.title_en} (Strukturbild)",
             "owner": "strukturbild", "ui": "", "update_time": pd.Timestamp(created)}
            for layer_id, (spec, frame, geometry_column) in layers.items()]
    return pd.DataFrame(rows, columns=STYLE_COLUMNS)
