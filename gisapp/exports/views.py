"""Download routes: the exports of the serving build, generated once per build and cached.

``/nedladdning/`` (list) · ``/nedladdning/strukturbild.gpkg`` · ``/nedladdning/indikatorer.csv`` ·
``/nedladdning/<layer>.parquet`` · ``/nedladdning/kommun/<kommunkod>.gpkg`` ·
``/api/tillganglighet.tif?kategori=&matt=km|minuter`` (the access surface)

Files are made once per build and kept in ``exports/`` inside the build's own directory
(or, when ``EXPORT_DIR`` is set, in ``EXPORT_DIR/<build id>``, where folders of older builds
are removed when a newer build's file is made). The folder is created mode 0700 and used only
when it is a real directory owned by the serving user and closed to group and others, so a
folder planted by another local user is refused, never served from. Making a file takes a
slot of the compute pool (:mod:`gisapp.web.throttle`).
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)

from data_sources.errors import BuildError, NotFoundError
from gisapp.config import user_export_dir
from gisapp.exports import geotiff
from gisapp.exports import writers as export
from gisapp.store import BUILD_ID, EXPORTS, Build
from gisapp.web import params
from gisapp.web.context import current_build, public_root
from gisapp.web.numbers import formatter
from gisapp.web.pagecache import cached_page
from gisapp.web.texts import TEXTS
from gisapp.web.throttle import computing
from layers.service import CATEGORIES
from messages import section, text

exports = Blueprint("exports", __name__)
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Register the download routes."""
    app.register_blueprint(exports)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) mode 0700 if needed; refuse it unless it is ours alone.

    Raises :class:`BuildError` when ``path`` is a symlink, not a directory, owned by another
    user or open to group/others: someone else may have planted files in it.
    """
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid()
            or info.st_mode & 0o077):
        msg = (f"export folder {path.name} is not a private folder of the serving user "
               f"(owner uid {info.st_uid}, mode {stat.filemode(info.st_mode)}); refusing it")
        raise BuildError(msg)
    return path


def _export_folder(build: Build) -> Path:
    """The verified folder of ``build``'s export files (older builds' folders removed)."""
    configured = current_app.config["EXPORT_DIR"]
    if not configured and build.local_dir is not None:
        return private_dir(build.local_dir / EXPORTS)
    root = private_dir(Path(configured) if configured else user_export_dir())
    for old in root.iterdir():  # exports of earlier builds, and nothing else
        if old.is_dir() and BUILD_ID.match(old.name) and old.name != build.id:
            shutil.rmtree(old, ignore_errors=True)
    return private_dir(root / build.id)


def _cached(build: Build, name: str, write: Callable[[Path], Path]) -> Path:
    """Return the export file ``name`` of ``build``, writing it on first request."""
    with _lock:
        path = _export_folder(build) / name
        if not path.exists():
            with computing():
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
                           ogc_url=public_root() + url_for("ogc.landing"))


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
                   lambda p: export.write_gpkg(build, p, export.kommun_layers(build, code),
                                               kommunkod=code))
    return _send(path, "application/geopackage+sqlite3", f"strukturbild-{code}-{build.id}.gpkg")


@exports.get("/api/tillganglighet.tif")
def access_surface():
    """The distance or time surface of one service category over the population squares."""
    params.only(request.args, ("kategori", "matt"))
    kategori = params.choice("kategori", request.args.get("kategori"), CATEGORIES, "apotek")
    matt = params.choice("matt", request.args.get("matt"), geotiff.MEASURES, "km")
    build = current_build()
    return cached_page(build.id, ("tillganglighet.tif", kategori, matt),
                       lambda: geotiff.access_surface(build, kategori=kategori, matt=matt),
                       mimetype="image/tiff")
