"""The ``stomlinjer`` layer: the line network between consecutive stations, by frequency and class.

One row per pair of consecutive stations served on the service day (both directions
together), with the trips per day over that stretch, the lines using it and the best class
among them. The geometry follows ``shapes.txt`` when the trip has a shape; otherwise it is a
straight segment between the stops, flagged ``schematisk``.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import LineString
from shapely.ops import substring

from data_sources.gtfs import Feed
from layers import avgangar
from layers.spec import Categorized, LayerSpec, PopupField

COLUMNS = ["id", "fran", "till", "fran_namn", "till_namn", "trafikslag", "turer_dag", "linjer",
           "klass", "klass_sv", "schematisk", "datum", "flode", "geometry"]
MIN_SEGMENT_M = 1.0

SPEC = LayerSpec(
    id="stomlinjer",
    title_sv="Stomlinjenät",
    title_en="Trunk line network",
    theme="Resor",
    geometry_type="LineString",
    sources=("gtfs_rail", "gtfs_varmlandstrafik"),
    id_column="id",
    style={"weight": 3, "opacity": 0.9},
    categories=Categorized.of("klass", avgangar.CLASS_LABELS),
    legend=(("#555555", "Bredare linje = fler turer per dag; streckad = schematisk (rak linje)",
             "Wider line = more trips per day; dashed = schematic (straight line)"),),
    popup=(
        PopupField("fran_namn", "Från", "From"),
        PopupField("till_namn", "Till", "To"),
        PopupField("turer_dag", "Turer per dag", "Trips per day"),
        PopupField("linjer", "Linjer / tågnummer", "Lines / train numbers"),
        PopupField("klass_sv", "Klass", "Class"),
        PopupField("datum", "Trafikdag", "Service day"),
    ),
    how_to_add_sv="Busslinjer saknas: lägg Värmlandstrafiks GTFS Regional (Trafiklab, "
    "API-nyckel) som transport_osm/gtfs/varm.zip i datakatalogen och bygg om.",
    how_to_add_en="Bus lines are missing: put Värmlandstrafik's GTFS Regional feed (Trafiklab, "
    "API key) at transport_osm/gtfs/varm.zip in the data directory and rebuild.",
)


def _hops(deps: pd.DataFrame) -> pd.DataFrame:
    """Consecutive calls of each trip as hops ``station_id → next station`` (stop ids kept)."""
    nxt = deps.groupby("trip_key", sort=False)[["station_id", "stop_id"]].shift(-1)
    hops = deps.assign(till=nxt["station_id"], till_stop=nxt["stop_id"]).dropna(subset=["till"])
    hops = hops[hops["station_id"] != hops["till"]]
    swap = hops["station_id"] > hops["till"]
    hops = hops.assign(a=hops["station_id"].where(~swap, hops["till"]),
                       b=hops["till"].where(~swap, hops["station_id"]))
    return hops


def _shape_lines(feed: Feed) -> dict[str, LineString]:
    """One LineString (EPSG:3006) per shape with at least two points."""
    if feed.shapes is None:
        return {}
    lines = {}
    for shape_id, pts in feed.shapes.groupby("shape_id", sort=False):
        if len(pts) >= 2:
            lines[shape_id] = LineString(pts[["x", "y"]].to_numpy())
    return lines


def _segment_geometry(start, end, line: LineString | None) -> tuple[LineString, bool]:
    """Cut the shape between two stop points, or draw a straight segment (``True`` = schematic).

    A cut with no shape point between the two stops is itself a straight line (the SJ feed's
    shapes only join consecutive stops), so it is flagged schematic too.
    """
    if line is not None:
        d0, d1 = line.project(start), line.project(end)
        if d1 - d0 > MIN_SEGMENT_M:
            cut = substring(line, d0, d1)
            return cut, len(cut.coords) <= 2
    return LineString([start, end]), True


def build(dag: avgangar.Trafikdag, *, region_stations: pd.Index) -> gpd.GeoDataFrame:
    """Return the segments between consecutive stations touching the region (EPSG:3006).

    ``dag`` comes from :func:`layers.avgangar.analyse`; ``region_stations`` are the
    station ids inside the region (a segment is kept when either end is one). Output
    columns: :data:`COLUMNS` — ``fran``/``till`` station ids (sorted pair), their names,
    ``trafikslag``, ``turer_dag`` (trips over the segment, both directions), ``linjer``,
    ``klass`` (best class of the route-directions using it), ``schematisk`` (bool).
    """
    feed, flode, routes = dag.feed, dag.flode, dag.routes
    hops = _hops(dag.deps)
    hops = hops[hops["a"].isin(region_stations) | hops["b"].isin(region_stations)]
    hops = hops.assign(direction_id=hops["direction_id"].astype("Int64").fillna(-1)).merge(
        routes[["route_id", "direction_id", "klass"]], on=["route_id", "direction_id"])
    names = feed.routes.set_index("route_id")["route_short_name"]
    hops["linje"] = hops["route_id"].map(names).fillna(hops["route_id"])
    segments = hops.groupby(["a", "b"]).agg(
        turer_dag=("trip_key", "nunique"),
        linjer=("linje", lambda s: ", ".join(sorted(set(s), key=lambda v: (len(v), v)))),
        klass=("klass", avgangar.best_class),
        trafikslag=("trafikslag", lambda s: "tag" if (s == "tag").any() else s.mode().iloc[0]),
    ).reset_index()
    shapes = _shape_lines(feed)
    stop_points = feed.stops.set_index("stop_id").geometry
    reps = hops.sort_values("shape_id", na_position="last").drop_duplicates(["a", "b"])
    reps = reps.set_index(["a", "b"]).loc[list(zip(segments["a"], segments["b"], strict=True))]
    geoms = [_segment_geometry(stop_points[r.stop_id], stop_points[r.till_stop],
                               shapes.get(r.shape_id) if pd.notna(r.shape_id) else None)
             for r in reps.itertuples()]
    station_names = feed.stops.set_index("stop_id")["stop_name"]
    out = segments.rename(columns={"a": "fran", "b": "till"})
    out["fran_namn"] = out["fran"].map(station_names)
    out["till_namn"] = out["till"].map(station_names)
    out["id"] = flode + ":" + out["fran"] + "-" + out["till"]
    out["klass_sv"] = out["klass"].map(lambda c: avgangar.CLASS_LABELS[c][0])
    out["schematisk"] = [schematic for _, schematic in geoms]
    out["datum"] = dag.day.isoformat()
    out["flode"] = flode
    geometry = shapely.force_2d(gpd.GeoSeries([g for g, _ in geoms], crs=feed.stops.crs).values)
    frame = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, crs=feed.stops.crs))
    return frame.sort_values("turer_dag", ascending=False).reset_index(drop=True)[COLUMNS]
