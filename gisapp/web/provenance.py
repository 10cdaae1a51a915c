"""Provenance rows for pages: one row per layer source, from the build manifest."""

from __future__ import annotations

from gisapp.store import Build
from messages import has, text

FIELDS = {"publisher": "publisher", "licence": "licence", "reference_year": "year"}


def shown(source: dict, field: str, lang: str) -> str:
    """A source's ``field`` as a page in ``lang`` shows it.

    The manifest keeps the publisher's metadata as recorded (English); where the catalogue
    has ``source.<name>.<field>`` for that text, the page shows it in ``lang``. A value
    resolved from the files (a year read from a file name) is shown as it is.
    """
    value = str(source.get(field, "–"))
    key = f"source.{source.get('name')}.{FIELDS[field]}"
    return text(key, lang) if has(key) and value == text(key, "en") else value


def provenance_rows(build: Build, lang: str) -> list[dict]:
    """Return ``title, publisher, year, licence, rows`` per (layer, source) of ``build``."""
    rows = []
    for layer in build.manifest["layers"].values():
        title = layer["title_sv"] if lang == "sv" else layer["title_en"]
        sources = layer["sources"] or [
            {"publisher": layer.get("fallback", {}).get("publisher", "–"),
             "reference_year": "–", "licence": layer.get("fallback", {}).get("licence", "–")}
        ]
        for source in sources:
            rows.append({"title": title, "publisher": shown(source, "publisher", lang),
                         "year": shown(source, "reference_year", lang),
                         "licence": shown(source, "licence", lang), "rows": layer["rows"]})
    return rows
