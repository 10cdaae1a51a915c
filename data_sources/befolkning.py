"""Kommun population: SCB folkmängd 31 December, as published by Kolada (KPI N01951).

Schema returned by :func:`load`: ``kommunkod``, ``kommunnamn``, ``invanare`` (int),
``ar`` (reference year, str, read from the column name ``invanare_<year>_kolada_n01951``).
A kommun absent from the table has no population in the build (shown as missing, never
estimated).

``strukturbild fetch --source befolkning [--lan 17]`` asks Kolada's open API (v2, no key)
for the kommuner of the län given and writes the table in this schema.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from data_sources._http import DownloadSettings, download_json
from data_sources._register import fallback_kommuner, known_lanskoder
from data_sources._validate import read_table, require_whole_numbers, validated_table
from data_sources.atomic import write_bytes
from data_sources.base import SourceFile, SourceMeta, record_fetch
from data_sources.errors import DataError, FetchError

KOLADA_API = "https://api.kolada.se/v2"
KPI = "N01951"
FILE = SourceFile(
    path="admin/varmland_kommuner_befolkning.csv",
    how_to_get="`strukturbild fetch --source befolkning` (Kolada API, KPI N01951), or export "
    "the KPI from kolada.se as CSV with columns kommunkod, kommunnamn, invanare_<år>_kolada_n01951",
)
_POPULATION_COLUMN = re.compile(r"^invanare_(\d{4})_kolada_n01951$")


def parse(path: Path) -> pd.DataFrame:
    """Read and validate a kommun population table."""
    header = read_table(path, dtype={"kommunkod": "string"}).columns
    matches = [m for m in map(_POPULATION_COLUMN.match, header) if m]
    if len(matches) != 1:
        msg = (f"{path}: expected exactly one population column named "
               f"invanare_<year>_kolada_n01951, found {list(header)}")
        raise DataError(msg)
    column, year = matches[0].group(0), matches[0].group(1)
    frame = validated_table(path, columns=("kommunkod", "kommunnamn", column))
    frame["invanare"] = require_whole_numbers(frame, column, path)
    frame["ar"] = year
    return frame[["kommunkod", "kommunnamn", "invanare", "ar"]]


def load(data_dir: Path) -> pd.DataFrame:
    """Load the kommun population table from ``data_dir``."""
    return parse(META.file(data_dir))


def parse_kolada(payload: dict, year: int) -> pd.DataFrame:
    """Turn a Kolada v2 ``/data/kpi/N01951/...`` answer into ``kommunkod, invanare``.

    Kolada gives one entry per kommun and period with values per gender; the total is the
    entry with ``gender == "T"``.
    """
    rows = []
    for entry in payload.get("values", []):
        if entry.get("kpi") != KPI or int(entry.get("period", -1)) != year:
            continue
        totals = [v["value"] for v in entry.get("values", [])
                  if v.get("gender") == "T" and v.get("value") is not None]
        if totals:
            rows.append((str(entry["municipality"]), int(round(totals[0]))))
    if not rows:
        msg = f"Kolada answered no {KPI} values for {year}"
        raise FetchError(msg)
    return pd.DataFrame(rows, columns=["kommunkod", "invanare"])


def fetch_kolada(
    data_dir: Path,
    settings: DownloadSettings | None = None,
    *,
    lanskod: str,
    year: int | None = None,
    base_url: str = KOLADA_API,
) -> list[str]:
    """Download the population of län ``lanskod``'s kommuner from Kolada into :data:`FILE`.

    Parameters
    ----------
    data_dir
        The data directory; the table is written atomically and logged in its fetch log.
    settings
        Timeout and retries of the download.
    lanskod
        The region as a 2-digit länskod; Kolada is asked for its kommuner only.
    year
        Reference year; defaults to last year (SCB publishes 31 December figures in the
        spring).
    base_url
        Kolada's API root (another host only for mirrors and tests).

    Returns
    -------
    list of str
        One report line naming the file, the number of kommuner, the year and the sha256.
    """
    year = year or date.today().year - 1
    if lanskod not in known_lanskoder():
        msg = f"län {lanskod!r}: not a länskod; expected one of {sorted(known_lanskoder())}"
        raise FetchError(msg)
    kommuner = fallback_kommuner().query("lanskod == @lanskod")[["kommunkod", "kommunnamn"]]
    url = f"{base_url}/data/kpi/{KPI}/municipality/{','.join(kommuner['kommunkod'])}/year/{year}"
    payload = download_json(url, settings)
    table = kommuner.merge(parse_kolada(payload, year), on="kommunkod", how="inner")
    table = table.rename(columns={"invanare": f"invanare_{year}_kolada_n01951"})
    digest = write_bytes(Path(data_dir) / FILE.path, table.to_csv(index=False).encode("utf-8"))
    record_fetch(Path(data_dir), FILE, digest)
    return [f"befolkning: {FILE.path} ({len(table)} kommuner, {year}) sha256={digest}"]


def year_in_file(data_dir: Path) -> str | None:
    """The reference year named by the file's population column (``invanare_<year>_…``)."""
    with (Path(data_dir) / FILE.path).open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(",")
    years = [m.group(1) for m in map(_POPULATION_COLUMN.match, header) if m]
    return years[0] if len(years) == 1 else None


META = SourceMeta(
    name="befolkning",
    title="Folkmängd per kommun 31 december",
    publisher="SCB (via Kolada, KPI N01951)",
    licence="CC0 1.0",
    reference_year="as named by the file's column invanare_<year>_kolada_n01951",
    native_crs=None,
    landing_page="https://www.kolada.se/verktyg/fri-sokning/?kpis=N01951",
    files=(FILE,),
    caveats=("The development copy was read from a secondary copy of Kolada.",),
    fetcher=fetch_kolada,
    year_of=year_in_file,
)
