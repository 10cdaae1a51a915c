"""PTS bredbandskartläggning as PTS publishes it: the Excel tabellbilaga per kommun.

PTS (statistik.pts.se, "Mobiltäcknings- och bredbandskartläggning", dokument) publishes its
results per kommun, län and riket as Excel workbooks ("tabellbilagor"). The reader follows the
layout of those workbooks:

* one worksheet per område — totalt, tätort, småort, utanför tätort och småort — named
  like ``"<tabell>, tätort"`` (Excel cuts sheet names at 31 characters, so "utanför" alone
  suffices; when the name does not say, the sheet's title rows do); other sheets (contents,
  definitions, methods) are skipped;
* a few title rows, then a header block of up to three rows — measure (e.g. "Andel med
  tillgång till bredband om minst 1 Gbit/s"), year, and mottagare ("Hushåll" /
  "Arbetsställen") — where a merged cell spans the columns beneath it;
* body rows with the region code in column A (two digits for a län, four for a kommun,
  possibly stored as a number so that 0114 reads 114) and its name in column B;
* shares stored as fractions 0–1 (formatted as percent), censored cells as text such as
  ``">99,99%"``, and ``"-"``/empty for no value; counts ("Antal hushåll") where given.

Columns are found by their header text, not their position: a share column names a speed
(``100 Mbit/s``; ``1 Gbit/s`` or ``1000 Mbit/s``), a year and a mottagare; a count column
says "Antal" and names a year and mottagare but no speed. When PTS gives both "tillgång" and
"tillgång eller möjlighet att ansluta" for the same speed, the plain "tillgång" column is used
(the stricter measure, as in the CSV schema). The layout was taken from PTS' published
tabellbilagor (the historical teknik table: sheet per område, three-row header, codes in
column A, fractions); no PTS workbook is in the development data, so it is tested on a
fixture in that layout, and anything the reader does not recognise is reported by sheet and
cell rather than guessed.

Returns the schema of :func:`data_sources.bredband.parse`, with ``omrade`` also ``totalt``
(the sheet for the whole kommun) and ``antal``/``med_tillgang`` empty when the workbook has no
counts.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from data_sources._validate import _listed, require_file, require_kommunkod
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError

FILE = "digital/pts_bredband_tabellbilaga.xlsx"
LANDING_PAGE = "https://statistik.pts.se/mobiltacknings-och-bredbandskartlaggning/dokument-rapporter"

META = SourceMeta(
    name="bredband_pts",
    title="Bredbandskartläggning per kommun (PTS tabellbilaga)",
    publisher="Post- och telestyrelsen (PTS)",
    licence="PTS open statistics (see statistik.pts.se)",
    reference_year="as stated in the workbook (situation 1 October of each year)",
    native_crs=None,
    landing_page=LANDING_PAGE,
    files=(
        SourceFile(
            path=FILE,
            how_to_get=(
                f"Ladda ned PTS tabellbilaga om hastighet per kommun (Excel) från {LANDING_PAGE} "
                f"och spara den som {FILE}; PTS webbplats stoppar automatiska nedladdningar, så "
                "filen hämtas för hand"
            ),
        ),
    ),
    caveats=("Access (tillgång), not subscriptions; situation 1 October of the year.",
             "Censored cells such as '>99,99%' are read as their bound (99.99 %)."),
)

# Words that name the område of a sheet, checked in this order ("utanför tätort och småort"
# also contains "tätort" and "småort").
OMRADE_WORDS = (("utanför", "utanfor"), ("tätort", "tatort"), ("småort", "smaort"),
                ("totalt", "totalt"))
HEADER_ROWS = 4  # measure, year, mottagare and possibly a unit row ("Procent")
_SPEED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(mbit|gbit)\s*/\s*s", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_CENSORED = re.compile(r"^([<>])\s*(\d+(?:[.,]\d+)?)\s*%?$")
_EMPTY_TEXT = {"", "-", "–", "..", "."}
_WEAKER_MEASURE = ("möjlighet", "närhet")


@dataclass(frozen=True)
class _Column:
    """One recognised data column: its position, what it measures and its header text."""

    index: int
    kind: str  # "andel" or "antal"
    ar: str
    mottagare: str
    hastighet: str | None
    label: str


def _cell_ref(row: int, col: int) -> str:
    """Excel reference of a 0-based (row, col) position, e.g. ``C8``."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def _text(value: object) -> str:
    """Cell value as stripped text ('' for empty)."""
    return "" if value is None else str(value).strip()


def _region_code(value: object) -> str | None:
    """Column A as a region code: 2 digits for a län, 4 for a kommun, else as read.

    Numbers and numeric text are normalised (``114``, ``"114"`` and ``"0114.0"`` all give
    ``"0114"``; ``17`` gives ``"17"``); a value that is not numeric gives ``None`` (a name, a
    note, "Riket"). A numeric value that fits neither form is returned as its text, for the
    caller to reject.
    """
    if isinstance(value, bool) or value is None:
        return None
    text = _text(value)
    if isinstance(value, int | float):
        number = float(value)
    elif re.fullmatch(r"\d+(?:[.,]0+)?", text):
        number = float(text.replace(",", "."))
    else:
        return None
    if not number.is_integer() or not 0 < number < 10_000:
        return text
    return f"{int(number):02d}" if number < 100 else f"{int(number):04d}"


def _is_code(code: str | None) -> bool:
    """Whether a code from :func:`_region_code` is a usable län or kommun code."""
    return code is not None and len(code) in (2, 4) and code.isdigit()


def _omrade(sheet_name: str, rows: list[tuple]) -> str | None:
    """Return the område a sheet covers: from its name, else from its title rows."""
    for text in (sheet_name, *(_text(r[0]) for r in rows[:4] if r)):
        lower = text.lower()
        found = next((omrade for word, omrade in OMRADE_WORDS if word in lower), None)
        if found:
            return found
    return None


def _speed(label: str) -> str | None:
    """Return ``100mbit`` or ``1gbit`` when ``label`` names exactly that speed."""
    match = _SPEED.search(label)
    if match is None:
        return None
    mbit = float(match.group(1).replace(",", ".")) * (1000 if match.group(2).lower() == "gbit"
                                                      else 1)
    return {100.0: "100mbit", 1000.0: "1gbit"}.get(mbit)


def _mottagare(label: str) -> str | None:
    """Return ``hushall`` or ``arbetsstallen`` from the most specific header level naming one."""
    for level in reversed(label.lower().split(" / ")):
        has_households = "hushåll" in level
        has_workplaces = "arbetsställ" in level or "företag" in level
        if has_households != has_workplaces:
            return "hushall" if has_households else "arbetsstallen"
    return None


def _is_header_row(row: tuple) -> bool:
    """Whether a row (columns C onwards) holds header text: labels or years, no data."""
    cells = [v for v in row[2:] if _text(v)]
    return bool(cells) and all(
        isinstance(v, str) or (isinstance(v, int) and 1990 <= v <= 2100) for v in cells)


def _body_start(rows: list[tuple]) -> int | None:
    """Index of the first kommun/län row: a code in column A below a header row."""
    seen_header = False
    for index, row in enumerate(rows):
        if row and _is_code(_region_code(row[0])) and seen_header:
            return index
        seen_header = seen_header or (bool(row) and _is_header_row(row))
    return None


def _header_labels(rows: list[tuple], body_start: int) -> list[str]:
    """Join the header block above ``body_start`` into one label per column.

    Takes the header rows directly above the body (at most :data:`HEADER_ROWS`; a riket row
    without a code may lie between them and the body), carries each merged (top-left only)
    cell to the right — but not across a column blank in every header row (a spacer) — and
    joins the levels with " / ".
    """
    row = body_start - 1
    while row >= 0 and not _is_header_row(rows[row]):
        row -= 1
    block: list[tuple] = []
    while row >= 0 and len(block) < HEADER_ROWS and _is_header_row(rows[row]):
        block.insert(0, rows[row])
        row -= 1
    width = max((len(r) for r in rows), default=0)
    cells = [[_text(r[col]) if col < len(r) else "" for col in range(width)] for r in block]
    spacer = [not any(level[col] for level in cells) for col in range(width)]
    levels = []
    for header_row in cells:
        filled, last = [], ""
        for col, value in enumerate(header_row):
            last = "" if spacer[col] else (value or last)
            filled.append(last if col >= 2 else value)
        levels.append(filled)
    return [" / ".join(level[col] for level in levels if level[col]) for col in range(width)]


def _columns(labels: list[str], title_year: str | None, sheet: str,
             path: Path) -> list[_Column]:
    """Recognise share and count columns among ``labels`` (columns C onwards).

    A column whose header names no year takes ``title_year`` (the one year named in the
    sheet's title rows), if there is one.
    """
    found = []
    for index, label in enumerate(labels[2:], start=2):
        years = _YEAR.findall(label) or ([title_year] if title_year else [])
        mottagare = _mottagare(label)
        if not years or mottagare is None:
            continue
        speed = _speed(label)
        is_count = "antal" in label.lower()
        if speed is None and not is_count:
            continue
        kind = "antal" if is_count and speed is None else "andel"
        if kind == "andel" and is_count:
            continue  # a count of those with access: the share column carries the same fact
        found.append(_Column(index, kind, years[-1], mottagare, speed, label))
    return _prefer_plain_access(found, sheet, path)


def _prefer_plain_access(columns: list[_Column], sheet: str, path: Path) -> list[_Column]:
    """Keep one column per measure: plain "tillgång" over "möjlighet att ansluta"/"närhet"."""
    by_key: dict[tuple, list[_Column]] = {}
    for column in columns:
        by_key.setdefault((column.kind, column.ar, column.mottagare, column.hastighet),
                          []).append(column)
    chosen = []
    for group in by_key.values():
        plain = [c for c in group if not any(w in c.label.lower() for w in _WEAKER_MEASURE)]
        candidates = plain or group
        if len(candidates) > 1:
            cells = ", ".join(f"{get_column_letter(c.index + 1)} ({c.label!r})"
                              for c in candidates)
            msg = (f"{path}, sheet {sheet!r}: several columns measure the same thing, cannot "
                   f"choose between {cells}")
            raise DataError(msg)
        chosen.append(candidates[0])
    return chosen


def _share(value: object, where: str, path: Path) -> float:
    """Return a cell's share in percent (NaN when empty); raise on text or values > 100 %.

    Numbers are fractions (0,985 = 98,5 %); text is a fraction too unless it ends in "%".
    A censored value (">99,99%", ">0,9999", "<0,01%") is read as its bound by the same rule.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        percent = float(value) * 100.0
    else:
        text = _text(value).replace("\u00a0", "")
        if text in _EMPTY_TEXT:
            return float("nan")
        censored = _CENSORED.match(text)
        number = (censored.group(2) if censored else text.removesuffix("%")).strip()
        try:
            percent = float(number.replace(",", ".")) * (1.0 if text.endswith("%") else 100.0)
        except ValueError:
            msg = f"{path}, {where}: {text!r} is not a share (expected e.g. 0,985 or 98,5%)"
            raise DataError(msg) from None
    if not 0.0 <= percent <= 100.0 + 1e-9:
        msg = (f"{path}, {where}: share {percent:.4g} % is outside 0–100 % (PTS stores shares "
               "as fractions 0–1)")
        raise DataError(msg)
    return min(percent, 100.0)


def _count(value: object, where: str, path: Path) -> float:
    """Return a cell's whole-number count (NaN when empty); raise otherwise."""
    text = _text(value).replace("\u00a0", "").replace(" ", "")
    if text in _EMPTY_TEXT:
        return float("nan")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = float("nan")
    if not number >= 0 or not float(number).is_integer():
        msg = f"{path}, {where}: {_text(value)!r} is not a whole count ≥ 0"
        raise DataError(msg)
    return number


def _sheet_rows(rows: list[tuple], sheet: str, omrade: str, path: Path) -> list[dict]:
    """Return one record per kommun × recognised column of one område sheet.

    A sheet with kommun rows but no recognised column, or a numeric code in column A that is
    neither a län nor a kommun, is an error naming the sheet (and cell): the område would
    otherwise vanish from the indicators without a word.
    """
    body_start = _body_start(rows)
    if body_start is None:
        return []
    title_years = {y for r in rows[:body_start]
                   for y in _YEAR.findall(" ".join(_text(v) for v in r))}
    title_year = title_years.pop() if len(title_years) == 1 else None
    labels = _header_labels(rows, body_start)
    columns = _columns(labels, title_year, sheet, path)
    if not columns:
        msg = (f"{path}, sheet {sheet!r}: kommun rows but no column naming 100 Mbit/s or "
               f"1 Gbit/s (or Antal), a year and Hushåll/Arbetsställen; header labels read: "
               f"{_listed([label for label in labels[2:] if label])}")
        raise DataError(msg)
    records = []
    for row_index in range(body_start, len(rows)):
        row = rows[row_index]
        code = _region_code(row[0]) if row else None
        if code is not None and not _is_code(code):
            msg = (f"{path}, sheet {sheet!r} cell {_cell_ref(row_index, 0)}: {code!r} is not a "
                   "län (2 digits) or kommun code (4 digits)")
            raise DataError(msg)
        if code is None or len(code) != 4:
            continue  # län, riket, notes
        for column in columns:
            value = row[column.index] if column.index < len(row) else None
            where = f"sheet {sheet!r} cell {_cell_ref(row_index, column.index)}"
            number = (_share if column.kind == "andel" else _count)(value, where, path)
            records.append({"kommunkod": code, "namn": _text(row[1]) if len(row) > 1 else "",
                            "ar": column.ar, "mottagare": column.mottagare, "omrade": omrade,
                            "kind": column.kind, "hastighet": column.hastighet,
                            "value": number, "where": where})
    return records


def _read_workbook(path: Path) -> dict[str, list[tuple]]:
    """Return every sheet's cell values, row by row, from row 1.

    Sheet dimensions are recomputed rather than trusted (a wrong ``<dimension>`` would cut
    columns off in read-only mode). A damaged file (bad zip, broken XML) is a ``DataError``.
    """
    require_file(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = {}
            for ws in workbook.worksheets:
                ws.reset_dimensions()
                sheets[ws.title] = [tuple(r) for r in ws.iter_rows(min_row=1, values_only=True)]
            return sheets
        finally:
            workbook.close()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, SyntaxError) as exc:
        # SyntaxError covers xml.etree's ParseError and lxml's XMLSyntaxError
        msg = f"{path}: cannot be read as an Excel workbook (.xlsx): {exc}"
        raise DataError(msg) from exc


def _require_once(frame: pd.DataFrame, keys: list[str], what: str, path: Path) -> None:
    """Raise unless each kommun has at most one value per ``keys`` (over all sheets)."""
    duplicated = frame.duplicated(keys, keep=False)
    if duplicated.any():
        dup = frame[duplicated]
        msg = (f"{path}: kommun(er) {_listed(sorted(set(dup['kommunkod'])))} have more than "
               f"one {what} for the same year, mottagare and område, in "
               f"{_listed(sorted(set(dup['where'])))}")
        raise DataError(msg)


def _join_counts(records: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Attach each share row's ``antal`` (same kommun, år, mottagare, område) when given."""
    keys = ["kommunkod", "ar", "mottagare", "omrade"]
    shares = records[records["kind"] == "andel"].rename(columns={"value": "andel"})
    counts = records[records["kind"] == "antal"].rename(columns={"value": "antal"})
    _require_once(shares, [*keys, "hastighet"], "share", path)
    _require_once(counts, keys, "count", path)
    out = shares.merge(counts[[*keys, "antal"]], on=keys, how="left")
    out["med_tillgang"] = out["antal"] * out["andel"] / 100.0
    return out


def parse(path: Path) -> pd.DataFrame:
    """Read a PTS tabellbilaga workbook into the broadband schema.

    Returns ``kommunkod, ar, mottagare, omrade (tatort|smaort|utanfor|totalt), hastighet,
    antal (float, NaN without counts), andel (percent), med_tillgang``, all years present.
    Raises :class:`~data_sources.errors.DataError` naming the sheet and cell for a value that
    is not a share or count, a share above 100 %, an unknown kommunkod, or a workbook without
    any område sheet holding a ≥ 100 Mbit/s or ≥ 1 Gbit/s column.
    """
    sheets = _read_workbook(path)
    records = []
    for sheet, rows in sheets.items():
        omrade = _omrade(sheet, rows)
        if omrade is not None:
            records.extend(_sheet_rows(rows, sheet, omrade, path))
    frame = pd.DataFrame(records)
    if frame.empty or not (frame["kind"] == "andel").any():
        words = ", ".join(repr(w) for w, _ in OMRADE_WORDS)
        msg = (f"{path}: no PTS table of broadband speed per kommun found: expected sheets "
               f"whose name or title says {words}, with kommunkod in column A and header columns "
               f"naming 100 Mbit/s or 1 Gbit/s, a year and Hushåll/Arbetsställen; sheets "
               f"found: {list(sheets)}")
        raise DataError(msg)
    codes = frame.drop_duplicates("kommunkod").set_index("where", drop=False)
    require_kommunkod(codes, path)
    out = _join_counts(frame, path)
    columns = ["kommunkod", "ar", "mottagare", "omrade", "hastighet", "antal", "andel",
               "med_tillgang"]
    return out[columns].reset_index(drop=True)


def load(data_dir: Path) -> pd.DataFrame:
    """Load the PTS workbook from ``data_dir`` (``MissingDataError`` when absent)."""
    return parse(META.file(data_dir))
