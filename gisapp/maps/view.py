"""What a map view shows: the parameters of ``/embed``, ``/karta.png`` and ``/karta.pdf``.

One parser for all three (``sprak``, ``lager``, ``kommun``, ``bbox``, ``indikator``), so an
embed and its image or PDF show the same layers, extent and indicator; each bad parameter
is a :class:`~data_sources.errors.RequestError` naming it (400).
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from gisapp.maps.choropleth import parse_indikator
from gisapp.store import Build
from gisapp.web import params
from layers.catalog import SPECS
from layers.indikatorer import describe
from messages import text

VIEW_PARAMS = ("sprak", "lager", "kommun", "bbox", "indikator")
THEMES = ("Struktur", "Resor", "Service", "Digital", "Befolkning")


@dataclass(frozen=True)
class MapView:
    """A parsed view: language, layers (``None`` = the default ones), kommun, bbox, indicator."""

    lang: str
    layer_ids: tuple[str, ...] | None
    kommun: str | None
    bbox: tuple[float, float, float, float] | None
    indikator: str | None

    def layers(self, build: Build) -> tuple[str, ...]:
        """The layers shown: those asked for, else the build's default ones."""
        return default_layers(build) if self.layer_ids is None else self.layer_ids


def parse_view(args: MultiDict, build: Build) -> MapView:
    """Validate the view parameters of ``args`` against ``build``."""
    known = [*build.layer_ids(), *build.manifest["missing"]]  # unbuilt: shown as saknar data
    return MapView(
        lang=params.language(args.get("sprak")),
        layer_ids=params.layer_list(args.get("lager"), known),
        kommun=params.kommunkod(args.get("kommun"), build.kommuner),
        bbox=params.bbox(args.get("bbox")),
        indikator=parse_indikator(args.get("indikator"), build),
    )


def default_layers(build: Build) -> tuple[str, ...]:
    """The layers a view shows when ``lager`` is absent: those visible by default."""
    return tuple(i for i in build.layer_ids() if i in SPECS and SPECS[i].default_visible)


def map_title(build: Build, layer_ids: tuple[str, ...], kommun: str | None,
              indikator: str | None, lang: str) -> str:
    """"Place – theme(s)": the kommun (or region) and the themes of the shown layers.

    With an indicator the theme is the indicator's title.
    """
    place = build.kommuner[kommun] if kommun else build.manifest["region"]["lansnamn"]
    if indikator:
        return f"{place} – {describe(indikator, lang)['titel']}"
    themes = [t for t in THEMES if any(SPECS[i].theme == t for i in layer_ids if i in SPECS)]
    shown = [text(f"theme.{t}", lang) for t in themes]
    return f"{place} – {', '.join(shown)}" if shown else place
