"""Readable titles for indicator ids made by other steps (stomlinjer, tillgänglighet).

Those steps name their indicators by pattern (``befolkning_stomlinje_tag_1000``,
``service_apotek_andel_over_5km``); this module turns such ids into Swedish and English
titles from the catalogue's ``indicator_pattern.*`` texts. Ids that match no pattern keep
the id as title.
"""

from __future__ import annotations

import re

from layers.service import CATEGORIES
from messages import has, text

_STOMLINJE = re.compile(r"^befolkning_stomlinje_(?P<mode>[a-z]+)_(?P<radius>\d+)$")
_SERVICE = re.compile(r"^service_(?P<kat>[a-z]+)_(?P<measure>medelavstand|medeltid|ej_nabar_bef|"
                      r"andel_over_(?P<limit>[\d_]+)(?P<unit>km|min))$")


def _service_title(kategori: str, measure: str, limit: str, unit: str, lang: str) -> str:
    """Title of one service-access indicator."""
    sv, en, _ = CATEGORIES.get(kategori, (kategori, kategori, ""))
    name = sv.lower() if lang == "sv" else en.lower()
    amount = f"{limit.replace('_', ',' if lang == 'sv' else '.')} {unit}"
    key = "andel_over" if measure.startswith("andel_over") else measure
    return text(f"indicator_pattern.{key}", lang, n=name, a=amount)


def pattern_title(indikator: str, lang: str = "sv") -> str | None:
    """Return a title for a patterned indicator id in ``lang``, or ``None`` if none fits."""
    if match := _STOMLINJE.fullmatch(indikator):
        mode_key = f"indicator_pattern.mode.{match['mode']}"
        mode = text(mode_key, lang) if has(mode_key) else match["mode"]
        stop_key = f"indicator_pattern.stop.{match['mode']}"
        stop = text(stop_key if has(stop_key) else "indicator_pattern.stop.stark", lang)
        radius = f"{int(match['radius']):,}".replace(",", " ")
        return text("indicator_pattern.stomlinje", lang, radius=radius, stop=stop, mode=mode)
    if match := _SERVICE.fullmatch(indikator):
        return _service_title(match["kat"], match["measure"], match["limit"] or "",
                              match["unit"] or "", lang)
    return None
