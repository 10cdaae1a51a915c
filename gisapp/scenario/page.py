"""The scenario page: choose a service point that closes and see who gets farther.

The page itself holds no computation: its script asks ``/api/scenario`` (see
:mod:`gisapp.scenario_api`) and shows the answer as tables.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from data_sources.crs import SERVE_CRS
from gisapp.maps.display import simplify_for_display, to_geojson
from gisapp.store import Build
from gisapp.web import params
from gisapp.web.context import current_build
from gisapp.web.pagecache import cached_page
from gisapp.web.texts import TEXTS

scenario_page = Blueprint("scenario_page", __name__)

SCENARIO_TEXTS = {
    "sv": {"scenario_title": "Scenario: om en servicepunkt stänger", "map": "Karta",
           "compare": "Jämför kommuner", "service_point": "Servicepunkt som stänger",
           "threshold_km": "Gräns (km)", "run": "Beräkna",
           "scenario_help": "Välj en servicepunkt som stänger. Strukturbild räknar om avståndet "
                            "till närmaste punkt av samma kategori för varje ursprung och visar "
                            "hur många som får längre, och hur många som får mer än gränsen."},
    "en": {"scenario_title": "Scenario: if a service point closes", "map": "Map",
           "compare": "Compare municipalities", "service_point": "Service point that closes",
           "threshold_km": "Threshold (km)", "run": "Compute",
           "scenario_help": "Choose a service point that closes. Strukturbild recomputes the "
                            "distance to the nearest point of the same category from every origin "
                            "and shows how many get farther, and how many end up beyond the "
                            "threshold."},
}
SCENARIO_JS_TEXTS = {
    "sv": {"running": "Beräknar …", "method": "Metod", "build": "Bygge",
           "levels": {"kommun": "Kommun", "kommuntyp": "Kommungrupp", "omrade": "Område",
                      "region": "Länet"},
           "areas": {"tatort": "tätort", "landsbygd": "landsbygd"},
           "summaryCaption": "Befolkning per nivå: längre bort, och över {km} km före/efter",
           "summaryHeaders": ["Nivå", "Grupp", "Befolkning", "Längre bort", "Över gränsen före",
                              "Över gränsen efter"],
           "changedCaption": "Ursprung som påverkas",
           "changedHeaders": ["Namn", "Kommun", "Område", "Befolkning", "km före", "km efter",
                              "Ökning km"],
           "noChange": "Ingen får längre till närmaste servicepunkt.",
           "closed": "Stänger", "mapLegend": "Röd ring: punkten som stänger; blå prickar: övriga "
                     "punkter av samma kategori. Cirklar: ursprung som får längre (större = "
                     "fler invånare, mörkare = längre ökning)."},
    "en": {"running": "Computing …", "method": "Method", "build": "Build",
           "levels": {"kommun": "Municipality", "kommuntyp": "Municipality group",
                      "omrade": "Area", "region": "County"},
           "areas": {"tatort": "urban", "landsbygd": "rural"},
           "summaryCaption": "Population per level: farther away, and beyond {km} km before/after",
           "summaryHeaders": ["Level", "Group", "Population", "Farther", "Beyond before",
                              "Beyond after"],
           "changedCaption": "Origins affected",
           "changedHeaders": ["Name", "Municipality", "Area", "Population", "km before",
                              "km after", "Increase km"],
           "noChange": "Nobody gets farther to the nearest service point.",
           "closed": "Closes", "mapLegend": "Red ring: the point that closes; blue dots: the other "
                     "points of its category. Circles: origins that get farther (larger = more "
                     "people, darker = larger increase)."},
}


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
    params.only(request.args, ("sprak",))
    lang = params.language(request.args.get("sprak"))
    build = current_build()
    for needed in ("service", "tillganglighet"):
        build.require_layer(needed)
    key = ("scenario", lang)

    def render() -> str:
        notes = build.manifest["layers"]["tillganglighet"]["notes"]
        method = next((n for n in notes if "fågelvägen" in n or "vägnät" in n.lower()), "")
        return render_template(
            "scenario.html", lang=lang, t={**TEXTS[lang], **SCENARIO_TEXTS[lang]},
            region=build.manifest["region"], choices=scenario_choices(build, lang),
            method_note=method, map_data=scenario_map_data(build),
            js_texts={**SCENARIO_JS_TEXTS[lang], "kommuner": build.kommuner})

    return cached_page(build.id, key, render)
