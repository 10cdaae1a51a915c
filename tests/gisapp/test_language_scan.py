"""Every page in both languages reads as one language: no words of the other language, no
"None", "nan" or empty parentheses in what a reader sees (page text, the map panel's texts,
tooltips, titles and labels)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest

from gisapp.indicators.query import indicator_ids
from layers.service import PAKETOMBUD_SOURCE

# Function words and page words that only one of the two languages has. Swedish terms that
# English pages keep on purpose (kommun, tätort, landsbygd, län, stomlinje…) are not listed.
SWEDISH_ONLY = {"och", "saknar", "från", "inom", "utan", "eller", "för", "med", "som", "inte",
                "finns", "lägg", "bygg", "avgångar", "invånare", "kommunen", "hämta", "visas",
                "rader", "bidragsgivare", "stänger", "beräkna", "gräns", "andel", "folkmängd",
                "befolkning", "hela", "välj", "ingen", "inga", "källa", "källor", "år", "värde",
                "närmaste", "avstånd", "grupp", "kartan", "karta", "sortera", "visa", "ladda",
                "bygge", "objekt", "licens", "mätt", "okänt", "tidtabell", "turer", "klass",
                "hållplats", "trafikdag", "saknas", "på", "av", "till", "är", "om", "vid"}
ENGLISH_ONLY = {"the", "and", "of", "with", "without", "missing", "download", "from", "to",
                "are", "which", "where", "municipality", "municipalities", "urban", "rural",
                "layers", "population", "share", "distance", "none", "trips", "stops", "cut",
                "extract", "put", "rebuild", "square", "squares", "measured", "year", "not",
                "stated", "publisher", "run", "generalisation", "available",
                "terms", "credit", "see", "reuse", "acknowledgement", "compiled", "open",
                "no", "value", "group", "county", "mean", "nearest", "source",
                "sources", "build", "features", "licence", "compare", "show", "sort", "by",
                "whole", "level", "before", "after", "closes", "origins", "name", "area"}
EMPTY = [re.compile(r"\bNone\b"), re.compile(r"\bnan\b", re.I), re.compile(r"\(\s*\)"),
         re.compile(r"\bundefined\b"), re.compile(r"\bnull\b")]
# Keys of the map panel's configuration that hold ids, urls and layer variables, not text.
NOT_TEXT = {"var", "id", "url", "theme", "bounds", "embed", "lang", "indicator", "front",
            "visible", "collapsed", "kommuner"}


class _Visible(HTMLParser):
    """Collects the text a reader sees, plus title/alt/aria-label/placeholder attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.scripts: list[str] = []
        self._skip = 0
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in ("title", "alt", "aria-label", "placeholder"):
            if values.get(name):
                self.parts.append(values[name])
        if tag == "meta" and values.get("name") == "description":
            self.parts.append(values.get("content") or "")
        if tag in ("script", "style"):
            self._skip += 1
            self._script = [] if tag == "script" else None

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
            if self._script is not None:
                self.scripts.append("".join(self._script))
            self._script = None

    def handle_data(self, data):
        if self._skip:
            if self._script is not None:
                self._script.append(data)
        elif data.strip():
            self.parts.append(data)


def _strings(value, key: str | None = None) -> list[str]:
    """Text strings inside a JSON value (ids, urls and column names left out)."""
    if key in NOT_TEXT:
        return []
    if isinstance(value, str):
        return [] if re.fullmatch(r"[a-z0-9_./-]*", value) or value.startswith("#") else [value]
    if key == "themes":  # [Swedish id, label] pairs: only the label is shown
        return [label for _, label in value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(v, k)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def reader_text(html: str) -> list[str]:
    """What a reader of ``html`` can see: page text, panel texts, tooltips, legends."""
    parser = _Visible()
    parser.feed(html)
    texts = list(parser.parts)
    for script in parser.scripts:
        if match := re.search(r"strukturbildPanel\([^,]+, ", script):
            texts += _strings(json.JSONDecoder().raw_decode(script, match.end())[0])
        for aliases in re.findall(r'"aliases": (\[[^\]]*\])', script):
            texts += json.loads(aliases)
        if script.lstrip().startswith("{") and '"punkter"' not in script:
            texts += _strings(json.loads(script))  # a page's JSON texts (scenario)
    return texts


def _names(built) -> set[str]:
    """Proper names that may hold either language's words (publishers, places, stops)."""
    names = {built.manifest["region"]["lansnamn"], *built.kommuner.values(),
             "OGC API – Features", "Källa: Tillväxtverket, Pipos"}
    columns = {"tatorter": "tatort", "tatort_stomlinje": "tatort", "hallplatser": "namn",
               "service": "namn", "kommuner": "klass"}
    for layer_id, column in columns.items():
        if layer_id in built.layer_ids():
            names |= set(built.layer(layer_id)[column].dropna().astype(str))
    for layer in built.manifest["layers"].values():  # publishers and their sources' titles
        names |= {s["publisher"] for s in layer["sources"]}
        names |= {s["title"] for s in layer["sources"]}
    names.add(PAKETOMBUD_SOURCE)
    return {n for n in names if len(n) > 2}


def findings(texts: list[str], lang: str, names: set[str]) -> list[str]:
    """Words of the other language and empty values in ``texts``."""
    other = ENGLISH_ONLY if lang == "sv" else SWEDISH_ONLY
    found = []
    for raw in texts:
        if raw.endswith("…") and any(n.startswith(raw[:-1]) for n in names):
            continue  # a shortened chart label of a name
        text = raw
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "N")
        text = re.sub(r"https?://\S+|\S*/\S*|\S+\.(?:zip|csv|xlsx|gpkg|pbf|geojson|md|txt)\b"
                      r"|`[^`]*`|--[\w-]+", " ", text)
        words = {w.lower() for w in re.findall(r"[\wåäöÅÄÖé²]+", text)}
        bad = sorted(words & other)
        if bad:
            found.append(f"{bad}: {raw[:160]!r}")
        found += [f"{p.pattern}: {raw[:160]!r}" for p in EMPTY if p.search(text)]
    return found


def page_paths(built) -> list[str]:
    paths = ["/", "/embed", "/embed?kommun=1780", "/scenario", "/nedladdning/",
             "/finns-inte", "/jamfor?klassning=nosuch"]
    paths += [f"/kommun/{code}" for code in built.kommuner]
    paths += [f"/jamfor?indikator={i}&omrade={o}" for i in indicator_ids(built)
              for o in ("tatort", "landsbygd", "hela_kommunen")]
    paths += [f"/?indikator={i}" for i in ("andel_i_tatort", "befolkning")]
    return paths


BROWSER = {"Accept": "text/html,*/*;q=0.8"}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_reads_in_one_language(client, built, lang):
    names = _names(built)
    problems = []
    for path in page_paths(built):
        joiner = "&" if "?" in path else "?"
        response = client.get(f"{path}{joiner}sprak={lang}", headers=BROWSER)
        assert response.mimetype == "text/html", path
        problems += [f"{path}: {f}" for f in
                     findings(reader_text(response.get_data(as_text=True)), lang, names)]
    assert problems == []


def test_the_scan_finds_planted_words_and_empty_values():
    assert findings(["Andel med utbildning (16–74 år)"], "sv", set()) == []
    assert findings(["Andel of the people"], "sv", set())
    assert findings(["Share saknar data"], "en", set())
    assert findings(["Landsbygd: None"], "sv", set())
    assert findings(["Värde nan"], "sv", set())
    assert findings(["Folkmängd ()"], "sv", set())
    assert findings(["SKR (Sveriges Kommuner och Regioner)"], "en",
                    {"SKR (Sveriges Kommuner och Regioner)"}) == []
