"""The ``upptagningsomraden`` layer and its indicators: who lives within reach of a stomlinje.

Catchments surround the stations of the ``hallplatser`` layer whose class is stomlinje or
stark stomlinje, one dissolved polygon per mode and radius: straight-line buffers
(``metod = fagelvag``), or, when a road network is given, the roads reachable within the
radius along the network (snapping leg included) widened by ``offroad_m``
(``metod = vagnat``). Population within them, per kommun, comes from SCB's 2020 tätorter: a
tätort counts as within when its polygon (or, lacking one, its point) intersects the
catchment. Landsbygd population (kommun total − tätorter) cannot be placed without a
population grid, so its row states the denominator and leaves the numerator empty.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon

from layers import avgangar
from layers.accessibility import Network, distance_to_nearest, snap
from layers.befolkning import population_split
from layers.indikatorer import check
from layers.spec import LayerSpec, PopupField
from layers.stomlinje_settings import StomlinjeSettings

COLUMNS = ["id", "trafikslag", "avstand_m", "hallplatser", "metod", "titel_sv", "datum",
           "geometry"]
STOMLINJE_CLASSES = ("stomlinje", "stark_stomlinje")
KALLA = ("Trafiklab GTFS (trafikdag {datum}); SCB tätorter 2020 (folkmängd och punkter), "
         "Lantmäteriet tätortsavgränsning 2018; kommunens folkmängd {ar}")
# Year of the numerator / denominator per area; the population split gives the kommun year.
YEARS = {"tatort": "2020", "hela_kommunen": "2020/{ar}", "landsbygd": "{ar}"}
HELA_NOTE = (" — minst: bara tätorternas befolkning inom upptagningsområdet räknas; "
             "landsbygdens kräver ett befolkningsrutnät")
LANDSBYGD_NOTE = (" — landsbygd = kommunens folkmängd − tätorternas (rest); andelen inom "
                  "upptagningsområdet kräver ett befolkningsrutnät och lämnas tom")

NOTES = {"landsbygd": LANDSBYGD_NOTE, "hela_kommunen": HELA_NOTE}

SPEC = LayerSpec(
    id="upptagningsomraden",
    title_sv="Upptagningsområden kring stomlinjer",
    title_en="Trunk line catchments",
    theme="Resor",
    geometry_type="MultiPolygon",
    sources=("gtfs_rail", "gtfs_varmlandstrafik"),
    id_column="id",
    style={"color": "#0072B2", "weight": 1, "fillColor": "#56B4E9", "fillOpacity": 0.15},
    legend=(("#56B4E9", "Inom gång-/cykelavstånd till stomlinje (fågelväg)",
             "Within walking/cycling distance of a trunk line (straight line)"),),
    popup=(
        PopupField("titel_sv", "Upptagningsområde", "Catchment"),
        PopupField("hallplatser", "Antal hållplatser", "Number of stops"),
        PopupField("metod", "Metod", "Method"),
        PopupField("datum", "Trafikdag", "Service day"),
    ),
    default_visible=False,
    how_to_add_sv="Kräver lagret hållplatser (GTFS i datakatalogen).",
    how_to_add_en="Needs the stops layer (a GTFS feed in the data directory).",
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


def _tatort_within(tatorter: gpd.GeoDataFrame, points: gpd.GeoDataFrame,
                   zone: gpd.GeoSeries) -> pd.Series:
    """Sum 2020 population of tätorter within ``zone`` per kommun (polygon, else point)."""
    area = zone.iloc[0]
    linked = tatorter.dropna(subset=["tatortskod_2020"])
    inside_poly = linked.loc[linked.intersects(area), ["kommunkod", "bef_2020"]]
    unlinked = points[~points["tatortskod"].isin(linked["tatortskod_2020"])]
    inside_point = unlinked.loc[unlinked.intersects(area), ["kommunkod", "bef_2020"]]
    both = pd.concat([inside_poly, inside_point])
    return both.groupby("kommunkod")["bef_2020"].sum().astype("int64")


def indicators(
    zones: gpd.GeoDataFrame,
    *,
    kommuner: gpd.GeoDataFrame,
    tatorter: gpd.GeoDataFrame,
    tatort_points: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """Return indicator rows ``befolkning_stomlinje_<zone>`` per kommun and area.

    Per zone and kommun: ``tatort`` — population of tätorter within the zone over all
    tätort population (procent); ``hela_kommunen`` — the same numerator over the kommun
    total, a lower bound without a population grid (said in ``kalla``); ``landsbygd`` —
    denominator = the remainder, numerator and value empty (not
    determinable without a population grid). Columns as :data:`layers.indikatorer.COLUMNS`.
    """
    split = population_split(kommuner, tatort_points).set_index(["kommunkod", "omrade"])
    rows = []
    for zone in zones.itertuples():
        within = _tatort_within(tatorter, tatort_points,
                                gpd.GeoSeries([zone.geometry], crs=zones.crs))
        for (kommunkod, omrade), pop in split.iterrows():
            teljare = (float(within.get(kommunkod, 0)) if omrade != "landsbygd"
                       else float("nan"))
            namnare = float(pop["befolkning"])
            kommun_ar = str(pop["ar"]).split("−")[0]
            ar = YEARS[omrade].format(ar=pop["ar"])
            kalla = KALLA.format(datum=zone.datum, ar=kommun_ar)
            rows.append({
                "kommunkod": kommunkod, "omrade": omrade,
                "indikator": f"befolkning_stomlinje_{zone.id}",
                "varde": 100.0 * teljare / namnare if namnare else float("nan"),
                "enhet": "procent", "teljare": teljare, "namnare": namnare, "ar": ar,
                "kalla": kalla + NOTES.get(omrade, ""),
            })
    return check(pd.DataFrame(rows, columns=["kommunkod", "omrade", "indikator", "varde",
                                             "enhet", "teljare", "namnare", "ar", "kalla"]),
                 "upptagningsomraden")
