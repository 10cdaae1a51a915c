"""Kommun classifications: any ``kommunkod → class`` table.

Two publishers today:

* SKR kommungruppsindelning 2023 (9 groups, real assignments for all 290 kommuner);
* Tillväxtverket's kommuntyper ("stad och land", 6 types) — only when a user supplies the
  ``kommunkod → kommuntyp`` table (``admin/kommuntyper_tillvaxtverket.csv`` with columns
  ``kommunkod, kommuntyp``); the class names are validated against Tillväxtverket's list.

Schema returned by each loader: ``kommunkod``, ``klass_kod``, ``klass`` (label),
``huvudgrupp`` (coarser level, may be empty).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources._validate import read_table, require_columns, validated_table
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
            path="admin/kommuntyper_tillvaxtverket.csv",
            how_to_get="save Tillväxtverket's kommuntyp per kommun as CSV with columns "
            "kommunkod, kommuntyp (class names as in kommuntyper_tillvaxtverket_klasser.csv)",
        ),
        SourceFile(
            path="admin/kommuntyper_tillvaxtverket_klasser.csv",
            how_to_get="the six class names, in order, from Tillväxtverket's kommuntyper page",
        ),
    ),
)

CLASSIFICATIONS = {"skr": SKR, "tillvaxtverket": TILLVAXTVERKET}
SCHEMA = ("kommunkod", "klass_kod", "klass", "huvudgrupp")


def parse_skr(path: Path) -> pd.DataFrame:
    """Read SKR's kommungrupper table into the classification schema."""
    frame = validated_table(
        path, columns=("kommunkod", "skr_gruppkod", "skr_kommungrupp_2023", "skr_huvudgrupp")
    )
    return frame.set_axis(SCHEMA, axis=1)


def parse_tillvaxtverket(path: Path, classes_path: Path) -> pd.DataFrame:
    """Read a supplied ``kommunkod, kommuntyp`` table; kommuntyp must be a published class."""
    frame = validated_table(path, columns=("kommunkod", "kommuntyp"))
    classes = read_table(classes_path, dtype={"ordning": "string"})
    require_columns(classes, ("ordning", "kommuntyp_tillvaxtverket",
                              "aggregat_3_typer_tillvaxtverket"), classes_path)
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
