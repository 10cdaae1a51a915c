"""Validation of the indicator pages' and API's query parameters.

Each parser returns a typed value or raises :class:`~data_sources.errors.RequestError` naming
the parameter (answered with 400).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from data_sources.errors import RequestError
from layers.indikatorer import OMRADEN

LANGUAGES = ("sv", "en")
FORMATS = ("json", "csv")
SORTS = ("varde", "namn")
_KOMMUNKOD = re.compile(r"^\d{4}$")
_SHOWN = 40


def _shown(value: str) -> str:
    """Shorten a bad value for the error message."""
    return repr(value[:_SHOWN] + ("…" if len(value) > _SHOWN else ""))


def choice(parameter: str, value: str | None, allowed: Iterable[str], default: str | None
           ) -> str | None:
    """Return ``value`` if it is one of ``allowed`` (``default`` when absent or empty)."""
    allowed = list(allowed)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise RequestError(parameter, f"unknown value {_shown(value)}; expected one of "
                                      f"{', '.join(allowed)}")
    return value


def language(value: str | None) -> str:
    """Parse ``sprak``: ``sv`` (default) or ``en``."""
    return choice("sprak", value, LANGUAGES, "sv")


def kommun(value: str | None, known: dict[str, str]) -> str | None:
    """Parse ``kommun``: a 4-digit kommunkod of the region, or ``None`` when absent."""
    if value is None or value == "":
        return None
    if not _KOMMUNKOD.fullmatch(value):
        raise RequestError("kommun", f"must be a 4-digit kommunkod, got {_shown(value)}")
    if value not in known:
        valid = ", ".join(f"{code} {name}" for code, name in known.items())
        raise RequestError("kommun", f"{value} is not a kommun of this region; valid: {valid}")
    return value


def omrade(value: str | None) -> str:
    """Parse ``omrade``: tatort, landsbygd or hela_kommunen (default)."""
    return choice("omrade", value, OMRADEN, "hela_kommunen")
