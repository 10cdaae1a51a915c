"""The ``upptagningsomraden`` layer and its indicators: who lives within reach of a stomlinje.

Catchments surround the stations of the ``hallplatser`` layer whose class is stomlinje or
stark stomlinje, one dissolved polygon per mode and radius: straight-line buffers
(``metod = fagelvag``), or, when a road network is given, the roads reachable within the
radius along the network (snapping leg included) widened by ``offroad_m``
(``metod = vagnat``).

Population within them, per kommun, is counted where people live:

* with SCB's population grid, from the squares' tätort and landsbygd parts
  (:func:`layers.befolkningsruta.population_within`: a part adds its persons times the share
  of its area inside the catchment, people taken as evenly spread within the part) — all
  three rows are measured, numerators and denominators from the same grid and year;
* without it, only tätorter can be placed: each 2020 tätort polygon contributes its
  population times the share of its area inside the catchment (areal weighting: people
  assumed evenly spread within the tätort), a tätort without polygon counts whole when its
  point is inside. Landsbygd population (kommun total − tätorter) cannot be placed, so its row
  states the denominator and leaves the numerator empty, and hela_kommunen is a lower bound.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon

from layers import avgangar, palette
from layers.accessibility import Network, distance_to_nearest, snap
from layers.befolkning import population_split
from layers.befolkningsruta import (
    OMRADEN,
    Allocation,
    population_by_area,
    population_within,
)
from layers.indikatorer import check
from layers.settings import StomlinjeSettings
from layers.spec import LayerSpec, layer_texts, legend_rows, popups

COLUMNS = ["id", "trafikslag", "avstand_m", "hallplatser", "metod", "titel_sv", "datum",
           "geometry"]
STOMLINJE_CLASSES = ("stomlinje", "stark_stomlinje")
KALLA = ("Trafiklab GTFS (trafikdag {datum}); SCB tätorter 2020 (folkmängd och punkter), "
         "Lantmäteriet tätortsavgränsning 2018; kommunens folkmängd {ar} — tätortens folkmängd "
         "räknas efter den andel av dess yta som ligger inom området (jämnt fördelad)")
KALLA_GRID = ("Trafiklab GTFS (trafikdag {datum}); {grid} — rutans tätorts- och landsbygdsdel "
              "räknas efter den andel av dess yta som ligger inom området")
# Year of the numerator / denominator per area; the population split gives the kommun year.
YEARS = {"tatort": "2020", "hela_kommunen": "2020/{ar}", "landsbygd": "{ar}"}
HELA_NOTE = (" — minst: bara tätorternas befolkning inom upptagningsområdet räknas; "
             "landsbygdens kräver ett befolkningsrutnät")
LANDSBYGD_NOTE = (" — landsbygd = kommunens folkmängd − tätorternas (rest); andelen inom "
                  "upptagningsområdet kräver ett befolkningsrutnät och lämnas tom")

NOTES = {"landsbygd": LANDSBYGD_NOTE, "hela_kommunen": HELA_NOTE}

SPEC = LayerSpec(
    id="upptagningsomraden",
    **layer_texts("upptagningsomraden"),
    theme="Resor",
    geometry_type="MultiPolygon",
    sources=("gtfs_rail", "gtfs_varmlandstrafik"),
    id_column="id",
    style={"color": palette.CATCHMENT_STROKE, "weight": 1, "fillColor": palette.CATCHMENT_FILL,
           "fillOpacity": 0.25},
    legend=legend_rows("upptagningsomraden", palette.CATCHMENT_FILL),
    display_tolerance_m=20.0,
    indicator_prefixes=("befolkning_stomlinje_",),
    popup=popups("upptagningsomraden", "titel_sv", "hallplatser", "metod", "datum"),
    default_visible=False,
)


def zone_id(mode: str, radius_m: float) -> str:
    """Stable id of a catchment zone, e.g. ``tag_1000``."""
    return f"{mode}_{radius_m:.0f}"


def network_area(network: Network, xy: np.ndarray, radius_m: float, *,
                 offroad_m: float) -> MultiPolygon:
    """Return the area within ``radius_m`` of the points ``xy`` along ``network``.

    One multi-source search gives each road node's distance to its nearest point (snapping
    leg included). Road links whose both ends are reached, and reached nodes, are widened by
    ``offroad_m`` (a node by no more than its remaining distance).
    """
    nodes, snap_m = snap(network, xy)
    dist = distance_to_nearest(network.reverse_m, nodes, snap_m)
    reached = dist <= radius_m
    rows, cols = network.reverse_m[:-1, :-1].nonzero()
    both = reached[rows] & reached[cols]
    links = shapely.linestrings(np.stack([network.xy[rows[both]], network.xy[cols[both]]], axis=1))
    spots = shapely.points(network.xy[reached])
    widths = np.minimum(radius_m - dist[reached], offroad_m)
    parts = np.concatenate([shapely.buffer(links, offroad_m, quad_segs=4),
                            shapely.buffer(spots, widths, quad_segs=4)])
    area = shapely.union_all(parts) if len(parts) else MultiPolygon()
    return area if isinstance(area, MultiPolygon) else MultiPolygon([area])


def _area(points: gpd.GeoSeries, radius: float, network: Network | None,
          settings: StomlinjeSettings) -> MultiPolygon:
    """Straight-line or network catchment of ``points`` (EPSG:3006) at ``radius`` metres."""
    if network is not None:
        xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
        return network_area(network, xy, radius, offroad_m=settings.offroad_m)
    area = points.buffer(radius, quad_segs=16).union_all()
    return area if isinstance(area, MultiPolygon) else MultiPolygon([area])


def build(hallplatser: gpd.GeoDataFrame, *, settings: StomlinjeSettings,
          network: Network | None = None) -> gpd.GeoDataFrame:
    """Return one dissolved catchment per mode and radius (EPSG:3006).

    Output columns: :data:`COLUMNS` — ``id`` (:func:`zone_id`), ``trafikslag``,
    ``avstand_m``, ``hallplatser`` (number of stations), ``metod`` (``fagelvag`` or
    ``vagnat``),
    ``titel_sv``, ``datum``, ``geometry`` (MultiPolygon). Empty when no station is on a
    stomlinje.
    """
    served = hallplatser[hallplatser["klass"].isin(STOMLINJE_CLASSES)]
    rows = []
    for mode, radii in (("tag", settings.rail_catchment_m), ("buss", settings.bus_catchment_m)):
        stations = served[served["trafikslag"] == mode]
        if stations.empty:
            continue
        for radius in radii:
            rows.append({
                "id": zone_id(mode, radius), "trafikslag": mode, "avstand_m": float(radius),
                "hallplatser": len(stations),
                "metod": "fagelvag" if network is None else "vagnat",
                "titel_sv": f"{avgangar.MODE_LABELS[mode][0]} {radius:.0f} m",
                "datum": ", ".join(sorted(set(stations["datum"]))),
                "geometry": _area(stations.geometry, radius, network, settings),
            })
    return gpd.GeoDataFrame(rows, columns=COLUMNS, geometry="geometry", crs=hallplatser.crs)


def _tatort_within(tatorter: gpd.GeoDataFrame, points: pd.DataFrame,
                   area: MultiPolygon) -> pd.Series:
    """2020 tätort population within ``area`` per kommun, by areal weighting.

    Every 2020 tätort linked to a polygon adds its ``bef_2020`` × (the polygon's area inside
    ``area`` / its area) to its own kommun (a 2018 polygon may lie in another kommun than the
    2020 point, e.g. Stockholm's in Huddinge's code); a 2020 tätort linked to no polygon adds
    its whole population when its point lies inside.
    """
    linked = tatorter.dropna(subset=["tatortskod_2020"])
    touching = linked[linked.intersects(area)]
    inside_share = (touching.geometry.intersection(area).area / touching.geometry.area)
    shares = pd.DataFrame({"tatortskod": touching["tatortskoder_2020"].str.split(","),
                           "andel": inside_share.to_numpy()}).explode("tatortskod")
    people = pd.DataFrame(points[["tatortskod", "kommunkod", "bef_2020"]])
    by_polygon = shares.merge(people, on="tatortskod")
    by_polygon = (by_polygon["bef_2020"] * by_polygon["andel"]).groupby(
        by_polygon["kommunkod"]).sum()
    linked_codes = set(linked["tatortskoder_2020"].str.split(",").explode())
    unlinked = points[~points["tatortskod"].isin(linked_codes)]
    by_point = unlinked[unlinked.intersects(area)].groupby("kommunkod")["bef_2020"].sum()
    return by_polygon.add(by_point.astype("float64"), fill_value=0.0)


def _rows(zone, kommunkod: str, values: dict[str, tuple[float, float, str, str]]) -> list[dict]:
    """Indicator rows of one zone and kommun from ``omrade → (teljare, namnare, ar, kalla)``."""
    return [{"kommunkod": kommunkod, "omrade": omrade,
             "indikator": f"befolkning_stomlinje_{zone.id}",
             "varde": 100.0 * teljare / namnare if namnare else float("nan"),
             "enhet": "procent", "teljare": teljare, "namnare": namnare, "ar": ar, "kalla": kalla}
            for omrade, (teljare, namnare, ar, kalla) in values.items()]


def _tatort_rows(zones: gpd.GeoDataFrame, split: pd.DataFrame, tatorter: gpd.GeoDataFrame,
                 tatort_points: pd.DataFrame) -> list[dict]:
    """Rows when only tätorter can be placed (areal weighting; landsbygd numerator empty)."""
    rows = []
    for zone in zones.itertuples():
        within = _tatort_within(tatorter, tatort_points, zone.geometry)
        for kommunkod, parts in split.groupby(level="kommunkod"):
            # every row names the year of the kommun's population (its hela_kommunen row)
            year = parts.loc[(kommunkod, "hela_kommunen"), "ar"]
            kalla = KALLA.format(datum=zone.datum, ar=year)
            values = {}
            for (_, omrade), pop in parts.iterrows():
                teljare = float(within.get(kommunkod, 0.0)) if omrade != "landsbygd" else np.nan
                values[omrade] = (teljare, float(pop["befolkning"]),
                                  YEARS[omrade].format(ar=pop["ar"]), kalla + NOTES.get(omrade, ""))
            rows += _rows(zone, kommunkod, values)
    return rows


def _grid_rows(zones: gpd.GeoDataFrame, parts: gpd.GeoDataFrame, kommunkoder: list[str],
               grid_year: str, grid_kalla: str) -> list[dict]:
    """Rows measured on the population grid's square parts (area-weighted within each part)."""
    totals = population_by_area(parts, kommunkoder=kommunkoder).set_index(
        ["kommunkod", "omrade"])["befolkning"]
    rows = []
    for zone in zones.itertuples():
        within = population_within(parts, zone.geometry).set_index(
            ["kommunkod", "omrade"])["befolkning"]
        kalla = KALLA_GRID.format(datum=zone.datum, grid=grid_kalla)
        for kommunkod in kommunkoder:
            inside = {omrade: float(within.get((kommunkod, omrade), 0.0)) for omrade in OMRADEN}
            inside["hela_kommunen"] = sum(inside.values())
            values = {omrade: (persons, float(totals[(kommunkod, omrade)]), grid_year, kalla)
                      for omrade, persons in inside.items()}
            rows += _rows(zone, kommunkod, values)
    return rows


def indicators(
    zones: gpd.GeoDataFrame,
    *,
    kommuner: gpd.GeoDataFrame,
    tatorter: gpd.GeoDataFrame,
    tatort_points: pd.DataFrame,
    grid: Allocation | None = None,
    grid_kalla: str = "",
) -> pd.DataFrame:
    """Return indicator rows ``befolkning_stomlinje_<zone>`` per kommun and area (procent).

    With ``grid`` (the allocated population grid) every row is measured on the squares'
    tätort and landsbygd parts of the grid's year, ``grid_kalla`` naming the grid. Without
    it: ``tatort`` — areal-weighted tätort population within the zone over all tätort
    population; ``hela_kommunen`` — the same numerator over the kommun total, a lower bound
    (said in ``kalla``); ``landsbygd`` — denominator = the remainder, numerator and value
    empty.
    Columns as :data:`layers.indikatorer.COLUMNS`.
    """
    if grid is not None:
        rows = _grid_rows(zones, grid.parts, kommuner["kommunkod"].tolist(), grid.year,
                          grid_kalla)
    else:
        split = population_split(kommuner, tatort_points).set_index(["kommunkod", "omrade"])
        rows = _tatort_rows(zones, split, tatorter, tatort_points)
    return check(pd.DataFrame(rows, columns=["kommunkod", "omrade", "indikator", "varde",
                                             "enhet", "teljare", "namnare", "ar", "kalla"]),
                 "upptagningsomraden")
