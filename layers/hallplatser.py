"""The ``hallplatser`` layer: the region's stations and stops, with departures and class.

One row per station of the region (a stop with a parent station is counted at it; the same
station in several timetables is one row, :mod:`layers.stationsnyckel`): those of the
timetables, and those expected to have passenger service (:mod:`layers.forvantad_trafik`).
Each carries its status (:data:`layers.tackning.STATUS`): a station that is not served on
the analysed day(s) has empty counts and says why — it never shows 0 departures for a
timetable that is missing.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import avgangar, palette
from layers.korridorer import Korridorer, station_classes
from layers.settings import StomlinjeSettings
from layers.spec import Categorized, LayerSpec, layer_texts, legend_rows, popups
from layers.tackning import STATUS, Tackning
from layers.tidtabeller import Natdag
from messages import both, labelled

COLUMNS = ["id", "station_id", "namn", "kommunkod", "trafikslag", "avgangar_dag",
           "avgangar_dagtid", "avgangar_topp_fm", "avgangar_topp_em", "profil", "linjer",
           "operatorer", "klass", "klass_sv", "status", "status_sv", "datum", "floden",
           "geometry"]
NO_TIMETABLE_COLOUR = palette.STATION_NO_TIMETABLE

SPEC = LayerSpec(
    id="hallplatser",
    **layer_texts("hallplatser"),
    theme="Resor",
    geometry_type="Point",
    sources=("gtfs_rail", "gtfs_varmlandstrafik", "gtfs_rail_2025", "stationer", "rinf"),
    id_column="id",
    style={"radius": 5, "weight": 1, "color": palette.SYMBOL_STROKE, "fillOpacity": 0.9},
    categories=Categorized.of("klass", labelled("category.klass", palette.STATION_CLASSES)),
    legend=legend_rows("hallplatser", NO_TIMETABLE_COLOUR),
    symbol_notes=(both("legend.hallplatser.2"),),
    popup=popups("hallplatser", "namn", "avgangar_dag", "avgangar_dagtid", "linjer", "operatorer",
                 "klass_sv", "status_sv", "datum"),
)


def station_stats(natdag: Natdag, settings: StomlinjeSettings) -> pd.DataFrame:
    """Departures per station key (means over the analysed days).

    Output (index: station key): the :func:`layers.avgangar.window_counts`, ``profil`` (24
    hourly counts, text), ``linjer``, ``operatorer``, ``trafikslag``.
    """
    dep = natdag.deps[natdag.deps["avgang"].astype(bool)]
    hours = max(avgangar.HOURS_PER_DAY, int(dep["timme"].max()) + 1) if len(dep) else 24
    hourly = (dep.groupby(["nyckel", "timme"]).size().unstack(fill_value=0)
              .reindex(columns=range(hours), fill_value=0) / len(natdag.dag.days))
    out = avgangar.window_counts(hourly, settings)
    out["profil"] = [avgangar.profile_text(row) for row in hourly.to_numpy()]
    groups = dep.groupby("nyckel")
    out["linjer"] = groups["linje"].agg(avgangar.joined_names)
    out["operatorer"] = groups["operator"].agg(lambda s: ", ".join(sorted(set(s))))
    out["trafikslag"] = groups["trafikslag"].agg(avgangar.main_mode)
    return out


def build(natdag: Natdag, k: Korridorer, coverage: Tackning, *,
          settings: StomlinjeSettings) -> gpd.GeoDataFrame:
    """Return the region's stations (EPSG:3006) with departures, class and status.

    Output columns: :data:`COLUMNS` — ``id`` and ``station_id`` (the station key),
    ``namn``, ``kommunkod``, the counts of :func:`station_stats` (empty unless served),
    ``klass`` (:func:`layers.korridorer.station_classes`; empty unless served),
    ``klass_sv``, ``status``, ``status_sv``, ``datum`` (day or period), ``floden``.
    """
    frame = coverage.stations.copy()
    frame = frame.join(station_stats(natdag, settings))
    served = frame["status"] == "trafikeras"
    frame["klass"] = station_classes(k, settings).reindex(frame.index).where(served)
    frame["trafikslag"] = frame["trafikslag"].fillna("tag")  # expected stations: rail
    frame["klass_sv"] = frame["klass"].map(
        lambda c: avgangar.CLASS_LABELS[c][0] if isinstance(c, str) else None)
    frame["status_sv"] = frame["status"].map(lambda s: STATUS[s][0])
    frame["floden"] = natdag.stations["floden"].reindex(frame.index).fillna("")
    frame["datum"] = natdag.dag.label_sv
    frame["id"] = frame.index
    frame["station_id"] = frame.index
    frame = frame.sort_values(["avgangar_dag", "namn"], ascending=[False, True],
                              na_position="last").reset_index(drop=True)
    frame[["avgangar_dag", "avgangar_dagtid", "avgangar_topp_fm", "avgangar_topp_em"]] = (
        frame[["avgangar_dag", "avgangar_dagtid", "avgangar_topp_fm", "avgangar_topp_em"]]
        .astype("float64").round(2))
    return gpd.GeoDataFrame(frame[COLUMNS], geometry="geometry", crs=coverage.stations.crs)
