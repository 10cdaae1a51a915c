"""The source line of a map: "Källa: Lantmäteriet (2018), SCB (2020, 2024), … " from the build.

Publishers of the shown layers' sources (the build manifest), shortened to the name before
any parenthesis or comma, each with the reference years of its files, in first-seen order.
Embeds, printouts and the PNG/PDF exports carry it, so a map pasted into a report keeps
its sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gisapp.store import Build
from gisapp.web.provenance import shown as shown_in
from messages import text

_YEAR = re.compile(r"(?:19|20)\d{2}")


def _short(publisher: str) -> str:
    """The publisher's name before a parenthesis, comma or semicolon."""
    return re.split(r"\s*[(,;]", publisher, maxsplit=1)[0].strip() or publisher


def source_years(build: Build, layer_ids: Iterable[str],
                 lang: str = "sv") -> dict[str, list[str]]:
    """``{short publisher in lang: sorted reference years}`` of the sources of ``layer_ids``."""
    out: dict[str, set[str]] = {}
    for layer_id in layer_ids:
        record = build.manifest["layers"].get(layer_id)
        for source in (record or {}).get("sources", []):
            years = _YEAR.findall(str(source.get("reference_year", "")))
            name = _short(shown_in(source, "publisher", lang))
            out.setdefault(name, set()).update(years[:1] + years[-1:])
    return {name: sorted(years) for name, years in out.items()}


def indicator_layers(build: Build, indikator: str | None) -> list[str]:
    """The layers whose build step produced ``indikator`` (their sources are its sources)."""
    if not indikator:
        return []
    return [layer_id for layer_id, record in build.manifest["layers"].items()
            if indikator in record.get("indikatorer", ())]


def source_line(build: Build, layer_ids: Iterable[str], lang: str, *,
                basemap: bool = False, indikator: str | None = None) -> str:
    """"Källa: A (2018), B (2020, 2024)" for ``layer_ids`` and the indicator shaded.

    With ``basemap`` the tiles' attribution is added.
    """
    shown = [*layer_ids, *indicator_layers(build, indikator)]
    parts = [f"{name} ({', '.join(years)})" if years else name
             for name, years in source_years(build, shown, lang).items()]
    if basemap:
        parts.append(text("map.basemap_attribution", lang))
    return f"{text('page.source', lang)}: {'; '.join(parts)}" if parts else ""
