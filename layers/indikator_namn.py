"""Readable titles for indicator ids made by other steps (stomlinjer, tillgänglighet).

Those steps name their indicators by pattern (``befolkning_stomlinje_tag_1000``,
``service_apotek_andel_over_5km``); this module turns such ids into Swedish and English
titles. Ids that match no pattern keep the id as title.
"""

from __future__ import annotations

import re

from layers.service import CATEGORIES

MODES = {"tag": ("tåg", "rail"), "buss": ("buss", "bus"), "stark": ("stark stomlinje",
                                                                      "strong trunk line")}
_STOMLINJE = re.compile(r"^befolkning_stomlinje_(?P<mode>[a-z]+)_(?P<radius>\d+)$")
_SERVICE = re.compile(r"^service_(?P<kat>[a-z]+)_(?P<measure>medelavstand|medeltid|ej_nabar_bef|"
                      r"andel_over_(?P<limit>[\d_]+)(?P<unit>km|min))$")


def _service_title(kategori: str, measure: str, limit: str, unit: str, lang: str) -> str:
    """Title of one service-access indicator."""
    sv, en, _ = CATEGORIES.get(kategori, (kategori, kategori, ""))
    name = sv.lower() if lang == "sv" else en.lower()
    amount = f"{limit.replace('_', ',' if lang == 'sv' else '.')} {unit}"
    titles = {
        "medelavstand": ("Medelavstånd till närmaste {n}", "Mean distance to the nearest {n}"),
        "medeltid": ("Medelrestid med bil till närmaste {n}",
                     "Mean car travel time to the nearest {n}"),
        "ej_nabar_bef": ("Invånare utan väg till närmaste {n}",
                         "Residents with no road to the nearest {n}"),
        "andel_over": ("Andel som har mer än {a} till närmaste {n}",
                       "Share with more than {a} to the nearest {n}"),
    }
    key = "andel_over" if measure.startswith("andel_over") else measure
    template = titles[key][0 if lang == "sv" else 1]
    return template.format(n=name, a=amount)


def pattern_title(indikator: str, lang: str = "sv") -> str | None:
    """Return a title for a patterned indicator id in ``lang``, or ``None`` if none fits."""
    if match := _STOMLINJE.fullmatch(indikator):
        mode_sv, mode_en = MODES.get(match["mode"], (match["mode"], match["mode"]))
        radius = f"{int(match['radius']):,}".replace(",", " ")
        if lang == "sv":
            return f"Andel av befolkningen som bor inom {radius} m från stomlinje ({mode_sv})"
        return f"Share of the population living within {radius} m of a trunk line ({mode_en})"
    if match := _SERVICE.fullmatch(indikator):
        return _service_title(match["kat"], match["measure"], match["limit"] or "",
                              match["unit"] or "", lang)
    return None
