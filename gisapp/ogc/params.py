"""Validation of the OGC API query parameters; every error names its parameter (400).

Unknown parameters are refused too (OGC API – Features /req/core/query-param-unknown),
except a feature property of the collection, which filters by exact value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from werkzeug.datastructures import MultiDict

from data_sources.errors import RequestError
from gisapp.ogc.crs import CRS84, ServedCrs, parse_crs
from gisapp.web import params as web_params

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
MAX_OFFSET = 10_000_000
MAX_FILTERS = 20
MAX_VALUE_CHARS = 200
MAX_INT_CHARS = 12
FORMATS = ("json", "html")
ITEMS_PARAMETERS = ("f", "bbox", "bbox-crs", "datetime", "limit", "offset", "crs")
_INTEGER = re.compile(r"[ \t]*\+?[0-9]+[ \t]*")  # what int() accepts, ASCII only
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?",
                      re.IGNORECASE)


def _real_instant(text: str) -> bool:
    """Whether an RFC 3339 date/time names a real calendar instant (no 2020-13-45)."""
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ItemsQuery:
    """A validated items request; ``bbox`` is in x/y order of ``bbox_crs``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0
    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: ServedCrs = CRS84
    crs: ServedCrs = CRS84
    filters: dict[str, str] = field(default_factory=dict)


def _single(args: MultiDict, name: str) -> str | None:
    """Return the one value of ``name``; a repeated parameter is an error."""
    values = args.getlist(name)
    if len(values) > 1:
        raise RequestError(name, "given more than once")
    return values[0] if values else None


def integer(args: MultiDict, name: str, default: int, low: int, high: int, *,
            clamp: bool = False) -> int:
    """Parse an integer parameter within ``[low, high]``; with ``clamp``, above is ``high``."""
    raw = _single(args, name)
    if raw is None:
        return default
    if len(raw) > MAX_INT_CHARS or not _INTEGER.fullmatch(raw):
        raise RequestError(name, f"must be an integer between {low} and {high}")
    value = int(raw)
    if clamp and value > high:
        return high
    if not low <= value <= high:
        raise RequestError(name, f"must be between {low} and {high}, got {value}")
    return value


def bbox(raw: str | None, crs: ServedCrs) -> tuple[float, float, float, float] | None:
    """Parse ``bbox`` (4 or 6 numbers, in ``crs``'s axis order); return x/y order, 2D."""
    if raw is None:
        return None
    numbers = web_params.numbers("bbox", raw, (4, 6), "minx,miny,maxx,maxy (or 6 in 3D)")
    half = len(numbers) // 2
    low, high = numbers[:2], numbers[half:half + 2]
    if crs.swap_axes:
        low, high = low[::-1], high[::-1]
    if low[0] > high[0] or low[1] > high[1]:
        raise RequestError("bbox", "lower corner must not exceed upper corner")
    if crs is CRS84 and not (-180 <= low[0] and high[0] <= 180 and -90 <= low[1]
                             and high[1] <= 90):
        raise RequestError("bbox", "CRS84 longitudes must be within ±180, latitudes ±90")
    return low[0], low[1], high[0], high[1]


def datetime_value(raw: str | None) -> str | None:
    """Check ``datetime`` (RFC 3339 instant, or interval ``start/end`` with ``..`` open ends).

    The layers carry no temporal geometry, so a valid value filters nothing (OGC API –
    Features Part 1, /req/core/fc-time-response: only features *with* time are tested).
    """
    if raw is None:
        return None
    parts = raw.split("/")
    open_ends = sum(p in ("", "..") for p in parts)
    closed = [p for p in parts if p not in ("", "..")]
    if (len(parts) > 2 or not closed or (open_ends and len(parts) == 1)
            or not all(_INSTANT.fullmatch(p) and _real_instant(p) for p in closed)):
        raise RequestError("datetime", "expected an RFC 3339 date/time or an interval a/b "
                                       "(open ends as ..)")
    return raw


def output_format(args: MultiDict, accept_html: bool) -> str:
    """Parse ``f`` (json|html); without it, HTML only when the client prefers it."""
    raw = _single(args, "f")
    if raw is None:
        return "html" if accept_html else "json"
    if raw not in FORMATS:
        raise RequestError("f", f"must be one of {', '.join(FORMATS)}")
    return raw


def items_query(args: MultiDict, properties: list[str]) -> ItemsQuery:
    """Parse an items request; ``properties`` are the collection's filterable properties."""
    web_params.only(args, [*ITEMS_PARAMETERS, *properties])
    bbox_crs = parse_crs(_single(args, "bbox-crs"), "bbox-crs")
    datetime_value(_single(args, "datetime"))
    filters = {}
    for name in properties:
        value = _single(args, name)
        if value is not None:
            if len(value) > MAX_VALUE_CHARS:
                raise RequestError(name, f"at most {MAX_VALUE_CHARS} characters")
            filters[name] = value
    if len(filters) > MAX_FILTERS:
        raise RequestError("filter", f"at most {MAX_FILTERS} property filters")
    return ItemsQuery(
        # OGC API – Features Part 1 /rec/core/limit-response: a larger limit is capped
        limit=integer(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, clamp=True),
        offset=integer(args, "offset", 0, 0, MAX_OFFSET),
        bbox=bbox(_single(args, "bbox"), bbox_crs),
        bbox_crs=bbox_crs,
        crs=parse_crs(_single(args, "crs"), "crs"),
        filters=filters,
    )


def feature_query(args: MultiDict) -> ServedCrs:
    """Parse a single-feature request (``f`` and ``crs``); return the output CRS."""
    web_params.only(args, ("f", "crs"))
    return parse_crs(_single(args, "crs"), "crs")
