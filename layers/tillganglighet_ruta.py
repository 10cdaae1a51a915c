"""One map layer per service category: grid squares shaded by the distance to the nearest point.

Layer ``tillganglighet_<kategori>`` (e.g. ``tillganglighet_apotek``) has one polygon per
populated SCB grid square: the population-weighted mean over the square's tätort and
landsbygd parts (from the ``tillganglighet`` layer) of the distance (km) and car time
(minutes) to the nearest point of the category, and its class — by car time along a road
network, by km when the distances are straight-line (``fågelvägen``, labelled). The class
breaks are the ``tillganglighet`` legend's (5, 10, 20, 30); unreachable squares (some part
cannot reach any point) are ``ej_nabar``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers import palette
from layers.accessibility import STRAIGHT
from layers.service import CATEGORIES
from layers.spec import Categorized, LayerSpec, PopupField
from messages import both, text

BREAKS = (5.0, 10.0, 20.0, 30.0)
# the access scale of the ``tillganglighet`` layer: the same measure, the same colours
CLASS_COLOURS = (*palette.ACCESS, palette.ACCESS_UNREACHABLE)
CLASSES = ("0_5", "5_10", "10_20", "20_30", "over_30", "ej_nabar")
COLUMNS = ["rutid_scb", "kommunkod", "kategori", "befolkning", "km", "minuter", "metod",
           "klass", "geometry"]
POPUP_COLUMNS = ("rutid_scb", "befolkning", "km", "minuter", "metod")


def layer_id(kategori: str) -> str:
    """The layer id of a category's squares."""
    return f"tillganglighet_{kategori}"


def _spec(kategori: str) -> LayerSpec:
    """The spec of one category's layer (titles from the catalogue, the category named)."""
    sv, en, _ = CATEGORIES[kategori]
    classes = {value: (*both(f"legend.tillganglighet.{n}"), colour)
               for n, (value, colour) in enumerate(zip(CLASSES, CLASS_COLOURS, strict=True), 1)}
    return LayerSpec(
        id=layer_id(kategori),
        title_sv=text("layer.tillganglighet_ruta.title", "sv", kategori=sv.lower()),
        title_en=text("layer.tillganglighet_ruta.title", "en", kategori=en.lower()),
        how_to_add_sv=text("layer.tillganglighet_ruta.how_to_add", "sv"),
        how_to_add_en=text("layer.tillganglighet_ruta.how_to_add", "en"),
        theme="Service",
        geometry_type="Polygon",
        sources=("befolkningsruta", "pipos", "skolor", "paketombud", "osm_service",
                 "osm_vagnat"),
        id_column="rutid_scb",
        style={"color": "#555555", "weight": 0, "fillOpacity": 0.7},
        categories=Categorized.of("klass", classes),
        popup=tuple(PopupField(c, *both(f"popup.tillganglighet_ruta.{c}"))
                    for c in POPUP_COLUMNS),
        default_visible=False,
    )


SPECS: tuple[LayerSpec, ...] = tuple(_spec(kategori) for kategori in CATEGORIES)


def classify(value: np.ndarray, reachable: np.ndarray) -> np.ndarray:
    """The class of each value (km or minutes) by :data:`BREAKS`; ``ej_nabar`` if unreachable."""
    classes = np.asarray(CLASSES[:-1])[np.digitize(value, BREAKS)]
    return np.where(reachable, classes, CLASSES[-1])


def build(access: pd.DataFrame, *, kategori: str, size_m: float) -> gpd.GeoDataFrame:
    """The squares of one category from the ``tillganglighet`` layer's grid origins.

    ``access`` rows with ``rutid_scb`` (the square's SW corner in EPSG:3006, side ``size_m``).
    A square's ``km``/``minuter`` are its parts' population-weighted means (a square whose
    parts all have no population gets the plain mean); it is unreachable when any part is.
    Returns :data:`COLUMNS` (EPSG:3006), one row per square.
    """
    rows = access[(access["kategori"] == kategori) & access["rutid_scb"].notna()]
    frame = pd.DataFrame({
        "rutid_scb": rows["rutid_scb"].to_numpy(), "kommunkod": rows["kommunkod"].to_numpy(),
        "befolkning": rows["befolkning"].to_numpy(dtype=float),
        "nabar": rows["nabar"].to_numpy(dtype=bool), "metod": rows["metod"].to_numpy()})
    weight = np.maximum(frame["befolkning"].to_numpy(), 1e-9)
    for column in ("km", "minuter"):
        # an unreachable part's inf makes its square's sum inf; the square is shown unreachable
        frame[f"w_{column}"] = rows[column].to_numpy(dtype=float) * weight
    frame["w"] = weight
    squares = frame.groupby("rutid_scb", sort=True).agg(
        kommunkod=("kommunkod", "first"), befolkning=("befolkning", "sum"),
        nabar=("nabar", "all"), metod=("metod", "first"), w=("w", "sum"),
        w_km=("w_km", "sum"), w_minuter=("w_minuter", "sum"))
    reach = squares["nabar"].to_numpy()
    # rounded as shown, and classed as shown
    km = np.round(np.where(reach, squares["w_km"] / squares["w"], np.inf), 2)
    minutes = np.round(np.where(reach, squares["w_minuter"] / squares["w"], np.inf), 1)
    straight = (squares["metod"] == STRAIGHT).to_numpy()
    if straight.all():
        minutes = np.full(len(squares), np.nan)
    x = squares.index.str.slice(0, 6).astype(float).to_numpy()
    y = squares.index.str.slice(6).astype(float).to_numpy()
    out = gpd.GeoDataFrame({
        "rutid_scb": squares.index.to_numpy(), "kommunkod": squares["kommunkod"].to_numpy(),
        "kategori": kategori, "befolkning": squares["befolkning"].round().astype(int).to_numpy(),
        "km": km, "minuter": minutes,
        "metod": squares["metod"].to_numpy(),
        "klass": classify(np.where(straight, km, minutes), reach),
    }, geometry=shapely.box(x, y, x + size_m, y + size_m), crs="EPSG:3006")
    return out[COLUMNS]
