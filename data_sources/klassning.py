"""Kommun classifications: any ``kommunkod → class`` table.

Two publishers today:

* SKR kommungruppsindelning 2023 (9 groups, real assignments for all 290 kommuner);
* Tillväxtverket's kommuntyper ("stad och land", 6 types) — only when a user supplies the
  assignments: Tillväxtverket's own list as published, an Excel workbook
  (``admin/kommuntyper_tillvaxtverket.xlsx``: title rows, then a header row with
  ``Kommunkod``, ``Kommun(namn)`` and ``Kommuntyp`` columns; kommunkod may have lost its
  leading zero, kommuntyp may carry its number, "5. Glesa landsbygdskommuner", or be named
  with Tillväxtanalys' parallel terms), or a plain CSV ``admin/kommuntyper_tillvaxtverket.csv``
  with columns ``kommunkod, kommuntyp``. Class names are validated against Tillväxtverket's
  list (``admin/kommuntyper_tillvaxtverket_klasser.csv``). The workbook layout is the one of
  Tillväxtverket's and Tillväxtanalys' published kommun lists; no copy of the 2021 list was
  found for this data directory, so the loader is tested on a fixture in that layout.

Schema returned by each loader: ``kommunkod``, ``klass_kod``, ``klass`` (label),
``huvudgrupp`` (coarser level, may be empty).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from data_sources._validate import (
    read_table,
    require_columns,
    require_kommunkod,
    require_unique,
    validated_table,
)
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError

SKR = SourceMeta(
    name="kommungrupper_skr",
    title="SKR:s kommungruppsindelning 2023",
    publisher="SKR (Sveriges Kommuner och Regioner)",
    licence="not stated by the publisher",
    reference_year="2023",
    native_crs=None,
    landing_page="https://skr.se/skr/tjanster/kommunerochregioner/faktakommunerochregioner/"
    "kommungruppsindelning.2051.html",
    files=(
        SourceFile(
            path="admin/kommungrupper_skr_2023.csv",
            how_to_get="download SKR's kommungruppsindelning 2023 and save as CSV with columns "
            "kommunkod, skr_gruppkod, skr_kommungrupp_2023, skr_huvudgrupp",
        ),
    ),
    caveats=("Group names as in SKR's open-data catalogue (ASCII-folded names repaired).",),
)

TILLVAXTVERKET = SourceMeta(
    name="kommuntyper_tillvaxtverket",
    title="Tillväxtverkets kommuntyper (stad och land)",
    publisher="Tillväxtverket",
    licence="CC0 1.0",
    reference_year="2021",
    native_crs=None,
    landing_page="https://tillvaxtverket.se/statistik/regional-utveckling/regionala-indelningar/"
    "kommuntyper.html",
    files=(
        SourceFile(
            path="admin/kommuntyper_tillvaxtverket.xlsx",
            how_to_get="download Tillväxtverket's list of kommuntyper per kommun (Excel) and "
            "save it as admin/kommuntyper_tillvaxtverket.xlsx, or save kommunkod and kommuntyp "
            "as admin/kommuntyper_tillvaxtverket.csv",
        ),
        SourceFile(
            path="admin/kommuntyper_tillvaxtverket_klasser.csv",
            how_to_get="the six class names, in order, from Tillväxtverket's kommuntyper page",
        ),
    ),
    locate=lambda data_dir: _tillvaxtverket_files(data_dir),
)

ASSIGNMENTS = ("admin/kommuntyper_tillvaxtverket.xlsx", "admin/kommuntyper_tillvaxtverket.csv")
CLASSIFICATIONS = {"skr": SKR, "tillvaxtverket": TILLVAXTVERKET}
_NUMBERED = re.compile(r"^\s*\d+\s*[.)]\s*")


def _tillvaxtverket_files(data_dir: Path) -> tuple[SourceFile, ...]:
    """The assignment file present (workbook first, else CSV) and the class list.

    ``()`` when no assignment file is present.
    """
    present = [p for p in ASSIGNMENTS if (Path(data_dir) / p).is_file()]
    if not present:
        return ()
    return (SourceFile(present[0]), TILLVAXTVERKET.files[1])


def _published_workbook(path: Path) -> pd.DataFrame:
    """``kommunkod, kommuntyp`` from Tillväxtverket's workbook (first sheet, header found)."""
    raw = pd.read_excel(path, sheet_name=0, header=None, dtype=object)
    header = next((i for i, row in raw.iterrows()
                   if any(str(v).strip().lower() == "kommunkod" for v in row)), None)
    if header is None:
        msg = f"{path}: no header row with a 'Kommunkod' column in the first sheet"
        raise DataError(msg)
    frame = raw.iloc[header + 1:].set_axis([str(v).strip() for v in raw.iloc[header]], axis=1)
    code = next(c for c in frame.columns if c.lower() == "kommunkod")
    types = [c for c in frame.columns if c.lower().startswith("kommuntyp")]
    if not types:
        msg = f"{path}: no 'Kommuntyp' column beside 'Kommunkod'"
        raise DataError(msg)
    frame = frame.dropna(subset=[code])
    codes = frame[code].map(lambda v: str(int(v)) if isinstance(v, float) else str(v).strip())
    return pd.DataFrame({"kommunkod": codes.str.zfill(4).to_numpy(),
                         "kommuntyp": frame[types[0]].astype(str).str.strip().to_numpy()})
SCHEMA = ("kommunkod", "klass_kod", "klass", "huvudgrupp")


def parse_skr(path: Path) -> pd.DataFrame:
    """Read SKR's kommungrupper table into the classification schema."""
    frame = validated_table(
        path, columns=("kommunkod", "skr_gruppkod", "skr_kommungrupp_2023", "skr_huvudgrupp")
    )
    return frame.set_axis(SCHEMA, axis=1)


def parse_tillvaxtverket(path: Path, classes_path: Path) -> pd.DataFrame:
    """Read the supplied assignments (published workbook or ``kommunkod, kommuntyp`` CSV).

    Each kommuntyp must be one of Tillväxtverket's six classes; a leading number is dropped
    and Tillväxtanalys' parallel names are mapped to Tillväxtverket's.
    """
    if path.suffix.lower() == ".xlsx":
        frame = _published_workbook(path)
        require_unique(frame, "kommunkod", path)
        require_kommunkod(frame, path)
    else:
        frame = validated_table(path, columns=("kommunkod", "kommuntyp"))
    classes = read_table(classes_path, dtype={"ordning": "string"})
    require_columns(classes, ("ordning", "kommuntyp_tillvaxtverket", "kommuntyp_tillvaxtanalys",
                              "aggregat_3_typer_tillvaxtverket"), classes_path)
    parallel = dict(zip(classes["kommuntyp_tillvaxtanalys"],
                        classes["kommuntyp_tillvaxtverket"], strict=True))
    named = frame["kommuntyp"].str.replace(_NUMBERED, "", regex=True)
    frame = frame.assign(kommuntyp=named.map(lambda v: parallel.get(v, v)))
    known = classes.set_index("kommuntyp_tillvaxtverket")
    unknown = sorted(set(frame["kommuntyp"]) - set(known.index))
    if unknown:
        msg = (f"{path}: column 'kommuntyp' holds unknown class(es) {unknown}; "
               f"expected one of {list(known.index)}")
        raise DataError(msg)
    return pd.DataFrame({
        "kommunkod": frame["kommunkod"],
        "klass_kod": frame["kommuntyp"].map(known["ordning"]),
        "klass": frame["kommuntyp"],
        "huvudgrupp": frame["kommuntyp"].map(known["aggregat_3_typer_tillvaxtverket"]),
    })


def available(data_dir: Path | None) -> list[str]:
    """Return the ids of the classifications whose files are in ``data_dir``."""
    return [key for key, meta in CLASSIFICATIONS.items() if meta.available(data_dir)]


def load(data_dir: Path, classification: str = "skr") -> pd.DataFrame:
    """Load one classification (``skr`` or ``tillvaxtverket``) from ``data_dir``."""
    if classification == "skr":
        return parse_skr(SKR.file(data_dir))
    if classification == "tillvaxtverket":
        return parse_tillvaxtverket(TILLVAXTVERKET.file(data_dir, 0),
                                    TILLVAXTVERKET.file(data_dir, 1))
    msg = f"classification {classification!r} is unknown; expected one of {list(CLASSIFICATIONS)}"
    raise DataError(msg)
