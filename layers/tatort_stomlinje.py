"""Per tätort: the nearest stomlinje stop, how far it is, and how often it is served.

Every 2020 tätort gets the nearest station or stop whose class is stomlinje or stark
stomlinje (:data:`layers.upptagningsomraden.STOMLINJE_CLASSES`), measured from the tätort's
area — its linked 2018 polygon (0 m when the stop lies inside), else SCB's point:
straight-line, or along the road network when one is loaded (the network distance from the
stop to the nearest road node in the tätort, snapping legs included). A tätort farther than
``tatort_access_m`` is *utan stomlinje*; when a station that is not served here
(:mod:`layers.tackning`: no timetable, or none on the day) lies within that distance and
nearer, its status is *okänd* — the data cannot tell whether it has a stomlinje.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import palette
from layers.accessibility import NETWORK, STRAIGHT, Network, nearest_source, snap, xy_of
from layers.settings import StomlinjeSettings
from layers.spec import Categorized, LayerSpec, layer_texts, popups
from layers.upptagningsomraden import STOMLINJE_CLASSES
from messages import both, labelled

COLUMNS = ["tatortskod", "tatort", "kommunkod", "bef_2020", "hallplats", "hallplats_id",
           "avstand_m", "metod", "avgangar_dag", "klass", "utan_tidtabell",
           "utan_tidtabell_m", "status", "status_sv", "geometry"]
STATUS = {"inom": ("Stomlinje inom {m} m", "Trunk line within {m} m"),
          "utan": ("Utan stomlinje inom {m} m", "No trunk line within {m} m"),
          "okand": ("Okänt: närmare station utan tidtabell",
                    "Unknown: a nearer station has no timetable")}
# Okabe–Ito colours (colour-blind safe): green within reach, vermilion-free purple for the
# gaps (vermilion is the stark stomlinje), grey where the data cannot tell.
STATUS_COLOURS = palette.TATORT_STOMLINJE

SPEC = LayerSpec(
    id="tatort_stomlinje",
    **layer_texts("tatort_stomlinje"),
    theme="Resor",
    geometry_type="Point",
    sources=("tatortspunkter", "tatorter", "gtfs_rail", "gtfs_varmlandstrafik", "stationer"),
    id_column="tatortskod",
    style={"radius": 6, "weight": 1, "color": palette.SYMBOL_STROKE, "fillOpacity": 0.9},
    categories=Categorized.of("status", labelled("category.status", STATUS_COLOURS)),
    symbol_notes=(both("legend.tatort_stomlinje.symbol"),),
    popup=popups("tatort_stomlinje", "tatort", "bef_2020", "hallplats", "avstand_m", "metod",
                 "avgangar_dag", "utan_tidtabell", "status_sv"),
    default_visible=False,
)


def tatort_areas(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame | None) -> gpd.GeoSeries:
    """The area each 2020 tätort is measured from: its linked polygon, else its point."""
    area = points.geometry.copy()
    if polygons is not None:
        linked = polygons.dropna(subset=["tatortskoder_2020"])
        by_code = pd.Series(linked.geometry.to_numpy(), index=linked["tatortskoder_2020"]) \
            .rename_axis("kod").reset_index().assign(kod=lambda f: f["kod"].str.split(",")) \
            .explode("kod").drop_duplicates("kod").set_index("kod")[0]
        polygon = points["tatortskod"].map(by_code)
        area = gpd.GeoSeries(np.where(polygon.notna(), polygon, area), index=points.index,
                             crs=points.crs)
    return area


def _nearest_straight(areas: gpd.GeoSeries, targets: gpd.GeoSeries
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) from each area to the nearest target and its position (-1 if none)."""
    dist, index = np.full(len(areas), np.inf), np.full(len(areas), -1)
    if len(targets):
        pairs, metres = shapely.STRtree(targets.to_numpy()).query_nearest(
            areas.to_numpy(), return_distance=True, all_matches=False)
        dist[pairs[0]], index[pairs[0]] = metres, pairs[1]
    return dist, index


@dataclass(frozen=True)
class _Anchors:
    """Where each area meets the road network.

    ``node``: the road nodes inside an area, ``area``: that area's position; ``centre_node``
    and ``centre_snap``: the node each area's centre snaps to, and the snapping leg (m).
    """

    node: np.ndarray
    area: np.ndarray
    centre_node: np.ndarray
    centre_snap: np.ndarray


def _anchors(network: Network, areas: gpd.GeoSeries) -> _Anchors:
    """The areas' road nodes, found once for every search from them."""
    nodes = gpd.GeoSeries(shapely.points(network.xy[network.snappable]), crs=areas.crs)
    inside = gpd.sjoin(gpd.GeoDataFrame(geometry=nodes), gpd.GeoDataFrame(geometry=areas),
                       predicate="within")
    centre_node, centre_snap = snap(
        network, xy_of(gpd.GeoDataFrame(geometry=areas.representative_point())))
    return _Anchors(network.snappable[inside.index.to_numpy()],
                    inside["index_right"].to_numpy(), centre_node, centre_snap)


def _nearest_network(network: Network, anchors: _Anchors, targets: gpd.GeoSeries
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Network distance (m) from each area to the nearest target and its position (-1: none).

    Measured from the best road node inside the area, else from the node its centre snaps
    to (that leg included).
    """
    n_areas = len(anchors.centre_node)
    dist, index = np.full(n_areas, np.inf), np.full(n_areas, -1)
    if not len(targets):
        return dist, index
    target_nodes, target_snap = snap(network, xy_of(gpd.GeoDataFrame(geometry=targets)))
    total, target_of = nearest_source(network.reverse_m, target_nodes, target_snap)
    best = pd.Series(total[anchors.node]).groupby(anchors.area).idxmin()
    picked = anchors.node[best.to_numpy()]
    dist[best.index], index[best.index] = total[picked], target_of[picked]
    rest = index < 0
    dist[rest] = total[anchors.centre_node[rest]] + anchors.centre_snap[rest]
    index[rest] = target_of[anchors.centre_node[rest]]
    return dist, index


def build(points: gpd.GeoDataFrame, hallplatser: gpd.GeoDataFrame, *,
          settings: StomlinjeSettings, polygons: gpd.GeoDataFrame | None = None,
          network: Network | None = None) -> gpd.GeoDataFrame:
    """Return one row per tätort point (``tatortskod, tatort, kommunkod, bef_2020``).

    ``polygons`` is the ``tatorter`` layer (``tatortskoder_2020``, polygons). Output
    columns: :data:`COLUMNS` — ``hallplats`` / ``hallplats_id`` (name and key of the
    nearest stomlinje stop), ``avstand_m``, ``metod`` (``fågelvägen`` or ``vägnät``),
    ``avgangar_dag`` and ``klass`` of that stop, ``utan_tidtabell`` / ``utan_tidtabell_m``
    (the nearest station not served here, when nearer than the stomlinje stop),
    ``status`` (``inom``, ``utan``, ``okand``) and ``status_sv``; the point as geometry.
    """
    points = points.reset_index(drop=True)
    areas = tatort_areas(points, polygons)
    served = hallplatser[hallplatser["klass"].isin(STOMLINJE_CLASSES)].reset_index(drop=True)
    unserved = hallplatser[hallplatser["status"] != "trafikeras"].reset_index(drop=True)

    anchors = None if network is None else _anchors(network, areas)

    def nearest(targets: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
        if anchors is None:
            return _nearest_straight(areas, targets.geometry)
        return _nearest_network(network, anchors, targets.geometry)

    dist, index = nearest(served)
    gap_dist, gap_index = nearest(unserved)
    out = points[["tatortskod", "tatort", "kommunkod", "bef_2020", "geometry"]].copy()
    # positions index the reset frames; -1 (no stop) is no row, a missing value
    for column, source in (("hallplats", "namn"), ("hallplats_id", "station_id"),
                           ("avgangar_dag", "avgangar_dag"), ("klass", "klass")):
        out[column] = served[source].reindex(index).to_numpy()
    out["avstand_m"] = np.round(dist, 0)
    out["metod"] = STRAIGHT if network is None else NETWORK
    closer = gap_dist < dist  # never where no station is reached: its distance is inf
    out["utan_tidtabell"] = unserved["namn"].reindex(gap_index).where(closer).to_numpy()
    out["utan_tidtabell_m"] = np.where(closer, np.round(gap_dist, 0), np.nan)
    limit = settings.tatort_access_m
    # beyond the limit, a station not served within it is nearer than the stomlinje stop
    status = np.where(dist <= limit, "inom", np.where(gap_dist <= limit, "okand", "utan"))
    out["status"] = status
    out["status_sv"] = [STATUS[s][0].format(m=f"{limit:.0f}") for s in status]
    out = out.sort_values(["kommunkod", "bef_2020"], ascending=[True, False],
                          ignore_index=True)
    return gpd.GeoDataFrame(out[COLUMNS], geometry="geometry", crs=points.crs)


def utan_stomlinje(table: pd.DataFrame, kommunkod: str) -> pd.DataFrame:
    """The tätorter of ``kommunkod`` without a stomlinje within reach, most populous first."""
    mine = table[(table["kommunkod"] == kommunkod) & (table["status"] != "inom")]
    return mine.sort_values("bef_2020", ascending=False)
