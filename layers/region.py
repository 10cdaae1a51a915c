"""The region of a build: one län, several, or the whole country (``--lan``).

A region is written as a 2-digit länskod (``"17"``), a comma-separated list of them
(``"17,18,20"``) or ``"all"`` / ``"SE"`` for every län of Sweden. The boundary file decides
which län exist; a code it does not hold is an error naming the code and the known ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from data_sources.errors import DataError

NATIONAL = ("all", "SE")
RIKET = "Sverige"  # the name of the national level (län column of aggregates)
_CODES = re.compile(r"\d{2}(,\d{2})*")


def is_valid(spec: str) -> bool:
    """Whether ``spec`` is written as a region (codes are checked against the data later)."""
    return spec in NATIONAL or bool(_CODES.fullmatch(spec))


def lan_codes(spec: str, known: Iterable[str]) -> tuple[str, ...]:
    """The sorted länskoder of region ``spec`` among the ``known`` ones.

    Raises :class:`DataError` for a malformed region or a code not in ``known``.
    """
    known = sorted(set(known))
    if spec in NATIONAL:
        return tuple(known)
    if not _CODES.fullmatch(spec):
        msg = (f"--lan {spec[:40]!r}: expected a 2-digit länskod, a comma-separated list of "
               f"them or 'all'; known: {', '.join(known)}")
        raise DataError(msg)
    codes = sorted(set(spec.split(",")))
    unknown = [c for c in codes if c not in known]
    if unknown:
        msg = (f"län {', '.join(map(repr, unknown))} is not in the län boundaries; "
               f"known: {', '.join(known)}")
        raise DataError(msg)
    return tuple(codes)


def is_national(codes: Iterable[str], known: Iterable[str]) -> bool:
    """Whether ``codes`` are every known län (the build covers the whole country)."""
    return set(codes) == set(known)
