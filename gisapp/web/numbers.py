"""Numbers as the pages show them: decimal comma and grouping in Swedish, point in English."""

from __future__ import annotations

import math

from messages import has, text

NBSP = "\u00a0"  # groups digits without letting a number wrap across lines


def formatter(lang: str):
    """Return ``fmt(value, unit="")``, the table number format of ``lang``.

    Digits are grouped with no-break spaces (a number never wraps); shares and small numbers
    get one decimal (decimal comma in Swedish);
    a missing value is "–".
    """

    def fmt(value: object, unit: str = "") -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        digits = 1 if str(unit).startswith("procent") or abs(float(value)) < 100 else 0
        return number(float(value), lang, digits)

    return fmt


def number(value: float | None, lang: str, digits: int) -> str:
    """``value`` with ``digits`` decimals, grouped by no-break spaces; "–" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    point = "," if lang == "sv" else "."
    return f"{float(value):,.{digits}f}".replace(",", NBSP).replace(".", point)


def unit_label(enhet: str, lang: str) -> str:
    """An indicator unit as a reader sees it, e.g. ``per cent (straight line)`` in English.

    ``procent (fågelvägen)`` is a base unit and a qualifier, each from the catalogue
    (``unit.<word>``); words the catalogue does not know are shown as stored.
    """
    base, _, qualifier = str(enhet).partition(" (")
    qualifier = qualifier.rstrip(")")
    parts = [text(f"unit.{base}", lang) if has(f"unit.{base}") else base]
    if qualifier:
        parts.append(f"({text(f'unit.{qualifier}', lang)})" if has(f"unit.{qualifier}")
                     else f"({qualifier})")
    return " ".join(p for p in parts if p)
