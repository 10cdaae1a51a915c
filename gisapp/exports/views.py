"""Download routes: the exports of the serving build, generated once per build and cached.

``/nedladdning/`` (list) · ``/nedladdning/strukturbild.gpkg`` · ``/nedladdning/indikatorer.csv`` ·
``/nedladdning/<layer>.parquet`` · ``/nedladdning/kommun/<kommunkod>.gpkg`` ·
``/api/tillganglighet.tif?kategori=&matt=km|minuter`` (the access surface)

Files live under ``EXPORT_DIR`` (Flask config; default ``strukturbild-exports/<hash of
BUILD_DIR>`` in the system temporary directory), one folder per build id; folders of older
builds are removed when a newer build's file is made.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)

from data_sources.errors import NotFoundError
from gisapp.exports import geotiff
from gisapp.exports import writers as export
from gisapp.store import Build
from gisapp.web import params
from gisapp.web.context import current_build
from gisapp.web.numbers import formatter
from gisapp.web.texts import TEXTS
from layers.service import CATEGORIES
from messages import section, text

exports = Blueprint("exports", __name__)
_lock = threading.Lock()


BUILD_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{6}$")


def init_app(app: Flask) -> None:
    """Register the download routes; default ``EXPORT_DIR`` when absent.

    The default is a folder per build directory (two apps on one host, e.g. staging and
    production, never share one and so never delete each other's files).
    """
    if not app.config["EXPORT_DIR"]:
        store_key = hashlib.sha256(str(Path(app.config["BUILD_DIR"]).resolve()).encode())
        app.config["EXPORT_DIR"] = str(Path(tempfile.gettempdir()) / "strukturbild-exports"
                                       / store_key.hexdigest()[:12])
    app.register_blueprint(exports)


def _cached(build: Build, name: str, write: Callable[[Path], Path]) -> Path:
    """Return the export file ``name`` of ``build``, writing it on first request."""
    root = Path(current_app.config["EXPORT_DIR"])
    path = root / build.id / name
    with _lock:
        if not path.exists():
            for old in root.glob("*"):  # exports of earlier builds, and nothing else
                if old.is_dir() and BUILD_ID.match(old.name) and old.name != build.id:
                    shutil.rmtree(old, ignore_errors=True)
            write(path)
    return path


def _send(path: Path, mimetype: str, download_name: str):
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=download_name,
                     max_age=300)


SWEDISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def swedish_key(name: str) -> str:
    """Sort key for Swedish names: å, ä, ö after z (as in a Swedish dictionary)."""
    return name.lower().translate(SWEDISH_ORDER)


def _size(build: Build, name: str) -> int | None:
    """Bytes of the export ``name`` of ``build`` if it has been made, else ``None``."""
    path = Path(current_app.config["EXPORT_DIR"]) / build.id / name
    return path.stat().st_size if path.is_file() else None


def download_links(build: Build, lang: str = "sv") -> dict[str, list[dict]]:
    """Return the download links of ``build``: ``helhet`` (whole build), ``lager``, ``kommuner``.

    Each link has ``href``, ``label`` (in ``lang``), ``format`` and ``size`` (bytes, ``None``
    until the file has been made on its first download). Kommuner are in Swedish
    alphabetical order.
    """
    t = section("downloads", lang)
    title = "title_sv" if lang == "sv" else "title_en"
    kommuner = sorted(build.kommuner.items(), key=lambda item: swedish_key(item[1]))
    return {
        "helhet": [
            {"href": url_for("exports.gpkg"), "label": t["all_gpkg"], "format": "GeoPackage",
             "size": _size(build, "strukturbild.gpkg")},
            {"href": url_for("exports.indicators_csv"), "label": t["indicators_csv"],
             "format": "CSV", "size": _size(build, "indikatorer.csv")},
            {"href": url_for("indicators.api_indikatorer", format="xlsx"),
             "label": t["indicators_xlsx"], "format": "Excel (xlsx)", "size": None},
        ],
        "lager": [{"href": url_for("exports.layer_parquet", layer_id=i), "label": layer[title],
                   "format": "GeoParquet", "size": _size(build, f"{i}.parquet")}
                  for i, layer in build.manifest["layers"].items()],
        "kommuner": [{"href": url_for("exports.kommun_gpkg", code=code), "label": name,
                      "format": "GeoPackage", "size": _size(build, f"kommun-{code}.gpkg")}
                     for code, name in kommuner],
    }


@exports.get("/nedladdning/")
def index():
    """List every download of the serving build, with the OGC API address for QGIS."""
    params.page_only(request.args, ("sprak",))
    lang = params.language(request.args.get("sprak"))
    build = current_build()
    return render_template("nedladdning.html", lang=lang, build_id=build.id,
                           meta_description=text("meta.downloads", lang,
                                                 region=build.manifest["region"]["lansnamn"]),
                           t={**TEXTS[lang], **section("downloads", lang)},
                           region=build.manifest["region"], links=download_links(build, lang),
                           fmt=formatter(lang),
                           ogc_url=url_for("ogc.landing", _external=True))


@exports.get("/nedladdning/strukturbild.gpkg")
def gpkg():
    """Every layer (and the indicators) as one GeoPackage in EPSG:3006."""
    build = current_build()
    path = _cached(build, "strukturbild.gpkg", lambda p: export.write_gpkg(build, p))
    return _send(path, "application/geopackage+sqlite3", f"strukturbild-{build.id}.gpkg")


@exports.get("/nedladdning/indikatorer.csv")
def indicators_csv():
    """The indicator table as CSV."""
    build = current_build()
    path = _cached(build, "indikatorer.csv", lambda p: export.write_indicators_csv(build, p))
    return _send(path, "text/csv", f"indikatorer-{build.id}.csv")


@exports.get("/nedladdning/<layer_id>.parquet")
def layer_parquet(layer_id: str):
    """One layer as GeoParquet (EPSG:3006)."""
    build = current_build()
    build.layer(layer_id)  # 404 for an unknown id before any path is formed
    path = _cached(build, f"{layer_id}.parquet",
                   lambda p: export.write_layer_parquet(build, layer_id, p))
    return _send(path, "application/vnd.apache.parquet", f"{layer_id}-{build.id}.parquet")


@exports.get("/nedladdning/kommun/<code>.gpkg")
def kommun_gpkg(code: str):
    """Every layer restricted to one kommun as a GeoPackage."""
    build = current_build()
    if code not in build.kommuner:  # malformed, or a kommun of another region: no such resource
        msg = f"kommun {code} is not in this region"
        raise NotFoundError(msg)
    path = _cached(build, f"kommun-{code}.gpkg",
                   lambda p: export.write_gpkg(build, p, export.kommun_layers(build, code)))
    return _send(path, "application/geopackage+sqlite3", f"strukturbild-{code}-{build.id}.gpkg")


@exports.get("/api/tillganglighet.tif")
def access_surface():
    """The distance or time surface of one service category over the population squares."""
    params.only(request.args, ("kategori", "matt"))
    kategori = params.choice("kategori", request.args.get("kategori"), CATEGORIES, "apotek")
    matt = params.choice("matt", request.args.get("matt"), geotiff.MEASURES, "km")
    body = geotiff.access_surface(current_build(), kategori=kategori, matt=matt)
    return Response(body, mimetype="image/tiff")
