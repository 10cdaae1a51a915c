"""How a layer presents itself: ids, titles, theme, style, legend and popup fields.

The web app reads these specs to draw, label and explain every layer; pipelines never
touch HTML. Titles are Swedish first, English second.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PopupField:
    """One attribute shown in a popup: the column and its Swedish/English label."""

    column: str
    label_sv: str
    label_en: str


@dataclass(frozen=True)
class LayerSpec:
    """Presentation and provenance contract of one map layer.

    ``id`` is stable (used in URLs, embeds and the OGC API). ``theme`` groups layers in the
    layer control (Struktur, Resor, Service, Digital, Befolkning). ``style`` holds Leaflet
    path options; ``legend`` is a list of (colour, Swedish label, English label).
    ``sources`` names the :data:`data_sources.SOURCES` entries the layer is built from.
    """

    id: str
    title_sv: str
    title_en: str
    theme: str
    geometry_type: str
    sources: tuple[str, ...]
    id_column: str
    style: dict = field(default_factory=dict)
    legend: tuple[tuple[str, str, str], ...] = ()
    popup: tuple[PopupField, ...] = ()
    default_visible: bool = True
    how_to_add_sv: str = ""
    how_to_add_en: str = ""
