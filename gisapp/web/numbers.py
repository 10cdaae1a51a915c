"""Numbers as the pages show them: decimal comma and grouping in Swedish, point in English."""

from __future__ import annotations

import math

NBSP = "\u00a0"  # groups digits without letting a number wrap across lines


def formatter(lang: str):
    """Return ``fmt(value, unit="")``, the table number format of ``lang``.

    Digits are grouped with no-break spaces (a number never wraps); shares and small numbers
    get one decimal (decimal comma in Swedish);
    a missing value is "–".
    """
    point = "," if lang == "sv" else "."

    def fmt(value: object, unit: str = "") -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        digits = 1 if str(unit).startswith("procent") or abs(float(value)) < 100 else 0
        return f"{float(value):,.{digits}f}".replace(",", NBSP).replace(".", point)

    return fmt
