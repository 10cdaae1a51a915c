"""Hostile names, and what a browser would insert for them into a folium map's popups.

A source can carry markup in a name (an OSM shop name, a GTFS stop name, a kommun name in a
damaged file). ``write_hostile_build`` writes the real layers with ``HOSTILE`` before every
such name. ``inserted_popups`` reads a page the way the browser does: it decodes each
folium layer's embedded GeoJSON (``…_add({...})``, where ``<`` arrives as ``\\u003c``), builds
the HTML string folium's popup/tooltip template assigns to ``innerHTML`` for every feature,
and parses it like ``innerHTML`` would, so a test can assert which elements and attributes
it creates — independently of the app's escaping code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from gisapp.store import Build, FileStore
from gisapp.tiles.frames import tile_layers
from gisapp.tiles.writer import write_archive

# A <script> element (inert through innerHTML) and an element whose handler runs when parsed.
HOSTILE = '<script>alert("x")</script><img src=x onerror="window.sbPwned=1"> \'"&'

# Name-like columns taken from the publishers' files, per layer.
NAME_COLUMNS = {
    "kommuner": ("kommunnamn", "lansnamn"), "lan": ("lansnamn",), "tatorter": ("tatort",),
    "service": ("namn", "adress"), "hallplatser": ("namn", "linjer", "operatorer"),
    "stomlinjer": ("fran_namn", "till_namn", "linjer", "operatorer"),
    "tatort_stomlinje": ("hallplats",), "kommunindikatorer": ("kommunnamn",),
}


def write_hostile_build(built: Build, root: Path, *, tiles: bool = False) -> Path:
    """Write ``built``'s layers with ``HOSTILE`` before every name into a store at ``root``.

    With ``tiles`` the build also gets its vector tile archive, written from the hostile
    layers as the build writes it, so the map draws those layers from tiles.
    """
    layers = {layer_id: built.layer(layer_id).copy() for layer_id in built.layer_ids()}
    for layer_id, columns in NAME_COLUMNS.items():
        frame = layers.get(layer_id)
        for column in columns:
            if frame is not None and column in frame.columns:
                named = frame[column].notna()
                frame.loc[named, column] = HOSTILE + frame.loc[named, column].astype(str)
    manifest = {k: v for k, v in built.manifest.items() if k != "build_id"}
    archive = write_archive(tile_layers(layers)).data if tiles else None
    FileStore(root).write(layers, built.indicators, manifest, tiles=archive)
    return root


@dataclass
class Inserted:
    """What ``innerHTML`` creates for one feature's popup or tooltip."""

    layer: str
    kind: str  # "Popup" or "Tooltip"
    elements: list[tuple[str, list[str]]] = field(default_factory=list)  # tag, attribute names
    cells: dict[str, str] = field(default_factory=dict)  # field → text of its <td>


class _InnerHTML(HTMLParser):
    """Records elements, attribute names and the text of each ``<td>``, as innerHTML parses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[str]]] = []
        self.cells: list[str] = []
        self._in_td = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, [name for name, _ in attrs]))
        if tag == "td":
            self._in_td += 1
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_td -= 1

    def handle_data(self, data: str) -> None:
        if self._in_td:
            self.cells[-1] += data


_BIND = re.compile(r"(geo_json_[0-9a-f]+)\.bind(Popup|Tooltip)\(\s*function\(layer\)\{(.*?)"
                   r"return div", re.S)
_FIELDS = re.compile(r"let fields = (\[.*?\]);\s*let aliases = (\[.*?\]);", re.S)


def _embedded_data(page: str, layer: str) -> dict:
    """The GeoJSON a folium layer's ``_add(...)`` call passes, decoded as JavaScript would."""
    call = f"{layer}_add("
    start = page.index(call + "{") + len(call)
    return json.JSONDecoder().raw_decode(page, start)[0]


def _shown(value: object) -> str:
    """The template's ``handleObject(value)``: '' for null, JSON for objects, else the value."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def inserted_popups(page: str) -> list[Inserted]:
    """Every feature popup and tooltip of ``page``'s folium layers, as the browser inserts it."""
    out = []
    for layer, kind, body in _BIND.findall(page):
        match = _FIELDS.search(body)
        if match is None:
            continue
        fields, aliases = json.loads(match.group(1)), json.loads(match.group(2))
        labels = "<th>" in body
        for feature in _embedded_data(page, layer)["features"]:
            props = feature["properties"]
            rows = "".join(
                "<tr>" + (f"<th>{alias}</th>" if labels else "")
                + f"<td>{_shown(props.get(name))}</td></tr>"
                for name, alias in zip(fields, aliases, strict=True))
            parser = _InnerHTML()
            parser.feed(f"<table>{rows}</table>")
            parser.close()
            out.append(Inserted(layer, kind, parser.elements,
                                dict(zip(fields, parser.cells, strict=False))))
    return out
