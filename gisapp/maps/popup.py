"""Popups of map layers: the spec's fields present in a frame, labelled in the page's language."""

from __future__ import annotations

import folium

from layers.spec import LayerSpec


def popup(spec: LayerSpec, lang: str, columns: list[str]) -> folium.GeoJsonPopup | None:
    """A popup listing the spec's fields present in the frame, labelled in ``lang``."""
    fields = [f for f in spec.popup if f.column in columns]
    if not fields:
        return None
    labels = [f.label_sv if lang == "sv" else f.label_en for f in fields]
    return folium.GeoJsonPopup(fields=[f.column for f in fields], aliases=labels, localize=True,
                               labels=True)
