"""Texts shared by the page templates (header, footer, provenance table), per language."""

from __future__ import annotations

TEXTS = {
    "sv": {"title": "Strukturbild", "build": "Bygge", "provenance": "Källor",
           "layer": "Lager", "source": "Källa", "year": "År", "licence": "Licens",
           "rows": "Objekt", "missing": "saknar data", "other_lang": "English",
           "compare": "Jämför kommuner", "sources_link": "Källor och mer",
           "layers_missing": "lager saknar data", "downloads": "Ladda ner",
           "scenario": "Om en servicepunkt stänger",
           "ogc_title": "Alla lager som OGC API – Features, t.ex. för QGIS"},
    "en": {"title": "Structure map", "build": "Build", "provenance": "Sources",
           "layer": "Layer", "source": "Source", "year": "Year", "licence": "Licence",
           "rows": "Features", "missing": "no data", "other_lang": "Svenska",
           "compare": "Compare municipalities", "sources_link": "Sources and more",
           "layers_missing": "layers without data", "downloads": "Downloads",
           "scenario": "If a service point closes",
           "ogc_title": "Every layer as OGC API – Features, e.g. for QGIS"},
}
