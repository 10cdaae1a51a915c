"""Data-driven drawing of the stomlinjenät: line width by trips, stations sized by departures.

Renderers of ``stomlinjer`` and ``hallplatser`` (listed in :mod:`gisapp.maps.renderers`).
Popups of stations carry the hourly
departure profile as a small inline SVG bar chart built here from integers only; every
data-derived string is HTML-escaped (:func:`gisapp.maps.display.to_geojson`).
"""

from __future__ import annotations

import html
import math

import folium
import geopandas as gpd

from gisapp.maps import panes
from gisapp.maps.display import simplify_for_display, to_geojson
from gisapp.maps.popup import popup
from gisapp.store import Build
from layers import palette
from layers.avgangar import HOURS_PER_DAY
from layers.spec import LayerSpec
from messages import LANGUAGES, text

# Line width (px) by trips per day: upper bound of each class → width.
WIDTH_STEPS = ((10, 2.0), (20, 4.0), (40, 6.0), (80, 9.0))
WIDTH_MAX = 12.0
STATION_RADIUS_MIN, STATION_RADIUS_MAX = 4.0, 16.0
CHART_W, CHART_H, CHART_PAD = 240, 64, 12
UNKNOWN_COLOUR = palette.STATION_NO_TIMETABLE
# The trafikdag's own trips; its departures after midnight (times ≥ 24:00) count in the early
# hours, the previous day's late trips do not (one service day, as GTFS counts it).
PROFILE_TEXT = {lang: text("transit.profile", lang) for lang in LANGUAGES}
DAY_TEXT = {lang: text("transit.day", lang) for lang in LANGUAGES}


def line_width(trips: int) -> float:
    """Line width in pixels for ``trips`` per day (steps in :data:`WIDTH_STEPS`)."""
    for upper, width in WIDTH_STEPS:
        if trips <= upper:
            return width
    return WIDTH_MAX


def station_radius(departures: int) -> float:
    """Marker radius: grows with the square root of departures per day, bounded."""
    return min(STATION_RADIUS_MAX, STATION_RADIUS_MIN + math.sqrt(max(departures, 0)))


def profile_svg(profile: str | None, lang: str) -> str:
    """Draw an inline SVG bar chart of 24 hourly counts (``"0,0,1.5,…"``), hours 0–23.

    Empty for a station without departures (no profile).
    """
    if not profile:
        return ""
    counts = [float(v) for v in profile.split(",")][:HOURS_PER_DAY]
    top = max(max(counts), 1)
    bar_w = CHART_W / HOURS_PER_DAY
    plot_h = CHART_H - CHART_PAD
    bars = "".join(
        f'<rect x="{i * bar_w:.1f}" y="{plot_h - plot_h * n / top:.1f}" '
        f'width="{bar_w - 1:.1f}" height="{plot_h * n / top:.1f}" fill="#0072B2">'
        f"<title>{i:02d}: {n:g}</title></rect>"
        for i, n in enumerate(counts))
    ticks = "".join(f'<text x="{h * bar_w:.1f}" y="{CHART_H - 1}" font-size="9">{h:02d}</text>'
                    for h in (0, 6, 12, 18))
    label = html.escape(f"{PROFILE_TEXT[lang]} (max {top:g})")
    return (f'<div class="sb-profil">{label}<br><svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{CHART_W}" height="{CHART_H}" role="img" aria-label="{label}">'
            f"{bars}{ticks}</svg></div>")


def _class_colour(spec: LayerSpec, klass: str | None) -> str:
    """Colour of a stomlinje class of ``spec`` (grey when unknown)."""
    return spec.categories.colour_of(klass) or UNKNOWN_COLOUR


def segment_style(spec: LayerSpec, props: dict) -> dict:
    """Leaflet style of a stomlinje segment (also drawn by the static maps).

    Colour by class, width by trips per day, dashed where the course is schematic.
    """
    return {"color": _class_colour(spec, props.get("klass")), "opacity": 0.9,
            "weight": line_width(round(float(props.get("turer_dag") or 0))),
            "dashArray": "6 4" if props.get("schematisk") else None}


def station_style(spec: LayerSpec, props: dict) -> dict:
    """Leaflet style of a station (also drawn by the static maps).

    Sized by departures and coloured by class; a dashed ring without a timetable or
    departures on the day.
    """
    if props.get("status") != "trafikeras":
        return {"radius": STATION_RADIUS_MIN + 1, "color": UNKNOWN_COLOUR, "weight": 2,
                "fill": True, "fillColor": "#ffffff", "fillOpacity": 0.6, "dashArray": "3 2"}
    # filled: a click anywhere inside the circle reaches the station, not the line below
    return {"radius": station_radius(round(float(props.get("avgangar_dag") or 0))),
            "fill": True,
            "fillColor": _class_colour(spec, props.get("klass")),
            "color": palette.SYMBOL_STROKE, "weight": 1, "fillOpacity": 0.9}


def transit_notes(build: Build, lang: str) -> list[str]:
    """The analysed day (or mean day), the coverage sentence and any missing mode (bus)."""
    record = build.manifest["layers"]["stomlinjer"]
    day = record.get("analysdag", {}).get(lang)
    notes = [f"{DAY_TEXT[lang]} (GTFS): {day}"] if day else []
    if "tackning" in record:
        notes.append(record["tackning"][lang])
    return notes + [texts[lang] for texts in record.get("saknas", {}).values()]


def render_stomlinjer(parent: folium.map.FeatureGroup, spec: LayerSpec, build: Build,
                      lang: str) -> None:
    """Draw segments with width by ``turer_dag`` and colour by ``klass``; dashed if schematic."""
    frame = simplify_for_display(spec.id, build.layer(spec.id))

    def style(feature: dict) -> dict:
        return segment_style(spec, feature["properties"])

    folium.GeoJson(to_geojson(frame, escape=True), style_function=style, pane=panes.LINES,
                   popup=popup(spec, lang, list(frame.columns))).add_to(parent)


def render_hallplatser(parent: folium.map.FeatureGroup, spec: LayerSpec, build: Build,
                       lang: str) -> None:
    """Draw stations sized by departures, coloured by class, with an hourly-profile popup."""
    frame = build.layer(spec.id)
    data = to_geojson(frame, escape=True)
    for feature in data["features"]:
        feature["properties"]["profil_svg"] = profile_svg(feature["properties"]["profil"], lang)

    def style(feature: dict) -> dict:
        return {**station_style(spec, feature["properties"]), "pane": panes.POINTS}

    fields = popup(spec, lang, list(frame.columns), extra=(("profil_svg", ""),))
    folium.GeoJson(data, style_function=style, popup=fields, pane=panes.POINTS,
                   marker=folium.CircleMarker(radius=STATION_RADIUS_MIN)).add_to(parent)



# The tätort popup's lines from the ``tatort_stomlinje`` layer: column → (Swedish, English).
TATORT_FIELDS = {
    "stomlinje_hallplats": ("Närmaste stomlinjehållplats", "Nearest trunk line stop"),
    "stomlinje_avstand_m": ("Avstånd dit (m)", "Distance to it (m)"),
    "stomlinje_avgangar": ("Dess avgångar per dag", "Its departures per day"),
    "stomlinje_status": ("Stomlinje", "Trunk line"),
}


def tatorter_with_access(build: Build, spec: LayerSpec, lang: str
                         ) -> tuple[gpd.GeoDataFrame, tuple[tuple[str, str], ...]]:
    """The tätort frame with its nearest stomlinje stop (when built), and the popup lines."""
    frame = simplify_for_display(spec.id, build.layer(spec.id))
    if "tatort_stomlinje" not in build.layer_ids():
        return frame, ()
    return join_access(frame, build.layer("tatort_stomlinje")), access_fields(lang)


def join_access(tatorter: gpd.GeoDataFrame, access: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``tatorter`` with the columns of :data:`TATORT_FIELDS` from ``tatort_stomlinje``."""
    frame = tatorter.copy()
    by_code = access.set_index("tatortskod")
    for column, source in (("stomlinje_hallplats", "hallplats"),
                           ("stomlinje_avstand_m", "avstand_m"),
                           ("stomlinje_avgangar", "avgangar_dag"),
                           ("stomlinje_status", "status_sv")):
        frame[column] = frame["tatortskod_2020"].map(by_code[source])
    return frame


def access_fields(lang: str) -> tuple[tuple[str, str], ...]:
    """The ``(column, label)`` popup lines :func:`join_access` adds, in ``lang``."""
    return tuple((c, labels[0 if lang == "sv" else 1]) for c, labels in TATORT_FIELDS.items())
