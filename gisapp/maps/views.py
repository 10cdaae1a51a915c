"""The map pages (``/``, ``/embed``) and the layers the map fetches on demand.

``/kartlager/<id>.geojson`` serves the display GeoJSON of a layer too large for the page,
``/kartplatser.json`` the names the search box offers.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from data_sources.errors import NotFoundError
from gisapp.config import NO_DATA_HELP_EN, NO_DATA_HELP_SV
from gisapp.maps.choropleth import parse_indikator
from gisapp.maps.compose import MapOptions, missing_layers, places, render_parts
from gisapp.maps.renderers import on_demand_display, on_demand_features
from gisapp.maps.view import VIEW_PARAMS, map_title, parse_view
from gisapp.web import params
from gisapp.web.context import current_build, kommun_bounds
from gisapp.web.jsonsafe import dumps
from gisapp.web.pagecache import cached_page
from gisapp.web.provenance import provenance_rows
from gisapp.web.texts import TEXTS
from messages import text

maps = Blueprint("maps", __name__)


@maps.get("/")
def index():
    """The strukturbild map of the region with every built layer."""
    params.page_only(request.args, ("sprak", "indikator"))
    lang = params.language(request.args.get("sprak"))
    build = current_build()
    indikator = parse_indikator(request.args.get("indikator"), build)
    key = ("index", lang, indikator)

    def render() -> str:
        no_data = None
        if not build.manifest["has_data_dir"]:
            no_data = NO_DATA_HELP_SV if lang == "sv" else NO_DATA_HELP_EN
        options = MapOptions(lang=lang, embed_url="/embed", indicator=indikator,
                             exports=True)
        return render_template(
            "map.html", lang=lang, t=TEXTS[lang], region=build.manifest["region"],
            meta_description=text("meta.map", lang, region=build.manifest["region"]["lansnamn"]),
            build_id=build.id, provenance=provenance_rows(build, lang),
            missing=missing_layers(build, lang), no_data=no_data,
            **render_parts(build, options, indikator),
        )

    return cached_page(build.id, key, render)


@maps.get("/embed")
def embed():
    """A minimal map that fills its iframe: chosen layers (``lager``) and extent."""
    params.page_only(request.args, VIEW_PARAMS)
    build = current_build()
    view = parse_view(request.args, build)
    # bbox is validated here but applied in the browser: the page does not depend on it, so
    # arbitrary extents cannot fill the page cache (the key holds only bounded choices)
    fit_bbox = view.bbox is not None and view.kommun is None
    key = ("embed", view.lang, None if view.layer_ids is None else tuple(sorted(view.layer_ids)),
           view.kommun, fit_bbox, view.indikator)

    def render() -> str:
        chosen = view.layers(build)
        options = MapOptions(lang=view.lang, layer_ids=chosen,
                             bounds=kommun_bounds(build, view.kommun) if view.kommun else None,
                             collapsed=True, indicator=view.indikator, highlight=view.kommun,
                             title=map_title(build, chosen, view.kommun, view.indikator,
                                             view.lang),
                             legend_open=True)
        return render_template("embed.html", lang=view.lang, t=TEXTS[view.lang],
                               build_id=build.id, region=build.manifest["region"],
                               meta_description=text("meta.map", view.lang,
                                                     region=build.manifest["region"]["lansnamn"]),
                               fit_bbox=fit_bbox, **render_parts(build, options, view.indikator))

    return cached_page(build.id, key, render)


@maps.get("/kartplatser.json")
def place_names():
    """Kommuner and tätorter with their lon/lat bounds, for the map's search box."""
    params.only(request.args, ())
    build = current_build()
    return cached_page(build.id, ("kartplatser",), lambda: dumps(places(build)),
                       mimetype="application/json")


@maps.get("/kartlager/<layer_id>.geojson")
def on_demand_layer(layer_id: str):
    """The display GeoJSON of a layer the map fetches when it is switched on."""
    params.only(request.args, ())
    build = current_build()
    if layer_id not in build.layer_ids() or on_demand_display(build, layer_id) is None:
        raise NotFoundError(f"no map layer {layer_id!r} to fetch in build {build.id}")
    return cached_page(build.id, ("kartlager", layer_id),
                       lambda: dumps(on_demand_features(build, layer_id)),
                       mimetype="application/geo+json")
