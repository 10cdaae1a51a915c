"""The indicator table contract (long format, one row per value).

Columns: ``kommunkod, omrade, indikator, varde, enhet, teljare, namnare, ar, kalla``.
``omrade`` is ``tatort``, ``landsbygd`` or ``hela_kommunen``. Shares are ``teljare /
namnare`` (``varde`` in the stated ``enhet``, e.g. ``procent``); counts have ``namnare``
empty. Aggregates per class and for the län are always computed from ``teljare`` and
``namnare`` (population-weighted), never by averaging ``varde``.
"""

from __future__ import annotations

import pandas as pd

from data_sources.errors import DataError

COLUMNS = ["kommunkod", "omrade", "indikator", "varde", "enhet", "teljare", "namnare", "ar",
           "kalla"]
OMRADEN = ("tatort", "landsbygd", "hela_kommunen")


def check(frame: pd.DataFrame, producer: str) -> pd.DataFrame:
    """Return ``frame`` with exactly :data:`COLUMNS`, raising if it breaks the contract."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        msg = f"indicator rows from {producer}: missing column(s) {missing}"
        raise DataError(msg)
    bad = sorted(set(frame["omrade"]) - set(OMRADEN))
    if bad:
        msg = f"indicator rows from {producer}: omrade must be one of {OMRADEN}, got {bad}"
        raise DataError(msg)
    return frame[COLUMNS].reset_index(drop=True)
