"""Exports of a build: one GeoPackage of every layer, the indicator CSV, GeoParquet files.

Layers are exported in the storage CRS, EPSG:3006 (SWEREF 99 TM). Each GeoPackage layer
carries its title (``gpkg_contents``), its style and its provenance as layer metadata
(``strukturbild_style``, ``strukturbild_provenance``, JSON), QGIS layer metadata with the
sources' licences, and a QGIS default style in the ``layer_styles`` table
(:mod:`gisapp.qgis_style`), so QGIS opens it drawn as on the web map. A layer mixing single
and multi geometries (a kommun's clip) is written as the Multi* type.
Files are written beside the target and renamed into place, so a reader never sees half a
file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from data_sources.atomic import replacing
from data_sources.errors import RequestError
from gisapp.exports.qgis_style import layer_qmd, style_rows
from gisapp.store import Build
from layers.catalog import SPECS
from layers.indikatorer import COLUMNS as INDICATOR_COLUMNS

FORMATS = ("gpkg", "csv", "geoparquet")
INDICATOR_LAYER = "indikatorer"
STYLE_TABLE = "layer_styles"  # the table QGIS reads a GeoPackage layer's default style from
PROVENANCE_FILE = "provenance.json"
# GeoPackage 1.2: read by every GDAL ≥ 2.2, QGIS and ArcGIS (1.4 warns on older GDAL).
GPKG_VERSION = "1.2"


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary sibling of ``path``, then rename it to ``path``."""
    with replacing(path) as tmp:
        tmp.unlink()  # writers create their file (a GeoPackage must not exist beforehand)
        write(tmp)
    return path


def layer_metadata(build: Build, layer_id: str) -> dict[str, str]:
    """Return the metadata of one exported layer: title, style and provenance (JSON text)."""
    spec = SPECS.get(layer_id)
    style = ({"style": spec.style, "legend": spec.legend_rows(), "theme": spec.theme}
             if spec is not None else {})
    return {
        "title": f"{spec.title_sv} / {spec.title_en}" if spec is not None else layer_id,
        "strukturbild_build": build.id,
        "strukturbild_style": json.dumps(style, ensure_ascii=False),
        "strukturbild_provenance": json.dumps(build.manifest["layers"][layer_id],
                                              ensure_ascii=False, default=str),
    }


def indicator_table(build: Build) -> pd.DataFrame:
    """Return the indicator table in its documented columns (empty when none was computed).

    Columns: ``kommunkod, omrade, indikator, varde, enhet, teljare, namnare, ar, kalla``.
    """
    table = build.indicators
    return pd.DataFrame(columns=INDICATOR_COLUMNS) if table.empty else table


def kommun_layers(build: Build, kommunkod: str) -> dict[str, gpd.GeoDataFrame]:
    """Return every layer of ``build`` restricted to one kommun.

    Layers with a ``kommunkod`` column keep that kommun's rows; the others are clipped to the
    kommun polygon. Columns are those of each layer.
    """
    kommuner = build.layer("kommuner")
    boundary = kommuner.loc[kommuner["kommunkod"] == kommunkod, "geometry"]
    out = {}
    for layer_id in build.layer_ids():
        frame = build.layer(layer_id)
        if "kommunkod" in frame.columns:
            out[layer_id] = frame[frame["kommunkod"] == kommunkod].reset_index(drop=True)
        else:
            out[layer_id] = gpd.clip(frame, boundary.union_all(),
                                     keep_geom_type=True).reset_index(drop=True)
    return out


def _mixes_single_and_multi(frame: gpd.GeoDataFrame) -> bool:
    """Whether ``frame`` holds both single and Multi* geometries (then promoted to Multi*)."""
    kinds = set(frame.geom_type.dropna())
    return len(kinds) > 1 and any(kind.startswith("Multi") for kind in kinds)


def _licences(build: Build, layer_id: str) -> tuple[list[str], list[str]]:
    """The licences and the publisher lines (rights) of one layer's sources."""
    sources = build.manifest["layers"][layer_id].get("sources", [])
    licences = list(dict.fromkeys(s["licence"] for s in sources if s.get("licence")))
    rights = list(dict.fromkeys(f"{s['publisher']} ({s.get('reference_year', '–')})"
                                for s in sources if s.get("publisher")))
    return licences, rights


def _write_qgis_metadata(path: Path, build: Build, layer_ids: list[str]) -> None:
    """Add QGIS layer metadata (title, licence) for ``layer_ids`` to the GeoPackage ``path``."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with sqlite3.connect(path) as db:
        for layer_id in layer_ids:
            spec = SPECS.get(layer_id)
            title = f"{spec.title_sv} / {spec.title_en}" if spec else layer_id
            licences, rights = _licences(build, layer_id)
            document = layer_qmd(layer_id, title, f"Strukturbild {build.id}", licences, rights)
            cursor = db.execute(
                "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                "VALUES ('dataset', 'http://mrcc.com/qgis.dtd', 'text/xml', ?)", (document,))
            db.execute(
                "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name,"
                " row_id_value, timestamp, md_file_id, md_parent_id) "
                "VALUES ('table', ?, NULL, NULL, ?, ?, NULL)", (layer_id, now, cursor.lastrowid))


def write_gpkg(build: Build, path: Path, layers: dict[str, gpd.GeoDataFrame] | None = None,
               kommunkod: str | None = None) -> Path:
    """Write ``layers`` (default: every layer of ``build``) and the indicators to one GeoPackage.

    With ``kommunkod`` (a per-kommun file) only that kommun's indicator rows are written.
    """
    layers = layers if layers is not None else {i: build.layer(i) for i in build.layer_ids()}

    def write(tmp: Path) -> None:
        styled = {}
        for number, (layer_id, frame) in enumerate(layers.items()):
            metadata = layer_metadata(build, layer_id)
            pyogrio.write_dataframe(
                frame, tmp, layer=layer_id, driver="GPKG",
                promote_to_multi=_mixes_single_and_multi(frame),
                layer_metadata=metadata,
                dataset_options={"VERSION": GPKG_VERSION} if number == 0 else None,
                layer_options={"IDENTIFIER": metadata["title"],
                               "DESCRIPTION": f"Strukturbild {build.id}"})
            if layer_id in SPECS:
                geometry_column = pyogrio.read_info(tmp, layer=layer_id)["geometry_name"]
                styled[layer_id] = (SPECS[layer_id], frame, geometry_column)
        indicators = indicator_table(build)
        if kommunkod is not None:
            indicators = indicators[indicators["kommunkod"] == kommunkod]
        if not indicators.empty:
            pyogrio.write_dataframe(indicators, tmp, layer=INDICATOR_LAYER, driver="GPKG")
        if styled:
            pyogrio.write_dataframe(style_rows(styled, build.manifest["created_at"]), tmp,
                                    layer=STYLE_TABLE, driver="GPKG")
        _write_qgis_metadata(tmp, build, list(layers))

    return _atomic(Path(path), write)


def write_indicators_csv(build: Build, path: Path) -> Path:
    """Write the indicator table as UTF-8 CSV (header only when there are no indicators)."""
    return _atomic(Path(path), lambda tmp: indicator_table(build).to_csv(tmp, index=False))


def write_layer_parquet(build: Build, layer_id: str, path: Path) -> Path:
    """Write one layer as a GeoParquet file (EPSG:3006)."""
    return _atomic(Path(path), lambda tmp: build.layer(layer_id).to_parquet(tmp, index=False))


def write_geoparquet(build: Build, directory: Path) -> Path:
    """Write every layer as ``<layer>.parquet`` and the provenance as ``provenance.json``."""
    directory = Path(directory)
    for layer_id in build.layer_ids():
        write_layer_parquet(build, layer_id, directory / f"{layer_id}.parquet")
    provenance = json.dumps({"build_id": build.id, "layers": build.manifest["layers"]},
                            ensure_ascii=False, indent=2, default=str)
    _atomic(directory / PROVENANCE_FILE, lambda tmp: tmp.write_text(provenance, "utf-8"))
    return directory


def export(build: Build, fmt: str, out: Path) -> Path:
    """Export ``build`` in ``fmt`` (gpkg, csv or geoparquet) to ``out``; return the path."""
    writers = {"gpkg": write_gpkg, "csv": write_indicators_csv, "geoparquet": write_geoparquet}
    if fmt not in writers:
        raise RequestError("format", f"must be one of {', '.join(FORMATS)}")
    return writers[fmt](build, Path(out))
