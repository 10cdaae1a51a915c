"""SCB kommun panel (election years 2002–2022): population and highest education level.

Compiled from SCB Statistikdatabasen by M. Nordin (``mattiasnordin/Regression``,
``data/raw/municip_data.csv``). A row of panel year *t* measures population and education
on 31 December of *t − 1*. The education shares are of people aged **16–74** with known
education; ``share_tertiary_school`` is the post-secondary (eftergymnasial) share. This is
not Kolada's 25–64 measure.

Schema returned by :func:`load`: ``kommunkod``, ``panelar`` (int, the panel year),
``matar`` (str, the measurement year ``panelar − 1``), ``folkmangd`` (int, total population),
``andel_eftergymnasial`` (float, 0–1, of ages 16–74), ``andel_0_19`` and ``andel_75_plus``
(float, 0–1, of the total population: the age structure).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data_sources._validate import (
    bad_values,
    require_kommunkod,
    require_unique,
    require_whole_numbers,
    validated_table,
)
from data_sources.base import SourceFile, SourceMeta

META = SourceMeta(
    name="scb_kommunpanel",
    title="Kommunpanel: folkmängd och utbildningsnivå (16–74 år)",
    publisher="SCB Statistikdatabasen, sammanställd av M. Nordin (Regressionsanalys med R "
    "och Python)",
    licence="not stated for the compiled file; SCB's own open data is CC0",
    reference_year="2002–2022 (measured 31 December of the year before)",
    native_crs=None,
    landing_page="https://github.com/mattiasnordin/Regression",
    files=(
        SourceFile(
            path="indicators/scb_kommun_panel_varmland_2002-2022.csv",
            how_to_get="take data/raw/municip_data.csv from github.com/mattiasnordin/Regression "
            "(columns municip_code, year, pop, share_tertiary_school), zero-padded municip_code",
        ),
    ),
    caveats=(
        "Education shares are of ages 16–74 with known education, not Kolada's 25–64.",
        "Only every fourth year (election years).",
    ),
)

COLUMNS = ("municip_code", "year", "pop", "share_tertiary_school", "share0_19", "share75_")
SHARES = {"share_tertiary_school": "andel_eftergymnasial", "share0_19": "andel_0_19",
          "share75_": "andel_75_plus"}


def parse(path: Path) -> pd.DataFrame:
    """Read and validate the panel; see the module docstring for the returned columns."""
    frame = validated_table(path, columns=COLUMNS, text_columns=("municip_code",),
                            id_column=None)
    frame = frame.rename(columns={"municip_code": "kommunkod"})
    require_kommunkod(frame, path)
    year = require_whole_numbers(frame, "year", path)
    key = (frame["kommunkod"] + "/" + year.astype(str)).to_frame("kommunkod/year")
    require_unique(key, "kommunkod/year", path)
    out = pd.DataFrame({
        "kommunkod": frame["kommunkod"],
        "panelar": year,
        "matar": (year - 1).astype(str),
        "folkmangd": require_whole_numbers(frame, "pop", path),
    })
    for column, name in SHARES.items():
        out[name] = _share(frame, column, path)
    return out


def _share(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """``column`` as a share between 0 and 1, raising with the bad rows otherwise."""
    share = pd.to_numeric(frame[column], errors="coerce")
    bad = share.isna() | (share < 0) | (share > 1)
    if bad.any():
        raise bad_values(path, column, "be a share between 0 and 1",
                         frame.loc[bad, column].tolist(), frame.index[bad])
    return share.astype("float64")


def load(data_dir: Path) -> pd.DataFrame:
    """Load the kommun panel from ``data_dir``."""
    return parse(META.file(data_dir))
