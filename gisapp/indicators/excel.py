"""The indicator table as an Excel workbook, for planners who work in Excel.

A Swedish Excel opens a comma-separated CSV with its decimal points as text; a workbook keeps
numbers as numbers in any locale. Sheets: ``Indikatorer`` (the rows of the CSV export plus
each indicator's title), ``Källor`` (every source behind the build's layers, with file
hashes) and ``Om`` (build, classification and how aggregates are computed).
"""

from __future__ import annotations

from io import BytesIO

import pandas as pd
from openpyxl.utils import get_column_letter

from gisapp.indicators.query import long_csv
from gisapp.store import Build
from layers.indikatorer import describe

MAX_COLUMN_WIDTH = 60


def _sources(build: Build) -> pd.DataFrame:
    """One row per layer and source file: publisher, title, year, licence, path, sha256."""
    rows = []
    for layer_id, layer in build.manifest["layers"].items():
        for source in layer["sources"]:
            for file in source["files"] or [{}]:
                rows.append({"lager": layer_id, "utgivare": source["publisher"],
                             "kalla": source["title"], "ar": source["reference_year"],
                             "licens": source["licence"], "fil": file.get("path"),
                             "sha256": file.get("sha256")})
    return pd.DataFrame(rows, columns=["lager", "utgivare", "kalla", "ar", "licens", "fil",
                                       "sha256"])


def _about(build: Build, klassning: str, note: str) -> pd.DataFrame:
    """Key/value rows describing the export."""
    return pd.DataFrame({"uppgift": ["bygge", "skapat", "region", "klassning", "viktning"],
                         "varde": [build.id, build.manifest["created_at"],
                                   build.manifest["region"]["lansnamn"], klassning, note]})


def _as_text(sheet) -> None:
    """Keep every string a string, never a formula.

    openpyxl stores text starting with "=" as a formula; a source name or note from a data
    file must never run in the planner's Excel.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _fit_columns(sheet) -> None:
    """Widen each column to its longest value (capped), freeze and filter the header row."""
    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        longest = max((len(str(v)) for v in column if v is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2,
                                                                      MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def workbook(build: Build, result: dict, *, klassning: str, lang: str, note: str) -> bytes:
    """Return an ``.xlsx`` file of ``result`` (from :func:`~gisapp.indicator_query.query`)."""
    table = long_csv(result)
    titles = {i: describe(i, lang)["titel"] for i in table["indikator"].dropna().unique()}
    table.insert(table.columns.get_loc("indikator") + 1, "titel",
                 table["indikator"].map(titles))
    buffer = BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in (("Indikatorer", table), ("Källor", _sources(build)),
                            ("Om", _about(build, klassning, note))):
            frame.to_excel(writer, sheet_name=name, index=False)
            _as_text(writer.sheets[name])
            _fit_columns(writer.sheets[name])
    return buffer.getvalue()
