"""The catalogue of map layers: every layer's :class:`~layers.spec.LayerSpec`, in one place.

Each layer module declares its own ``SPEC`` (titles, theme, style, categories and colours,
legend, popup fields, display tolerance, which indicators it produces); this module collects
them in panel order. The web app, the OGC API, the exports and the indicator pages read
layer facts from here and nowhere else, so they never import the build pipeline.

Colours: every layer takes its colours from :mod:`layers.palette`, one palette for the whole
map. Categorical layers use one colour-blind-safe set each (stomlinjenät Okabe–Ito, stations
Paul Tol *bright*, service points Paul Tol *muted*, tätorternas närmaste stomlinje
Okabe–Ito), ordered classes sequential ramps (population ColorBrewer Purples, access YlOrRd,
indicator choropleth viridis), context layers greys and pale fills; no colour is shared by
two layers (:func:`legend_colours`, tested), so a legend swatch names one layer.
"""

from __future__ import annotations

from layers import (
    befolkningsruta,
    bredband,
    hallplatser,
    kommuner,
    kommunindikatorer,
    lan,
    service,
    stomlinjer,
    tatort_stomlinje,
    tatorter,
    tillganglighet,
    tillganglighet_ruta,
    upptagningsomraden,
)
from layers.spec import LayerSpec

# Panel order within each theme: polygons that give context first, then lines, then points.
LAYERS: tuple[LayerSpec, ...] = (
    kommuner.SPEC,
    lan.SPEC,
    tatorter.SPEC,
    service.SPEC,
    hallplatser.SPEC,
    stomlinjer.SPEC,
    tatort_stomlinje.SPEC,
    befolkningsruta.SPEC,
    upptagningsomraden.SPEC,
    tillganglighet.SPEC,
    *tillganglighet_ruta.SPECS,
    bredband.SPEC,
    kommunindikatorer.SPEC,
)

SPECS: dict[str, LayerSpec] = {spec.id: spec for spec in LAYERS}


def producer_of(indikator: str) -> LayerSpec | None:
    """The layer whose build step produces ``indikator`` (``None`` when none declares it)."""
    return next((spec for spec in LAYERS if spec.produces(indikator)), None)


def legend_colours() -> dict[str, set[str]]:
    """Every layer's legend colours (lower-case hex), by layer id."""
    return {spec.id: {colour.lower() for colour, _, _ in spec.legend_rows()} for spec in LAYERS}
