"""Popups of map layers: the spec's fields present in a frame, labelled in the page's language."""

from __future__ import annotations

import folium

from layers.spec import LayerSpec


def popup(spec: LayerSpec, lang: str, columns: list[str],
          extra: tuple[tuple[str, str], ...] = ()) -> folium.GeoJsonPopup | None:
    """A popup listing the spec's fields present in the frame, labelled in ``lang``.

    ``extra`` adds ``(column, label)`` lines after them (columns a renderer computed).
    """
    fields = [f for f in spec.popup if f.column in columns]
    if not fields and not extra:
        return None
    labels = [f.label_sv if lang == "sv" else f.label_en for f in fields]
    return folium.GeoJsonPopup(fields=[*(f.column for f in fields), *(c for c, _ in extra)],
                               aliases=[*labels, *(label for _, label in extra)],
                               localize=True, labels=True)
