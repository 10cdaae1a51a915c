"""Pages: the strukturbild map, health check and provenance."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from data_sources.errors import NotFoundError, RequestError
from gisapp.mapview import compose_map
from gisapp.provenance import provenance_rows
from gisapp.settings import NO_DATA_HELP_EN, NO_DATA_HELP_SV
from gisapp.steps import SPECS
from gisapp.store import Build

pages = Blueprint("pages", __name__)

TEXTS = {
    "sv": {"title": "Strukturbild", "build": "Bygge", "provenance": "Källor",
           "layer": "Lager", "source": "Källa", "year": "År", "licence": "Licens",
           "rows": "Objekt", "missing": "saknar data"},
    "en": {"title": "Structure map", "build": "Build", "provenance": "Sources",
           "layer": "Layer", "source": "Source", "year": "Year", "licence": "Licence",
           "rows": "Features", "missing": "no data"},
}


def current_build() -> Build:
    """Return the serving build, or raise ``NotFoundError`` when nothing is built yet."""
    build = current_app.extensions["store"].current()
    if build is None:
        msg = "no build yet: run `strukturbild build`"
        raise NotFoundError(msg)
    return build


def request_lang() -> str:
    """Return the page language from ``?sprak=sv|en`` (default sv)."""
    lang = request.args.get("sprak", "sv")
    if lang not in TEXTS:
        raise RequestError("sprak", f"must be 'sv' or 'en', got {lang[:20]!r}")
    return lang


@pages.get("/")
def index():
    """The strukturbild map of the region with every built layer."""
    lang = request_lang()
    build = current_build()
    root = compose_map(build, SPECS, lang).get_root()
    root.render()
    no_data = None
    if not build.manifest["has_data_dir"]:
        no_data = NO_DATA_HELP_SV if lang == "sv" else NO_DATA_HELP_EN
    return render_template(
        "map.html", lang=lang, t=TEXTS[lang], region=build.manifest["region"],
        build_id=build.id, map_header=root.header.render(), map_html=root.html.render(),
        map_script=root.script.render(), provenance=provenance_rows(build, lang),
        missing=build.manifest["missing"], no_data=no_data,
    )


@pages.get("/healthz")
def healthz():
    """Liveness and the id of the serving build."""
    return jsonify({"status": "ok", "build_id": current_build().id})


@pages.get("/api/provenance")
def api_provenance():
    """Provenance of every layer of the serving build (sources, years, licences, sha256)."""
    build = current_build()
    return jsonify({"build_id": build.id, "created_at": build.manifest["created_at"],
                    "code_version": build.manifest["code_version"],
                    "layers": build.manifest["layers"], "missing": build.manifest["missing"]})
