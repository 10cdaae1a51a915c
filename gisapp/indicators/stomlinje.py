"""The stomlinjenät on the kommun page and in ``/api/tatorter`` (no Flask).

From the build: the coverage sentence and the kommun's own coverage reason (provenance of
``hallplatser``), and the tätorter of the ``tatort_stomlinje`` layer.
"""

from __future__ import annotations

import pandas as pd

from data_sources.crs import SERVE_CRS
from gisapp.store import Build
from layers.tatort_stomlinje import utan_stomlinje
from messages import text

TATORT_COLUMNS = ["tatortskod", "tatort", "kommunkod", "bef_2020", "hallplats",
                  "hallplats_id", "avstand_m", "metod", "avgangar_dag", "klass",
                  "utan_tidtabell", "utan_tidtabell_m", "status", "status_sv"]


def _record(build: Build) -> dict | None:
    """The provenance of the stations layer, ``None`` when the build has none."""
    return build.manifest["layers"].get("hallplatser")


def tatort_table(build: Build, kommunkod: str | None = None) -> pd.DataFrame | None:
    """Every tätort's nearest stomlinje stop (one kommun's when given), with lon/lat.

    ``None`` when the build has no ``tatort_stomlinje`` layer.
    """
    if "tatort_stomlinje" not in build.layer_ids():
        return None
    frame = build.layer("tatort_stomlinje")
    if kommunkod is not None:
        frame = frame[frame["kommunkod"] == kommunkod]
    points = frame.to_crs(SERVE_CRS).geometry
    return frame[TATORT_COLUMNS].assign(lon=points.x.round(5), lat=points.y.round(5))


def kommun_stomlinje(build: Build, kommunkod: str, lang: str) -> dict | None:
    """The kommun page's stomlinje section, ``None`` when the build has no stations layer.

    Returns ``tackning`` (the region's coverage sentence), ``orsak`` (why the kommun's
    stomlinje indicators are empty, or ``""``), ``dag`` (the analysed day or period),
    ``grans_m`` (the distance of "utan stomlinje") and ``utan`` (its tätorter without a
    stomlinje stop within it, or unknown because a nearer station has no timetable: rows of
    ``tatort, bef_2020, hallplats, avstand_m, utan_tidtabell, status``).
    """
    record = _record(build)
    if record is None or "tackning" not in record:
        return None
    table = tatort_table(build, kommunkod)
    utan = []
    if table is not None:
        rows = utan_stomlinje(table, kommunkod)
        utan = [{**row, "status_text": text(f"category.status.{row['status']}", lang)}
                for row in rows.astype(object).where(rows.notna(), None).to_dict("records")]
    return {"tackning": record["tackning"][lang],
            "orsak": record.get("kommuner_utan_tackning", {}).get(kommunkod, {}).get(lang, ""),
            "dag": record["analysdag"][lang],
            "grans_m": record["stomlinjeregel"]["tatort_access_m"], "utan": utan}
