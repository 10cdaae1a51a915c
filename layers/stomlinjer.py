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

from layers import avgangar, palette
from layers.korridorer import Korridorer, segment_table
from layers.settings import StomlinjeSettings
from layers.spec import Categorized, LayerSpec, PopupField
from layers.tackning import Tackning
from layers.tidtabeller import Natdag

COLUMNS = ["id", "fran", "till", "fran_namn", "till_namn", "trafikslag", "turer_dag",
           "turer_dagtid", "turer_topp_fm", "turer_topp_em", "linjer", "operatorer", "klass",
           "klass_sv", "geometri", "geometri_sv", "schematisk", "datum", "floden", "geometry"]
GEOMETRI_LABELS = {"bannat": ("längs järnvägsnätet (RINF)", "along the rail network (RINF)"),
                   "shapes": ("längs linjens sträckning (shapes.txt)",
                              "along the line's course (shapes.txt)"),
                   "rak": ("rak linje (schematisk)", "straight line (schematic)")}

SPEC = LayerSpec(
    id="stomlinjer",
    title_sv="Stomlinjenät",
    title_en="Trunk line network",
    theme="Resor",
    geometry_type="LineString",
    sources=("gtfs_rail", "gtfs_varmlandstrafik", "gtfs_rail_2025", "stationer", "rinf"),
    id_column="id",
    style={"weight": 3, "opacity": 0.9},
    categories=Categorized.of("klass", avgangar.class_table(palette.LINE_CLASSES)),
    symbol_notes=(("Bredare linje = fler turer per dag; streckad = schematisk (rak linje)",
                   "Wider line = more trips per day; dashed = schematic (straight line)"),),
    popup=(
        PopupField("fran_namn", "Från", "From"),
        PopupField("till_namn", "Till", "To"),
        PopupField("turer_dag", "Turer per dag (båda riktningarna)",
                   "Trips per day (both directions)"),
        PopupField("turer_topp_fm", "Turer 06–09", "Trips 06–09"),
        PopupField("turer_topp_em", "Turer 15–18", "Trips 15–18"),
        PopupField("linjer", "Linjer / tågnummer", "Lines / train numbers"),
        PopupField("operatorer", "Operatörer", "Operators"),
        PopupField("klass_sv", "Klass", "Class"),
        PopupField("geometri_sv", "Ritad", "Drawn"),
        PopupField("datum", "Trafikdag", "Service day"),
    ),
    how_to_add_sv="Busslinjer saknas: lägg Värmlandstrafiks GTFS Regional (Trafiklab, "
    "API-nyckel) som transport_osm/gtfs/varm.zip i datakatalogen och bygg om.",
    how_to_add_en="Bus lines are missing: put Värmlandstrafik's GTFS Regional feed (Trafiklab, "
    "API key) at transport_osm/gtfs/varm.zip in the data directory and rebuild.",
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
