"""The railway network: EU RINF sections of line between operational points (ERA).

RINF describes the network station by station: every *section of line* joins two
*operational points* (stations, halts with switches, junctions, border points), one row per
track. :func:`load` returns a :class:`Rinf` of

* ``points`` (EPSG:3006): ``op_id`` (e.g. ``SEKs``), ``namn``, ``typ`` (``small station``,
  ``junction`` …), ``geometry`` (Point);
* ``sections``: one row per section (tracks counted): ``section``, ``linje`` (Trafikverket's
  national line number), ``langd_m`` (length in metres), ``fran``, ``till`` (op ids),
  ``spar`` (number of tracks).

Both files are the publisher's own columns (see ``transport_osm/SOURCES.md``); the sections
are read with their names as ERA's export writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources._validate import (
    _listed,
    bad_values,
    read_table,
    require_columns,
    validated_vector,
)
from data_sources.base import SourceFile, SourceMeta
from data_sources.errors import DataError

POINTS = "transport_osm/rail/era_rinf_operational_points_se.geojson"
SECTIONS = "transport_osm/rail/era_rinf_sections_of_line_se.csv"
HOW_TO_GET = ("download from ERA's RINF (https://rinf.era.europa.eu, Sweden: operational "
              "points as GeoJSON with op_id, op_name, op_type; sections of line as CSV)")
META = SourceMeta(
    name="rinf",
    title="Järnvägsnätet (RINF: driftplatser och linjedelar)",
    publisher="European Union Agency for Railways (ERA), RINF; data from Trafikverket",
    licence="ERA reuse with acknowledgement (see transport_osm/SOURCES.md)",
    reference_year="2024",
    native_crs="EPSG:4326",
    landing_page="https://rinf.era.europa.eu/",
    files=(SourceFile(path=POINTS, how_to_get=HOW_TO_GET),
           SourceFile(path=SECTIONS, how_to_get=HOW_TO_GET)),
    caveats=("Sections are straight between their operational points: the topology is "
             "true, the drawn course between two points is schematic.",
             "RINF has no halts without switches; such stations lie between two points."),
)
SECTION_COLUMNS = {"Section Of Line": "section", "National line ID": "linje",
                   "Length": "langd", "Start Unique OP ID": "fran", "End Unique OP ID": "till"}


@dataclass(frozen=True)
class Rinf:
    """The network's operational points and the sections joining them."""

    points: gpd.GeoDataFrame
    sections: pd.DataFrame


def _metres(values: pd.Series, path: Path) -> pd.Series:
    """ERA's lengths (``"10,524 km"``, decimal comma) as metres; other text is an error."""
    text = values.astype("string").str.strip()
    number = pd.to_numeric(text.str.extract(r"^(\d+(?:,\d+)?) km$")[0].str.replace(",", "."),
                           errors="coerce")
    bad = number.isna()
    if bad.any():
        raise bad_values(path, "Length", "hold lengths like '10,524 km'", values[bad].tolist(),
                         values.index[bad])
    return number * 1000.0


def parse_sections(path: Path, op_ids: pd.Index) -> pd.DataFrame:
    """Read the sections of line, one row per section with its track count.

    Every section must join two known operational points (``op_ids``).
    """
    frame = read_table(path, dtype=str)
    require_columns(frame, SECTION_COLUMNS, path)
    frame = frame.rename(columns=SECTION_COLUMNS)
    frame["langd_m"] = _metres(frame["langd"], path)
    unknown = ~frame["fran"].isin(op_ids) | ~frame["till"].isin(op_ids)
    if unknown.any():
        ids = sorted(set(frame.loc[unknown, ["fran", "till"]].stack()) - set(op_ids))
        msg = (f"{path}: operational point(s) {_listed(ids)} in row(s) "
               f"{_listed(frame.index[unknown])} not found in {POINTS}")
        raise DataError(msg)
    return (frame.groupby(["section", "linje", "fran", "till"], dropna=False, sort=False)
            .agg(langd_m=("langd_m", "first"), spar=("langd_m", "size")).reset_index())


def parse(points_path: Path, sections_path: Path) -> Rinf:
    """Read and check both RINF files (points to EPSG:3006)."""
    points = validated_vector(points_path, columns=("op_id", "op_name", "op_type"),
                              id_column="op_id", expected_crs=META.native_crs)
    points = points.rename(columns={"op_name": "namn", "op_type": "typ"})
    return Rinf(points.reset_index(drop=True),
                parse_sections(sections_path, pd.Index(points["op_id"])))


def load(data_dir: Path) -> Rinf:
    """Load the RINF network from ``data_dir``."""
    return parse(META.file(data_dir, 0), META.file(data_dir, 1))
