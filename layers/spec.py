"""How a layer presents itself: ids, titles, theme, style, legend, popups and what it produces.

Every fact about one layer that the web app, the exports or the indicator pages need lives in
its :class:`LayerSpec`, declared once in the layer's own module and collected by
:mod:`layers.catalog`. Pipelines never touch HTML. Titles are Swedish first, English second;
their texts come from the message catalogue (:mod:`messages`) through :func:`layer_texts`,
:func:`popups` and :func:`legend_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from messages import both, has


@dataclass(frozen=True)
class PopupField:
    """One attribute shown in a popup: the column and its Swedish/English label."""

    column: str
    label_sv: str
    label_en: str


@dataclass(frozen=True)
class Category:
    """One class of a categorised layer: the column value, its labels and its colour."""

    value: str
    label_sv: str
    label_en: str
    colour: str


@dataclass(frozen=True)
class Categorized:
    """A layer drawn with one colour per value of ``column`` (map, legend and QGIS style)."""

    column: str
    classes: tuple[Category, ...]

    @classmethod
    def of(cls, column: str, labels: dict[str, tuple[str, str, str]]) -> Categorized:
        """From a table ``{value: (Swedish label, English label, colour)}``."""
        return cls(column, tuple(Category(v, sv, en, colour)
                                 for v, (sv, en, colour) in labels.items()))

    def colour_of(self, value: object) -> str | None:
        """The colour of ``value``, ``None`` when it is not one of the classes."""
        return next((c.colour for c in self.classes if c.value == value), None)


@dataclass(frozen=True)
class LayerSpec:
    """Presentation and provenance contract of one map layer.

    Attributes
    ----------
    id
        Stable id (used in URLs, embeds, the OGC API and the build directory).
    title_sv, title_en
        Titles in the layer panel, the OGC API and exports.
    theme
        Group in the layer panel: Struktur, Resor, Service, Digital, Befolkning.
    geometry_type
        ``Point``, ``LineString``, ``Polygon`` or ``MultiPolygon``.
    sources
        Names of the :data:`data_sources.SOURCES` entries the layer is built from.
    id_column
        The column holding each feature's stable id.
    style
        Leaflet path options (also the base of the QGIS style).
    legend
        Extra legend rows ``(colour, Swedish label, English label)``; the rows of
        ``categories`` come first and need not be repeated here. Colours come from
        :mod:`layers.palette` (no colour is shared by two layers).
    symbol_notes
        What the size, width or dash of a symbol means ``(Swedish, English)``, shown under
        the legend without a colour swatch.
    categories
        One colour per value of a column (service category, stomlinje class), or ``None``.
    popup
        The attributes shown in a popup, in order.
    default_visible
        Whether the main map shows the layer before the user switches it on.
    display_tolerance_m
        Simplification tolerance (m, EPSG:3006) for the browser; ``None`` = not simplified.
    coverage
        Whether the polygons tile the region (kommuner): simplified as a coverage so that
        neighbours keep shared borders.
    indicator_prefixes
        Ids (or id prefixes) of the indicators this layer's build step produces; an
        indicator the build lacks is explained by this layer's "missing" reason.
    how_to_add_sv, how_to_add_en
        What to add to the data directory when the layer cannot be built.
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
    symbol_notes: tuple[tuple[str, str], ...] = ()
    categories: Categorized | None = None
    popup: tuple[PopupField, ...] = ()
    default_visible: bool = True
    display_tolerance_m: float | None = None
    coverage: bool = False
    indicator_prefixes: tuple[str, ...] = ()
    how_to_add_sv: str = ""
    how_to_add_en: str = ""

    def legend_rows(self) -> tuple[tuple[str, str, str], ...]:
        """Every legend row ``(colour, sv, en)``: the categories first, then ``legend``."""
        classes = self.categories.classes if self.categories is not None else ()
        return (*((c.colour, c.label_sv, c.label_en) for c in classes), *self.legend)

    def produces(self, indikator: str) -> bool:
        """Whether this layer's step produces the indicator ``indikator``."""
        return any(indikator.startswith(prefix) for prefix in self.indicator_prefixes)


def layer_texts(layer_id: str) -> dict[str, str]:
    """A layer's titles and how-to-add texts from the message catalogue, as spec keywords.

    Keys ``layer.<id>.title`` and (when the layer can lack data) ``layer.<id>.how_to_add``.
    """
    out = dict(zip(("title_sv", "title_en"), both(f"layer.{layer_id}.title"), strict=True))
    if has(f"layer.{layer_id}.how_to_add"):
        out.update(zip(("how_to_add_sv", "how_to_add_en"),
                       both(f"layer.{layer_id}.how_to_add"), strict=True))
    return out


def popups(layer_id: str, *columns: str) -> tuple[PopupField, ...]:
    """Popup fields of ``columns``, labelled by the catalogue's ``popup.<id>.<column>``."""
    return tuple(PopupField(c, *both(f"popup.{layer_id}.{c}")) for c in columns)


def legend_rows(layer_id: str, *colours: str) -> tuple[tuple[str, str, str], ...]:
    """Legend rows ``(colour, sv, en)``; row ``n`` (from 1) is ``legend.<id>.<n>``."""
    return tuple((colour, *both(f"legend.{layer_id}.{n}"))
                 for n, colour in enumerate(colours, 1))
