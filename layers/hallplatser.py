"""The ``hallplatser`` layer: stations and stops of the region with departures and class.

One row per station (stops with a parent station are counted at it) that has departures on
the service day and lies in one of the region's kommuner.
"""

from __future__ import annotations

import geopandas as gpd

from layers import avgangar
from layers.settings import StomlinjeSettings
from layers.spec import Categorized, LayerSpec, PopupField

COLUMNS = ["id", "station_id", "namn", "kommunkod", "trafikslag", "avgangar_dag",
           "avgangar_dagtid", "avgangar_topp_fm", "avgangar_topp_em", "profil", "linjer",
           "klass", "klass_sv", "datum", "flode", "geometry"]

SPEC = LayerSpec(
    id="hallplatser",
    title_sv="Hållplatser och stationer",
    title_en="Stops and stations",
    theme="Resor",
    geometry_type="Point",
    sources=("gtfs_rail", "gtfs_varmlandstrafik"),
    id_column="id",
    style={"radius": 5, "weight": 1, "color": "#222222", "fillOpacity": 0.9},
    categories=Categorized.of("klass", avgangar.CLASS_LABELS),
    legend=(("#222222", "Större cirkel = fler avgångar per dag",
             "Larger circle = more departures per day"),),
    popup=(
        PopupField("namn", "Hållplats", "Stop"),
        PopupField("avgangar_dag", "Avgångar per dag", "Departures per day"),
        PopupField("avgangar_dagtid", "Avgångar 06–20", "Departures 06–20"),
        PopupField("linjer", "Linjer", "Lines"),
        PopupField("klass_sv", "Klass", "Class"),
        PopupField("datum", "Trafikdag", "Service day"),
    ),
    how_to_add_sv="Lägg Värmlandstrafiks GTFS Regional (Trafiklab, API-nyckel) som "
    "transport_osm/gtfs/varm.zip i datakatalogen och bygg om.",
    how_to_add_en="Put Värmlandstrafik's GTFS Regional feed (Trafiklab, API key) at "
    "transport_osm/gtfs/varm.zip in the data directory and rebuild.",
)


def build(
    dag: avgangar.Trafikdag, *, kommuner: gpd.GeoDataFrame, settings: StomlinjeSettings
) -> gpd.GeoDataFrame:
    """Return the region's stations with departures on the service day (EPSG:3006).

    ``dag`` comes from :func:`layers.avgangar.analyse`; a station is kept when it lies
    within one of ``kommuner``. Output columns: :data:`COLUMNS` — ``id``
    (``<flode>:<station_id>``), ``namn``, ``kommunkod``, the counts of
    :func:`layers.avgangar.station_stats`, ``klass_sv``, ``datum`` (ISO), ``flode`` (source).
    """
    feed, flode = dag.feed, dag.flode
    stats = avgangar.station_stats(dag.deps, dag.routes, feed, settings)
    stations = feed.stops[["stop_id", "stop_name", "geometry"]].rename(
        columns={"stop_id": "station_id", "stop_name": "namn"})
    frame = stations.merge(stats, left_on="station_id", right_index=True)
    frame = gpd.sjoin(frame, kommuner[["kommunkod", "geometry"]], predicate="within",
                      how="inner").drop(columns="index_right")
    frame["id"] = flode + ":" + frame["station_id"]
    frame["klass_sv"] = frame["klass"].map(lambda c: avgangar.CLASS_LABELS[c][0])
    frame["datum"] = dag.day.isoformat()
    frame["flode"] = flode
    frame = frame.sort_values("avgangar_dag", ascending=False).reset_index(drop=True)
    return gpd.GeoDataFrame(frame[COLUMNS], geometry="geometry", crs=feed.stops.crs)
