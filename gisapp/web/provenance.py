"""Provenance rows for pages: one row per layer source, from the build manifest."""

from __future__ import annotations

from gisapp.store import Build


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
            rows.append({"title": title, "publisher": source["publisher"],
                         "year": source["reference_year"], "licence": source["licence"],
                         "rows": layer["rows"]})
    return rows
