"""The ``tillganglighet`` layer and its indicator rows: access to the nearest service.

Origins are where people live: the population grid's squares, each split into its tätort
part and its landsbygd part (:func:`layers.befolkningsruta.origins`); without a grid, SCB's
2020 tätort points as a labelled fallback (``omrade = "tatort"`` only, landsbygd missing).
Each origin gets, per service category, the distance
(and car time, along a road network) to the nearest service point — see
:mod:`layers.accessibility`. Straight-line results are labelled ``fågelvägen`` everywhere.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from affine import Affine

from layers import indikatorer, palette
from layers.accessibility import STRAIGHT
from layers.service import CATEGORIES
from layers.spec import LayerSpec, layer_texts, legend_rows, popups
from messages import both

ORIGIN_COLUMNS = ["id", "namn", "rutid_scb", "kommunkod", "omrade", "befolkning", "klass",
                  "geometry"]

SPEC = LayerSpec(
    id="tillganglighet",
    **layer_texts("tillganglighet"),
    theme="Service",
    geometry_type="Point",
    sources=("tatortspunkter", "pipos", "skolor", "osm_service", "osm_vagnat"),
    id_column="id",
    style={"radius": 6, "weight": 1, "color": palette.SYMBOL_STROKE, "fillOpacity": 0.85},
    legend=legend_rows("tillganglighet", *palette.ACCESS, palette.ACCESS_UNREACHABLE),
    symbol_notes=(both("legend.tillganglighet.symbol"),),
    indicator_prefixes=("service_",),
    popup=popups("tillganglighet", "namn", "befolkning", "kategori_sv", "km", "minuter", "metod"),
    # with the population grid there are thousands of origins: shown when asked for
    default_visible=False,
)


def origins_from_tatorter(
    points: gpd.GeoDataFrame, kommuner: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Tätort points of the region's kommuner as origins.

    ``points`` are SCB 2020 tätort points (``tatortskod, tatort, kommunkod, bef_2020``);
    ``kommuner`` is the kommuner layer (``kommunkod, klass``). Returns
    :data:`ORIGIN_COLUMNS` (``omrade = "tatort"``, ``klass`` = the kommun's class,
    ``rutid_scb`` empty).
    """
    region = points[points["kommunkod"].isin(kommuner["kommunkod"])]
    out = region.rename(columns={"tatortskod": "id", "tatort": "namn", "bef_2020": "befolkning"})
    out = out.merge(kommuner[["kommunkod", "klass"]], on="kommunkod", how="left")
    out["omrade"] = "tatort"
    out["rutid_scb"] = None
    return gpd.GeoDataFrame(out[ORIGIN_COLUMNS], geometry="geometry", crs=points.crs)


def origins_from_grid(origins: gpd.GeoDataFrame,
                      kommuner: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The grid squares' tätort and landsbygd parts as origins, with their kommun's class.

    ``origins`` come from :func:`layers.befolkningsruta.origins` (``id, rutid_scb,
    kommunkod, omrade, tatort, befolkning``, points); returns :data:`ORIGIN_COLUMNS`, ``namn``
    saying the part (``"Karlstad (ruta 4130006583000)"``, ``"landsbygd (ruta …)"``).
    """
    region = origins[origins["kommunkod"].isin(kommuner["kommunkod"])]
    place = region["tatort"].where(region["omrade"] == "tatort", "landsbygd")
    out = region.assign(namn=place + " (ruta " + region["rutid_scb"] + ")")
    out = out.merge(kommuner[["kommunkod", "klass"]], on="kommunkod", how="left")
    return gpd.GeoDataFrame(out[ORIGIN_COLUMNS], geometry="geometry", crs=origins.crs)


def covered_lan(services: gpd.GeoDataFrame, categories: list[str],
                region_lan: list[str]) -> dict[tuple[str, ...], list[str]]:
    """Group ``categories`` by the län of the region their service points lie in.

    A category is measured only from origins in the län where its sources have points: a
    regional source (Pipos' Värmland export) in a national build must not give Skåne's
    squares a distance to Värmland's pharmacies. Returns ``{län codes: categories}``; when
    every category covers the whole region the one key is ``region_lan``.
    """
    inside = services[services["i_regionen"] & services["kategori"].isin(categories)]
    lan_of = inside["kommunkod"].str[:2]
    groups: dict[tuple[str, ...], list[str]] = {}
    for kategori in categories:
        covered = tuple(sorted(set(lan_of[inside["kategori"] == kategori]) & set(region_lan)))
        groups.setdefault(covered or tuple(sorted(region_lan)), []).append(kategori)
    return groups


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
    """Raster of ``column`` (``km`` or ``minuter``) over the grid squares, for one category.

    ``access`` is the layer frame of grid origins (``rutid_scb``: the square, SW corner in
    EPSG:3006, of side ``size_m``). A square's cell holds the population-weighted mean over
    its parts (tätort and landsbygd). Returns a float32 array (NaN where no populated
    square, ``inf`` where unreachable) and its affine transform (north-up, EPSG:3006).
    """
    rows = access[(access["kategori"] == kategori) & access["rutid_scb"].notna()]
    if rows.empty:
        msg = f"no grid origins for category {kategori!r}"
        raise ValueError(msg)
    pop = rows["befolkning"].to_numpy(dtype="float64")
    weighted = pd.DataFrame({"rutid": rows["rutid_scb"].to_numpy(), "pop": pop,
                             "sum": pop * rows[column].to_numpy(dtype="float64")})
    squares = weighted.groupby("rutid")[["pop", "sum"]].sum()
    x = squares.index.str.slice(0, 6).astype(int).to_numpy()
    y = squares.index.str.slice(6).astype(int).to_numpy()
    west, north = x.min(), y.max() + size_m
    col = np.rint((x - west) / size_m).astype(int)
    row = np.rint((north - size_m - y) / size_m).astype(int)
    grid = np.full((row.max() + 1, col.max() + 1), np.nan, dtype="float32")
    grid[row, col] = (squares["sum"] / squares["pop"]).to_numpy(dtype="float32")
    return grid, Affine(size_m, 0.0, float(west), 0.0, -size_m, float(north))


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
