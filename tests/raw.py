"""Raw files read with the standard library only, so that expected numbers do not come from
the loaders under test."""

from __future__ import annotations

import csv
from pathlib import Path

TATORTER_2020 = "admin/varmland_tatorter_2020.csv"  # SCB's table of Värmland's 2020 tätorter


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a raw CSV as text (an absent file has none)."""
    if not Path(path).exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
