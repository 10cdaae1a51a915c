"""The scenario page: choose a service point that closes and see who gets farther.

The page itself holds no computation: its script asks ``/api/scenario`` (see
:mod:`gisapp.scenario_api`) and shows the answer as tables.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from data_sources.crs import SERVE_CRS
from data_sources.errors import RequestError
from gisapp.maps.display import simplify_for_display, to_geojson
from gisapp.store import Build
from gisapp.web import params
from gisapp.web.context import current_build
from gisapp.web.pagecache import cached_page
from gisapp.web.texts import TEXTS
from layers.accessibility import STRAIGHT
from messages import LANGUAGES, section, text

scenario_page = Blueprint("scenario_page", __name__)

SCENARIO_TEXTS = {lang: section("scenario", lang) for lang in LANGUAGES}


def scenario_js_texts(lang: str) -> dict:
    """The page script's texts: plain strings, ``levels``/``areas`` maps and header lists."""
    flat = section("scenario_js", lang)
    nested: dict = {}
    for key, value in flat.items():
        group, _, name = key.partition(".")
        if not name:
            nested[group] = value
        elif name.isdigit():
            nested.setdefault(group, {})[int(name)] = value
        else:
            nested.setdefault(group, {})[name] = value
    return {k: [v[i] for i in sorted(v)] if isinstance(v, dict) and all(isinstance(i, int)
                                                                      for i in v) else v
            for k, v in nested.items()}



def scenario_choices(build: Build, lang: str) -> list[tuple[str, list[dict]]]:
    """Service points of the categories the accessibility layer covers, grouped by category.

    Within a category, points are ordered by kommun name, then by their own name.
    """
    service = build.layer("service")
    covered = set(build.layer("tillganglighet")["kategori"])
    kommuner = build.kommuner
    label = "kategori_sv" if lang == "sv" else "kategori_en"
    groups = []
    for category, points in service[service["kategori"].isin(covered)].groupby(label):
        named = points.assign(kommun=points["kommunkod"].map(kommuner).fillna(points["kommunkod"]))
        ordered = named.sort_values(["kommun", "namn"], key=lambda s: s.str.lower())
        groups.append((category, [{"id": p.id, "label": f"{p.kommun}: {p.namn}"}
                                  for p in ordered.itertuples()]))
    return groups


def scenario_map_data(build: Build) -> dict:
    """What the page's map draws before any answer: kommun borders and the closable points.

    ``kommuner`` is GeoJSON (simplified for display, EPSG:4326); ``punkter`` maps each
    service point id to ``[lon, lat, kategori]``.
    """
    kommuner = simplify_for_display("kommuner", build.layer("kommuner"))[["kommunkod",
                                                                          "geometry"]]
    service = build.layer("service").to_crs(SERVE_CRS)
    points = {p.id: [round(p.geometry.x, 5), round(p.geometry.y, 5), p.kategori]
              for p in service.itertuples()}
    return {"kommuner": to_geojson(kommuner, escape=False), "punkter": points}


@scenario_page.get("/scenario")
def page():
    """Choose a service point that closes; the page asks ``/api/scenario`` what it changes."""
    params.page_only(request.args, ("sprak", "ta_bort", "km"))
    lang = params.language(request.args.get("sprak"))
    build = current_build()
    for needed in ("service", "tillganglighet"):
        build.require_layer(needed)
    # the scenario in the address is run by the page's script; checked here so that a
    # shared link with a wrong point says so (an empty ta_bort is no scenario yet)
    params.number("km", request.args.get("km"), 10.0, low=0.0, high=1000.0)
    closing = request.args.get("ta_bort")
    if closing and closing not in set(build.layer("service")["id"]):
        raise RequestError("ta_bort", f"unknown service point {closing[:40]!r}")
    key = ("scenario", lang)

    def render() -> str:
        measured = set(build.layer("tillganglighet")["metod"])
        method = SCENARIO_TEXTS[lang]["method_fågelvägen" if STRAIGHT in measured
                                      else "method_vägnät"]
        return render_template(
            "scenario.html", lang=lang, t={**TEXTS[lang], **SCENARIO_TEXTS[lang]},
            meta_description=text("meta.scenario", lang,
                                  region=build.manifest["region"]["lansnamn"]),
            region=build.manifest["region"], choices=scenario_choices(build, lang),
            method_note=method, map_data=scenario_map_data(build),
            js_texts={**scenario_js_texts(lang), "kommuner": build.kommuner})

    return cached_page(build.id, key, render)
