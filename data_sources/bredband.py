"""Broadband access per kommun: PTS bredbandskartläggning (Post- och telestyrelsen).

PTS maps every year (as of 1 October) which households and workplaces (arbetsställen) have
access to fixed broadband of at least 100 Mbit/s and 1 Gbit/s, and publishes the result per
kommun split into tätort, småort and "utanför tätort och småort" (statistik.pts.se,
Mobiltäcknings- och bredbandskartläggning, tabellbilagor). No PTS file is in the development
data, so this source is missing there and the ``bredband`` layer says "saknar data".

Two forms are read, into one schema: PTS' own Excel tabellbilaga
(:mod:`data_sources.bredband_pts`, preferred when present) and the documented CSV below.
:func:`available` says which one the data directory holds.

This module reads one documented long CSV (UTF-8, comma-separated, header row) that a planner
fills from the PTS statistics portal, one row per kommun × mottagare × område × hastighet:

========== ==================================================================================
column     meaning
========== ==================================================================================
kommunkod  4-digit SCB kommunkod as text (``"1780"``)
ar         reference year of the kartläggning (``2024`` = situation 1 October 2024)
mottagare  ``hushall`` (households) or ``arbetsstallen`` (workplaces)
omrade     ``tatort``, ``smaort`` or ``utanfor`` (outside tätort and småort)
hastighet  ``100mbit`` (≥ 100 Mbit/s) or ``1gbit`` (≥ 1 Gbit/s)
antal      number of households/workplaces in that område (whole number ≥ 0)
andel      share of them with access, in percent, 0–100 (a decimal comma is accepted)
========== ==================================================================================

Schema returned by :func:`load`: ``kommunkod, ar (str), mottagare, omrade, hastighet, antal
(int), andel (float, percent), med_tillgang (float, antal × andel / 100)``. The PTS workbook
adds ``omrade = totalt`` and may leave ``antal`` and ``med_tillgang`` empty.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources import bredband_pts
from data_sources._validate import (
    bad_values,
    require_unique,
    require_whole_numbers,
    validated_table,
)
from data_sources.base import SourceFile, SourceMeta

FILE = "digital/bredband_pts_kommun.csv"
COLUMNS = ("kommunkod", "ar", "mottagare", "omrade", "hastighet", "antal", "andel")
KEY = ("kommunkod", "ar", "mottagare", "omrade", "hastighet")
MOTTAGARE = ("hushall", "arbetsstallen")
OMRADEN = ("tatort", "smaort", "utanfor")
HASTIGHETER = ("100mbit", "1gbit")

META = SourceMeta(
    name="bredband",
    title="Bredbandskartläggning per kommun",
    publisher="Post- och telestyrelsen (PTS)",
    licence="PTS open statistics (see statistik.pts.se)",
    reference_year="as stated in the file (column ar)",
    native_crs=None,
    landing_page="https://statistik.pts.se/telekom-och-bredband/mobiltackning-och-bredband/",
    files=(
        SourceFile(
            path=FILE,
            how_to_get=(
                "Hämta PTS bredbandskartläggning (statistik.pts.se, tabellbilaga per kommun) och "
                f"spara som {FILE} (UTF-8 CSV) med kolumnerna {', '.join(COLUMNS)}: en rad per "
                "kommun, mottagare (hushall|arbetsstallen), omrade (tatort|smaort|utanfor) och "
                "hastighet (100mbit|1gbit), med antal och andel i procent"
            ),
        ),
    ),
    caveats=("Access (tillgång eller möjlighet att ansluta), not subscriptions.",),
)


def _require_allowed(frame: pd.DataFrame, column: str, allowed: tuple[str, ...],
                     path: Path) -> None:
    """Raise unless every value of ``column`` is one of ``allowed``."""
    bad = frame[column][~frame[column].isin(allowed)]
    if not bad.empty:
        raise bad_values(path, column, f"be one of {list(allowed)}", bad.tolist(), bad.index)


def _percent(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """Return ``column`` as a float percentage 0–100 (decimal comma allowed)."""
    text = frame[column].astype("string").str.strip().str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna() | (values < 0) | (values > 100)
    if bad.any():
        raise bad_values(path, column, "be a share in percent between 0 and 100",
                         frame.loc[bad, column].tolist(), frame.index[bad])
    return values.astype("float64")


def parse(path: Path) -> pd.DataFrame:
    """Read and validate a broadband table in the documented CSV schema.

    Returns ``kommunkod, ar, mottagare, omrade, hastighet, antal, andel, med_tillgang``.
    Raises :class:`~data_sources.errors.DataError` naming the file, column and rows for a
    missing column, an unknown kommunkod or category, a share outside 0–100 % or a
    duplicated row.
    """
    frame = validated_table(path, columns=COLUMNS, text_columns=("kommunkod", "ar", "andel"),
                            id_column=None)
    for column, allowed in (("mottagare", MOTTAGARE), ("omrade", OMRADEN),
                            ("hastighet", HASTIGHETER)):
        _require_allowed(frame, column, allowed, path)
    frame["antal"] = require_whole_numbers(frame, "antal", path)
    frame["andel"] = _percent(frame, "andel", path)
    frame["ar"] = frame["ar"].str.strip()
    key = frame[list(KEY)].astype(str).agg("/".join, axis=1).to_frame("rad")
    require_unique(key, "rad", path)
    frame["med_tillgang"] = frame["antal"] * frame["andel"] / 100.0
    return frame.reset_index(drop=True)


def load(data_dir: Path) -> pd.DataFrame:
    """Load the broadband table from ``data_dir`` (``MissingDataError`` when absent)."""
    return parse(META.file(data_dir))


# The forms of the source, preferred first: PTS' own workbook, then the planner's CSV.
FORMS: tuple[SourceMeta, ...] = (bredband_pts.META, META)
LOADERS = {bredband_pts.META.name: bredband_pts.load, META.name: load}


def available(data_dir: Path | None) -> SourceMeta | None:
    """Return the preferred broadband form present in ``data_dir``, or ``None``."""
    return next((meta for meta in FORMS if meta.available(data_dir)), None)


def how_to_get() -> str:
    """Instructions for adding either form (for the "saknar data" message)."""
    return " Eller: ".join(meta.files[0].how_to_get for meta in FORMS)
