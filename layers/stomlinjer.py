"""The ``stomlinjer`` layer: the network's segments between consecutive stations, by class.

One row per network segment (:mod:`layers.korridorer`) touching the region, with the trips
per day over it (all lines and operators, both directions), per peak, the lines using it,
and its class by the stomlinje rule on the trips per hour of the whole corridor. Rail is
drawn along the RINF network (``geometri = bannat``); buses along ``shapes.txt`` where the
feed has real shapes (``shapes``); what has neither is a straight line (``rak``, flagged
``schematisk``).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import avgangar
from layers.korridorer import Korridorer, segment_table
from layers.settings import StomlinjeSettings
from layers.spec import Categorized, LayerSpec, layer_texts, popups
from layers.tackning import Tackning
from layers.tidtabeller import Natdag
from messages import both

COLUMNS = ["id", "fran", "till", "fran_namn", "till_namn", "trafikslag", "turer_dag",
           "turer_dagtid", "turer_topp_fm", "turer_topp_em", "linjer", "operatorer", "klass",
           "klass_sv", "geometri", "geometri_sv", "schematisk", "datum", "floden", "geometry"]
GEOMETRI_LABELS = {"bannat": ("längs järnvägsnätet (RINF)", "along the rail network (RINF)"),
                   "shapes": ("längs linjens sträckning (shapes.txt)",
                              "along the line's course (shapes.txt)"),
                   "rak": ("rak linje (schematisk)", "straight line (schematic)")}

SPEC = LayerSpec(
    id="stomlinjer",
    **layer_texts("stomlinjer"),
    theme="Resor",
    geometry_type="LineString",
    sources=("gtfs_rail", "gtfs_varmlandstrafik", "gtfs_rail_2025", "stationer", "rinf"),
    id_column="id",
    style={"weight": 3, "opacity": 0.9},
    categories=Categorized.of("klass", avgangar.CLASS_LABELS),
    symbol_notes=(both("legend.stomlinjer.1"),),
    popup=popups("stomlinjer", "fran_namn", "till_namn", "turer_dag", "turer_topp_fm",
                 "turer_topp_em", "linjer", "operatorer", "klass_sv", "geometri_sv", "datum"),
)


def build(k: Korridorer, natdag: Natdag, coverage: Tackning, *, region_stations: pd.Index,
          settings: StomlinjeSettings) -> gpd.GeoDataFrame:
    """Return the segments with an end among ``region_stations`` (station keys), EPSG:3006.

    Station names come from the timetables, else from ``coverage`` (an expected station the
    trains pass without a timetable here, named as in Trafikverket's register).

    Output columns: :data:`COLUMNS` — ``fran``/``till`` station keys (sorted pair), their
    names, ``trafikslag``, ``turer_*`` (trips over the segment, both directions: per day,
    within ``day_hours``, per peak; means when several days are analysed), ``linjer``,
    ``operatorer``, ``klass`` (the rule on the corridor's trips per hour), ``geometri``,
    ``schematisk`` (straight line), ``datum`` (the analysed day or period), ``floden``.
    """
    table = segment_table(k, settings)
    table = table[table["fran"].isin(region_stations) | table["till"].isin(region_stations)]
    frame = table.merge(k.geometry, on=["fran", "till"], how="left")
    names = natdag.stations["namn"].combine_first(coverage.stations["namn"])
    frame["fran_namn"] = frame["fran"].map(names)
    frame["till_namn"] = frame["till"].map(names)
    frame["id"] = frame["fran"] + "-" + frame["till"]
    frame["klass_sv"] = frame["klass"].map(lambda c: avgangar.CLASS_LABELS[c][0])
    frame["geometri_sv"] = frame["geometri"].map(lambda g: GEOMETRI_LABELS[g][0])
    frame["schematisk"] = frame["geometri"] == "rak"
    frame["datum"] = natdag.dag.label_sv
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=k.geometry.crs)
    return out.sort_values("turer_dag", ascending=False).reset_index(drop=True)[COLUMNS]
