"""Place-name labels: kommuner and tätorter, ranked and sized by population.

:func:`label_candidates` gives every label with its anchor (lon/lat), size and the zoom
from which it shows; the browser (``static/strukturbild.js``) and the static renderer
(:mod:`gisapp.exports.staticmap`) place them greedily in this order and skip a label that
would overlap one already placed, so no two labels overlap at any zoom.
"""

from __future__ import annotations

import math

import geopandas as gpd
import shapely

from data_sources.crs import SERVE_CRS
from gisapp.store import Build

# Tätort population → (first zoom shown, font size px); the first matching row applies.
TATORT_STEPS = ((10_000, 7.0, 13), (3_000, 8.0, 12), (1_000, 9.0, 11), (0, 10.0, 10))
KOMMUN_MIN_PX, KOMMUN_MAX_PX = 11, 14
KOMMUN_MIN_ZOOM = 6.0
MAX_ZOOM = 13.0  # kommun names step back when the view is inside one kommun


def _anchors(frame: gpd.GeoDataFrame) -> list[tuple[float, float]]:
    """A label point inside each polygon (pole of inaccessibility), as (lon, lat)."""
    points = [shapely.ops.polylabel(max(getattr(g, "geoms", [g]), key=lambda p: p.area),
                                    tolerance=200.0) for g in frame.geometry]
    wgs = gpd.GeoSeries(points, crs=frame.crs).to_crs(SERVE_CRS)
    return [(round(p.x, 5), round(p.y, 5)) for p in wgs]


def _kommun_size(population: float | None, largest: float) -> int:
    """Kommun label size: grows with the log of population, bounded."""
    if not population or not largest or largest <= 1:
        return KOMMUN_MIN_PX
    share = math.log(max(population, 1)) / math.log(largest)
    return round(KOMMUN_MIN_PX + (KOMMUN_MAX_PX - KOMMUN_MIN_PX) * share ** 4)


def label_candidates(build: Build, kommunkod: str | None = None) -> list[dict]:
    """Labels in placement order: ``name, lon, lat, kind (kommun|tatort), px, minzoom, maxzoom``.

    Kommuner come first (larger first), then tätorter by population. With ``kommunkod``
    only that kommun's own labels are given.
    """
    out: list[dict] = []
    layers = build.layer_ids()
    if "kommuner" in layers:
        kommuner = build.layer("kommuner")
        if kommunkod:
            kommuner = kommuner[kommuner["kommunkod"] == kommunkod]
        population = kommuner["invanare"].astype("float64").fillna(0)
        largest = float(population.max()) if len(population) else 0.0
        for (lon, lat), name, pop in zip(_anchors(kommuner), kommuner["kommunnamn"],
                                         population, strict=True):
            out.append({"name": str(name), "lon": lon, "lat": lat, "kind": "kommun",
                        "pop": int(pop), "px": _kommun_size(pop, largest),
                        "minzoom": KOMMUN_MIN_ZOOM, "maxzoom": MAX_ZOOM})
        out.sort(key=lambda label: -label["pop"])
    if "tatorter" in layers:
        tatorter = build.layer("tatorter")
        if kommunkod:
            tatorter = tatorter[tatorter["kommunkod"] == kommunkod]
        tatorter = tatorter.assign(pop=tatorter["bef_2020"].astype("float64").fillna(0))
        tatorter = tatorter.sort_values("pop", ascending=False)
        for (lon, lat), name, pop in zip(_anchors(tatorter), tatorter["tatort"],
                                         tatorter["pop"], strict=True):
            minzoom, px = next((z, p) for low, z, p in TATORT_STEPS if pop >= low)
            out.append({"name": str(name), "lon": lon, "lat": lat, "kind": "tatort",
                        "pop": int(pop), "px": px, "minzoom": minzoom, "maxzoom": 99.0})
    return out
