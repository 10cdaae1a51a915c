"""Pages: the strukturbild map, the embeddable map, health check, provenance, static assets."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, render_template, request, send_from_directory

from data_sources.errors import NotFoundError
from gisapp import params
from gisapp.display import SERVE_CRS
from gisapp.map_indicators import add_indicator_choropleth, parse_indikator
from gisapp.mapview import MapOptions, compose_map, missing_layers
from gisapp.pagecache import page_response
from gisapp.provenance import provenance_rows
from gisapp.settings import NO_DATA_HELP_EN, NO_DATA_HELP_SV, PROJECT_ROOT
from gisapp.steps import SPECS
from gisapp.store import Build

pages = Blueprint("pages", __name__)

STATIC_DIR = PROJECT_ROOT / "static"
STATIC_MAX_AGE_S = 86_400
TEXTS = {
    "sv": {"title": "Strukturbild", "build": "Bygge", "provenance": "Källor",
           "layer": "Lager", "source": "Källa", "year": "År", "licence": "Licens",
           "rows": "Objekt", "missing": "saknar data", "other_lang": "English",
           "compare": "Jämför kommuner", "sources_link": "Källor och mer",
           "layers_missing": "lager saknar data", "downloads": "Ladda ner",
           "scenario": "Om en servicepunkt stänger",
           "ogc_title": "Alla lager som OGC API – Features, t.ex. för QGIS"},
    "en": {"title": "Structure map", "build": "Build", "provenance": "Sources",
           "layer": "Layer", "source": "Source", "year": "Year", "licence": "Licence",
           "rows": "Features", "missing": "no data", "other_lang": "Svenska",
           "compare": "Compare municipalities", "sources_link": "Sources and more",
           "layers_missing": "layers without data", "downloads": "Downloads",
           "scenario": "If a service point closes",
           "ogc_title": "Every layer as OGC API – Features, e.g. for QGIS"},
}


def current_build() -> Build:
    """Return the serving build, or raise ``NotFoundError`` when nothing is built yet."""
    build = current_app.extensions["store"].current()
    if build is None:
        msg = "no build yet: run `strukturbild build`"
        raise NotFoundError(msg)
    return build


def region_kommuner(build: Build) -> dict[str, str]:
    """The region's kommuner as ``{kommunkod: kommunnamn}``."""
    return {k["kommunkod"]: k["kommunnamn"] for k in build.manifest["region"]["kommuner"]}


def kommun_bounds(build: Build, kommunkod: str) -> tuple[float, float, float, float]:
    """Lon/lat bounds of one kommun of the build."""
    frame = build.layer("kommuner")
    west, south, east, north = frame[frame["kommunkod"] == kommunkod].to_crs(SERVE_CRS).total_bounds
    return float(west), float(south), float(east), float(north)


# folium's map header forbids zooming the page (maximum-scale=1, user-scalable=no), which
# fails WCAG 1.4.4 (resize text); our templates declare their own zoomable viewport.
FOLIUM_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')


def render_map_parts(build: Build, options: MapOptions, indikator: str | None = None) -> dict:
    """Render the folium map (with an indicator choropleth when asked) into three parts."""
    fmap = compose_map(build, SPECS, options)
    if indikator:
        add_indicator_choropleth(fmap, build, indikator, options.lang)
    root = fmap.get_root()
    root.render()
    return {"map_header": FOLIUM_VIEWPORT.sub("", root.header.render()),
            "map_name": fmap.get_name(), "map_html": root.html.render(),
            "map_script": root.script.render()}


@pages.get("/")
def index():
    """The strukturbild map of the region with every built layer."""
    params.only(request.args, ("sprak", "indikator"))
    lang = params.language(request.args.get("sprak"))
    build = current_build()
    indikator = parse_indikator(request.args.get("indikator"), build)
    key = ("index", lang, indikator)

    def render() -> str:
        no_data = None
        if not build.manifest["has_data_dir"]:
            no_data = NO_DATA_HELP_SV if lang == "sv" else NO_DATA_HELP_EN
        options = MapOptions(lang=lang, embed_url="/embed", indicator=indikator)
        return render_template(
            "map.html", lang=lang, t=TEXTS[lang], region=build.manifest["region"],
            build_id=build.id, provenance=provenance_rows(build, lang),
            missing=missing_layers(build, SPECS, lang), no_data=no_data,
            **render_map_parts(build, options, indikator),
        )

    body = current_app.extensions["pages"].get_or_render(build.id, key, render)
    return page_response(body, build.id, key)


@pages.get("/embed")
def embed():
    """A minimal map that fills its iframe: chosen layers (``lager``) and extent."""
    params.only(request.args, ("sprak", "lager", "kommun", "bbox", "indikator"))
    build = current_build()
    lang = params.language(request.args.get("sprak"))
    known = [*build.layer_ids(), *build.manifest["missing"]]  # unbuilt: shown as saknar data
    layer_ids = params.layer_list(request.args.get("lager"), known)
    kommun = params.kommunkod(request.args.get("kommun"), region_kommuner(build))
    # bbox is validated here but applied in the browser: the page does not depend on it, so
    # arbitrary extents cannot fill the page cache (the key holds only bounded choices)
    fit_bbox = params.bbox(request.args.get("bbox")) is not None and kommun is None
    indikator = parse_indikator(request.args.get("indikator"), build)
    key = ("embed", lang, None if layer_ids is None else tuple(sorted(layer_ids)), kommun,
           fit_bbox, indikator)

    def render() -> str:
        chosen = _default_layers(build) if layer_ids is None else layer_ids
        options = MapOptions(lang=lang, layer_ids=chosen,
                             bounds=kommun_bounds(build, kommun) if kommun else None,
                             collapsed=True, indicator=indikator, highlight=kommun)
        return render_template("embed.html", lang=lang, t=TEXTS[lang], build_id=build.id,
                               region=build.manifest["region"], fit_bbox=fit_bbox,
                               **render_map_parts(build, options, indikator))

    body = current_app.extensions["pages"].get_or_render(build.id, key, render)
    return page_response(body, build.id, key)


def _default_layers(build: Build) -> tuple[str, ...]:
    """The layers an embed shows when ``lager`` is absent: those visible by default."""
    return tuple(i for i in build.layer_ids() if i in SPECS and SPECS[i].default_visible)


@pages.get("/static/<path:filename>")
def static(filename: str):
    """Front-end assets: own CSS/JS at the top level and ``vendor/``; traversal-safe.

    npm's working files in ``static/`` (``node_modules``, ``package*.json``) are not served.
    """
    own = "/" not in filename and filename.endswith((".js", ".css"))
    if not (own or filename.startswith("vendor/")):
        msg = f"no static file {filename!r}"
        raise NotFoundError(msg)
    return send_from_directory(STATIC_DIR, filename, max_age=STATIC_MAX_AGE_S)


@pages.get("/healthz")
def healthz():
    """Liveness and the id of the serving build."""
    params.only(request.args, ())
    return jsonify({"status": "ok", "build_id": current_build().id})


@pages.get("/api/provenance")
def api_provenance():
    """Provenance of every layer of the serving build (sources, years, licences, sha256)."""
    params.only(request.args, ())
    build = current_build()
    return jsonify({"build_id": build.id, "created_at": build.manifest["created_at"],
                    "code_version": build.manifest["code_version"],
                    "layers": build.manifest["layers"], "missing": build.manifest["missing"]})

