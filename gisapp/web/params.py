"""Validation of query parameters shared by the pages; each error names its parameter.

Every parser takes the raw string (or ``None``) and returns a typed value or raises
:class:`~data_sources.errors.RequestError`, which the app answers with 400.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from werkzeug.datastructures import MultiDict

from data_sources.errors import RequestError
from layers.indikatorer import OMRADEN

LANGUAGES = ("sv", "en")
FORMATS = ("json", "csv", "xlsx")
SORTS = ("varde", "namn")
MAX_LAYERS = 20
_KOMMUNKOD = re.compile(r"^\d{4}$")
# Parameters that sharing services and mail programs append to links (Google Analytics'
# utm_*, Mailchimp's mc_*, click ids of Facebook, Google, Microsoft, …), ignored by pages.
TRACKING_PREFIXES = ("utm_", "mc_", "_ga", "_gl", "pk_", "mtm_", "hsa_")
TRACKING = frozenset({"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
                      "igshid", "twclid", "ttclid", "li_fat_id", "mkt_tok", "_hsenc", "_hsmi",
                      "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid", "vero_id", "srsltid"})
_SHOWN = 40  # characters of a bad value echoed back in an error message


def _shown(value: str) -> str:
    """A bad value, shortened for an error message (escaped later by JSON/HTML)."""
    return repr(value[:_SHOWN] + ("…" if len(value) > _SHOWN else ""))


def only(args: MultiDict, single: Iterable[str], repeatable: Iterable[str] = ()) -> None:
    """Reject query parameters a view does not know, and repeats of single-valued ones."""
    single, repeatable = set(single), set(repeatable)
    for name in args:
        if name not in single and name not in repeatable:
            allowed = ", ".join(sorted(single | repeatable)) or "none"
            raise RequestError(name[:_SHOWN], f"unknown parameter; allowed: {allowed}",
                               kind="unknown_parameter", values={"allowed": allowed})
        if name in single and len(args.getlist(name)) > 1:
            raise RequestError(name, "given more than once", kind="repeated")


def is_tracking(name: str) -> bool:
    """Whether ``name`` is a well-known tracking parameter (``utm_*``, ``fbclid``, …)."""
    lowered = name.lower()
    return lowered in TRACKING or lowered.startswith(TRACKING_PREFIXES)


def page_only(args: MultiDict, single: Iterable[str]) -> None:
    """:func:`only` for HTML pages: tracking parameters added by shared links are ignored.

    A link from Facebook, a newsletter or a mail program keeps opening the page; APIs call
    :func:`only` and stay strict.
    """
    only(MultiDict([(k, v) for k, v in args.items(multi=True) if not is_tracking(k)]), single)


def choice(parameter: str, value: str | None, allowed: Iterable[str], default: str | None
           ) -> str | None:
    """Return ``value`` if it is one of ``allowed`` (``default`` when absent or empty)."""
    allowed = list(allowed)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise RequestError(parameter, f"unknown value {_shown(value)}; expected one of "
                                      f"{', '.join(allowed)}", kind="unknown_value",
                           values={"value": _shown(value), "allowed": ", ".join(allowed)})
    return value


def language(value: str | None) -> str:
    """Parse ``sprak``: ``sv`` (default) or ``en``."""
    return choice("sprak", value, LANGUAGES, "sv")


def omrade(value: str | None) -> str:
    """Parse ``omrade``: tatort, landsbygd or hela_kommunen (default)."""
    return choice("omrade", value, OMRADEN, "hela_kommunen")


def layer_list(value: str | None, built: list[str]) -> tuple[str, ...] | None:
    """Parse ``lager``: comma-separated ids of built layers; ``None`` when absent.

    Given but empty (``lager=``, an embed made with every layer switched off) is no layers.
    """
    if value is None:
        return None
    ids = [part.strip() for part in value.split(",") if part.strip()]
    if len(ids) > MAX_LAYERS:
        raise RequestError("lager", f"at most {MAX_LAYERS} layers, got {len(ids)}")
    unknown = [i for i in ids if i not in built]
    if unknown:
        raise RequestError("lager", f"unknown layer {_shown(unknown[0])}; known layers: "
                                    f"{', '.join(built)}")
    return tuple(dict.fromkeys(ids))


def well_formed_kommunkod(value: str, parameter: str = "kommun") -> str:
    """Return ``value`` if it is a 4-digit kommunkod, else raise naming ``parameter``."""
    if not _KOMMUNKOD.fullmatch(value):
        raise RequestError(parameter, f"must be a 4-digit kommunkod, got {_shown(value)}")
    return value


def kommunkod(value: str | None, known: dict[str, str]) -> str | None:
    """Parse ``kommun``: a 4-digit kommunkod of the region, or ``None`` when absent."""
    if value is None or value == "":
        return None
    well_formed_kommunkod(value)
    if value not in known:
        valid = ", ".join(f"{code} {name}" for code, name in known.items())
        raise RequestError("kommun", f"{value} is not a kommun of this region; valid: {valid}")
    return value


def number(parameter: str, value: str | None, default: float, *, low: float,
           high: float) -> float:
    """Parse a finite number with ``low < value ≤ high`` (``default`` when absent or empty)."""
    if value is None or value == "":
        return default
    try:
        parsed = float(value)
    except ValueError:
        raise RequestError(parameter, f"must be a number, got {_shown(value)}") from None
    if not (math.isfinite(parsed) and low < parsed <= high):
        raise RequestError(parameter, f"must be > {low:g} and ≤ {high:g}")
    return parsed


def numbers(parameter: str, value: str, counts: tuple[int, ...], expected: str) -> list[float]:
    """Parse comma-separated finite numbers, as many as one of ``counts``.

    ``expected`` describes the form for the error message (e.g. ``west,south,east,north``).
    """
    parts = value.split(",")
    if len(parts) not in counts:
        raise RequestError(parameter, f"expected {' or '.join(map(str, counts))} numbers: "
                                      f"{expected}")
    try:
        parsed = [float(p) for p in parts]
    except ValueError:
        raise RequestError(parameter, f"not numbers: {_shown(value)}") from None
    if not all(math.isfinite(v) for v in parsed):
        raise RequestError(parameter, "numbers must be finite")
    return parsed


def bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """Parse ``bbox``: ``west,south,east,north`` in degrees (WGS 84)."""
    if value is None or value == "":
        return None
    west, south, east, north = numbers("bbox", value, (4,), "west,south,east,north")
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise RequestError("bbox", "expected -180 ≤ west < east ≤ 180 and -90 ≤ south < north ≤ 90")
    return west, south, east, north
