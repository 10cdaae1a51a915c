"""The ``tillganglighet`` layer and its indicator rows: access to the nearest service.

Origins are where people live: SCB's tätort points today (``omrade = "tatort"``), population
grid cells when a grid is supplied. Each origin gets, per service category, the distance
(and car time, along a road network) to the nearest service point — see
:mod:`layers.accessibility`. Straight-line results are labelled ``fågelvägen`` everywhere.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine

from layers import indikatorer
from layers.accessibility import STRAIGHT
from layers.service import CATEGORIES
from layers.spec import LayerSpec, PopupField

ORIGIN_COLUMNS = ["id", "namn", "kommunkod", "omrade", "befolkning", "klass", "geometry"]

SPEC = LayerSpec(
    id="tillganglighet",
    title_sv="Tillgång till service",
    title_en="Access to services",
    theme="Service",
    geometry_type="Point",
    sources=("tatortspunkter", "pipos", "skolor", "osm_service", "osm_vagnat"),
    id_column="id",
    style={"radius": 6, "weight": 1, "color": "#333333", "fillOpacity": 0.85},
    legend=(
        ("#1a9850", "under 5 km / 5 min", "under 5 km / 5 min"),
        ("#91cf60", "5–10 km / 5–10 min", "5–10 km / 5–10 min"),
        ("#fee08b", "10–20 km / 10–20 min", "10–20 km / 10–20 min"),
        ("#fc8d59", "20–30 km / 20–30 min", "20–30 km / 20–30 min"),
        ("#d73027", "över 30 km / 30 min", "over 30 km / 30 min"),
        ("#7f7f7f", "ej nåbar", "unreachable"),
    ),
    indicator_prefixes=("service_",),
    popup=(
        PopupField("namn", "Ort", "Place"),
        PopupField("befolkning", "Befolkning", "Population"),
        PopupField("kategori_sv", "Service", "Service"),
        # two searches: the nearest point by distance and the quickest by car may differ
        PopupField("km", "Avstånd till närmaste (km)", "Distance to the nearest (km)"),
        PopupField("minuter", "Restid bil till snabbast nådda (min)",
                   "Car time to the quickest reached (min)"),
        PopupField("metod", "Mätt", "Measured"),
    ),
    how_to_add_sv="Lägg ett OSM-utdrag för regionen i osm/region.osm.pbf för avstånd längs "
    "vägnätet; utan det visas avstånd fågelvägen.",
    how_to_add_en="Put an OSM extract of the region at osm/region.osm.pbf for distances along "
    "the road network; without it straight-line distances are shown.",
)


def origins_from_tatorter(
    points: gpd.GeoDataFrame, kommuner: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Tätort points of the region's kommuner as origins.

    ``points`` are SCB 2020 tätort points (``tatortskod, tatort, kommunkod, bef_2020``);
    ``kommuner`` is the kommuner layer (``kommunkod, klass``). Returns
    :data:`ORIGIN_COLUMNS` (``omrade = "tatort"``, ``klass`` = the kommun's class).
    """
    region = points[points["kommunkod"].isin(kommuner["kommunkod"])]
    out = region.rename(columns={"tatortskod": "id", "tatort": "namn", "bef_2020": "befolkning"})
    out = out.merge(kommuner[["kommunkod", "klass"]], on="kommunkod", how="left")
    out["omrade"] = "tatort"
    return gpd.GeoDataFrame(out[ORIGIN_COLUMNS], geometry="geometry", crs=points.crs)


def origins_from_grid(grid: gpd.GeoDataFrame, kommuner: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Populated grid squares as origins (their centre points).

    ``grid`` is the ``befolkning`` layer (``ruta, befolkning, kommunkod, i_tatort``, squares);
    returns :data:`ORIGIN_COLUMNS` with ``omrade`` tatort/landsbygd from ``i_tatort``.
    """
    populated = grid[(grid["befolkning"] > 0) & grid["kommunkod"].isin(kommuner["kommunkod"])]
    out = pd.DataFrame({
        "id": populated["ruta"].astype(str).to_numpy(),
        "namn": ("ruta " + populated["ruta"].astype(str)).to_numpy(),
        "kommunkod": populated["kommunkod"].to_numpy(),
        "omrade": np.where(populated["i_tatort"].to_numpy(dtype=bool), "tatort", "landsbygd"),
        "befolkning": populated["befolkning"].to_numpy(),
    })
    out = out.merge(kommuner[["kommunkod", "klass"]], on="kommunkod", how="left")
    return gpd.GeoDataFrame(out, geometry=populated.geometry.centroid.to_numpy(),
                            crs=grid.crs)[ORIGIN_COLUMNS]


def origins_of(layer_frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The origins of a built ``tillganglighet`` layer (:data:`ORIGIN_COLUMNS`, one per id)."""
    return layer_frame.drop_duplicates("id")[ORIGIN_COLUMNS].reset_index(drop=True)


def build(access: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The layer frame: the long accessibility table with category labels.

    Returns the columns of :func:`layers.accessibility.accessibility` plus ``kategori_sv``.
    """
    out = access.copy()
    out["kategori_sv"] = out["kategori"].map(lambda c: CATEGORIES[c][0])
    return out


def surface(
    access: pd.DataFrame, *, kategori: str, column: str, size_m: float
) -> tuple[np.ndarray, Affine]:
    """Raster of ``column`` (``km`` or ``minuter``) over grid-square origins of one category.

    ``access`` is the layer frame with square centres (EPSG:3006) of side ``size_m``.
    Returns a float32 array (NaN where no populated square, ``inf`` where unreachable) and
    its affine transform (north-up, EPSG:3006).
    """
    rows = access[access["kategori"] == kategori]
    if rows.empty:
        msg = f"no origins for category {kategori!r}"
        raise ValueError(msg)
    x, y = rows.geometry.x.to_numpy(), rows.geometry.y.to_numpy()
    west, north = x.min() - size_m / 2, y.max() + size_m / 2
    col = np.rint((x - west - size_m / 2) / size_m).astype(int)
    row = np.rint((north - y - size_m / 2) / size_m).astype(int)
    grid = np.full((row.max() + 1, col.max() + 1), np.nan, dtype="float32")
    grid[row, col] = rows[column].to_numpy(dtype="float32")
    return grid, Affine(size_m, 0.0, west, 0.0, -size_m, north)


def _label(value: float) -> str:
    """Threshold as text for an indicator id (``5.0`` → ``"5"``)."""
    return f"{value:g}".replace(".", "_")


def _ratio(name: str, teljare: float, namnare: float, enhet: str, scale: float) -> tuple:
    """One indicator row body ``(indikator, varde, enhet, teljare, namnare)``."""
    varde = teljare / namnare * scale if namnare > 0 else np.nan
    return (name, varde, enhet, teljare, namnare)


def _group_rows(group: pd.DataFrame, kategori: str, thresholds_km, thresholds_min) -> list[tuple]:
    """Indicator rows ``(indikator, varde, enhet, teljare, namnare)`` for one group."""
    pop = group["befolkning"].to_numpy(dtype=float)
    reach = group["nabar"].to_numpy(dtype=bool)
    km = group["km"].to_numpy(dtype=float)
    minutes = group["minuter"].to_numpy(dtype=float)
    straight = bool((group["metod"] == STRAIGHT).all())
    measure = "fågelvägen" if straight else "vägnät"
    reached, total = float(pop[reach].sum()), float(pop.sum())
    prefix = f"service_{kategori}"
    rows = []
    if reached > 0:
        rows.append(_ratio(f"{prefix}_medelavstand", float((pop * km)[reach].sum()), reached,
                           f"km ({measure})", 1.0))
        if not straight:
            rows.append(_ratio(f"{prefix}_medeltid", float((pop * minutes)[reach].sum()),
                               reached, "minuter (bil)", 1.0))
    for limit in thresholds_km:
        beyond = float(pop[~reach | (km > limit)].sum())
        rows.append(_ratio(f"{prefix}_andel_over_{_label(limit)}km", beyond, total,
                           f"procent ({measure})", 100.0))
    if not straight:
        for limit in thresholds_min:
            beyond = float(pop[~reach | (minutes > limit)].sum())
            rows.append(_ratio(f"{prefix}_andel_over_{_label(limit)}min", beyond, total,
                               "procent (bil)", 100.0))
        unreached = total - reached
        rows.append((f"{prefix}_ej_nabar_bef", unreached, "invånare", unreached, np.nan))
    return rows


def indicators(
    access: pd.DataFrame,
    *,
    thresholds_km: tuple[float, ...],
    thresholds_min: tuple[float, ...],
    year: str,
    sources: dict[str, str],
) -> pd.DataFrame:
    """Population-weighted service access per kommun, area type and category.

    Rows (long format, :data:`layers.indikatorer.COLUMNS`): ``service_<kat>_medelavstand``
    (km, ``teljare`` = Σ population × km over reachable origins, ``namnare`` = their
    population), ``service_<kat>_medeltid`` (network only), ``service_<kat>_andel_over_<X>km``
    and ``…_andel_over_<Y>min`` (percent of population beyond the threshold, unreachable
    counted as beyond), ``service_<kat>_ej_nabar_bef`` (network only). ``hela_kommunen`` is
    given only when the origins cover both tätort and landsbygd; an area type without
    origins gets no row (missing, never zero). ``sources`` gives ``kalla`` per category.
    """
    groups = [access]
    if {"tatort", "landsbygd"} <= set(access["omrade"]):
        groups.append(access.assign(omrade="hela_kommunen"))
    rows = []
    for (kommunkod, omrade, kategori), group in (
        pd.concat(groups).groupby(["kommunkod", "omrade", "kategori"], sort=True)
    ):
        for name, varde, enhet, teljare, namnare in _group_rows(group, kategori, thresholds_km,
                                                                thresholds_min):
            rows.append((kommunkod, omrade, name, varde, enhet, teljare, namnare, year,
                         sources[kategori]))
    frame = pd.DataFrame(rows, columns=indikatorer.COLUMNS)
    return indikatorer.check(frame, "tillganglighet")
