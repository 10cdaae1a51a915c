"""The ``befolkning`` layer: SCB population squares, and their zonal sums per kommun.

Each square (given by its centre point) belongs to the kommun and, if any, the tätort polygon
that contains its centre; landsbygd is then measured directly (squares outside every tätort),
not as a difference of two tables of different years.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from layers.spec import LayerSpec, PopupField

SPEC = LayerSpec(
    id="befolkning",
    title_sv="Befolkning per ruta",
    title_en="Population per grid square",
    theme="Befolkning",
    geometry_type="Polygon",
    sources=tuple(f"befolkningsruta_{size}m_{fmt}" for size in (250, 1000)
                  for fmt in ("gpkg", "tif")),
    id_column="ruta",
    style={"color": "#6a51a3", "weight": 0, "fillColor": "#9e9ac8", "fillOpacity": 0.5},
    legend=(("#9e9ac8", "Ruta med befolkning (SCB)", "Populated grid square (SCB)"),),
    indicator_prefixes=("befolkning_ruta",),
    popup=(
        PopupField("befolkning", "Invånare", "Population"),
        PopupField("storlek_m", "Rutstorlek (m)", "Square size (m)"),
        PopupField("kommunkod", "Kommunkod", "Municipality code"),
        PopupField("i_tatort", "I tätort", "In urban area"),
    ),
    default_visible=False,
    how_to_add_sv="Lägg SCB:s befolkning per ruta (250 m eller 1 km, GeoPackage eller "
    "GeoTIFF) i datakatalogen under befolkning/ och bygg om.",
    how_to_add_en="Put SCB's population grid (250 m or 1 km, GeoPackage or GeoTIFF) in the "
    "data directory under befolkning/ and rebuild.",
)


def assign(
    cells: gpd.GeoDataFrame, kommuner: gpd.GeoDataFrame, tatorter: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the cells whose centre lies in one of ``kommuner``, with their zones.

    Output columns: ``ruta, befolkning, storlek_m, kommunkod, i_tatort (bool), geometry``
    (the centre point). Cells outside every kommun are left out; a centre on a shared border
    goes to the first polygon found.
    """
    located = gpd.sjoin(cells, kommuner[["kommunkod", "geometry"]], how="inner",
                        predicate="within")
    located = located[~located.index.duplicated(keep="first")].drop(columns="index_right")
    in_tatort = gpd.sjoin(located[["geometry"]], tatorter[["geometry"]], how="inner",
                          predicate="within").index.unique()
    located["i_tatort"] = located.index.isin(in_tatort)
    return located[["ruta", "befolkning", "storlek_m", "kommunkod", "i_tatort", "geometry"]]


def zonal_sums(assigned: gpd.GeoDataFrame, *, kommunkoder: list[str]) -> pd.DataFrame:
    """Return ``kommunkod, omrade, befolkning`` for tatort, landsbygd and hela_kommunen.

    ``assigned`` comes from :func:`assign`. Every kommun in ``kommunkoder`` gets three rows
    (0 where no populated square lies in it); tatort + landsbygd = hela_kommunen exactly.
    """
    frame = pd.DataFrame(assigned.drop(columns="geometry"))
    frame["omrade"] = frame["i_tatort"].map({True: "tatort", False: "landsbygd"})
    parts = frame.groupby(["kommunkod", "omrade"])["befolkning"].sum()
    rows = []
    for kommunkod in kommunkoder:
        tatort = int(parts.get((kommunkod, "tatort"), 0))
        landsbygd = int(parts.get((kommunkod, "landsbygd"), 0))
        rows += [(kommunkod, "tatort", tatort), (kommunkod, "landsbygd", landsbygd),
                 (kommunkod, "hela_kommunen", tatort + landsbygd)]
    return pd.DataFrame(rows, columns=["kommunkod", "omrade", "befolkning"])


def squares(assigned: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the assigned cells as square polygons (the map layer), same columns."""
    out = assigned.copy()
    half = out["storlek_m"].to_numpy() / 2
    x, y = out.geometry.x.to_numpy(), out.geometry.y.to_numpy()
    out.geometry = shapely.box(x - half, y - half, x + half, y + half)
    return out.reset_index(drop=True)
