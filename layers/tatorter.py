"""The ``tatorter`` layer: tätort polygons linked to SCB's 2020 tätort points and population.

The 2018 polygons carry SCB's tätort number; the 2020 points carry the current code and
population. They are linked spatially: a point inside a polygon belongs to it (the most
populous one when several fall in); a point in no polygon is linked to the nearest polygon
within ``max_link_m``. Points that stay unlinked are reported, not dropped silently.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import palette
from layers.spec import LayerSpec, layer_texts, legend_rows, popups

SPEC = LayerSpec(
    id="tatorter",
    **layer_texts("tatorter"),
    theme="Struktur",
    geometry_type="MultiPolygon",
    sources=("tatorter", "tatortspunkter"),
    id_column="tatortsnr",
    style={"color": palette.TATORT_STROKE, "weight": 1, "fillColor": palette.TATORT_FILL,
           "fillOpacity": 0.5},
    legend=legend_rows("tatorter", palette.TATORT_FILL),
    display_tolerance_m=40.0,
    popup=popups("tatorter", "tatort", "kommunkod", "bef_2020", "tatortskod_2020"),
)


def link_points(
    polygons: gpd.GeoDataFrame, points: gpd.GeoDataFrame, *, max_link_m: float
) -> pd.DataFrame:
    """Link each point to a polygon; return ``tatortskod, tatortsnr, link_m`` (NaN if unlinked).

    ``link_m`` is 0 for points inside a polygon and the distance to the nearest polygon
    otherwise.
    """
    joined = gpd.sjoin_nearest(
        points[["tatortskod", "geometry"]],
        polygons[["tatortsnr", "geometry"]],
        how="left",
        max_distance=max_link_m,
        distance_col="link_m",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    return pd.DataFrame(joined[["tatortskod", "tatortsnr", "link_m"]])


def build(
    polygons: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    *,
    kommunkoder: list[str],
    max_link_m: float,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the region's tätort polygons with 2020 attributes, and the unlinked 2020 points.

    Output columns: ``tatortsnr, tatort, kommunkod, bef_2018, tatortskod_2020, bef_2020
    (Int64), n_punkter_2020, tatortskoder_2020, geometry``. When several 2020 points fall in
    one polygon the most populous gives the code, ``bef_2020`` is their sum and
    ``tatortskoder_2020`` lists all their codes (comma-separated).
    """
    region_polys = polygons[polygons["kommunkod"].isin(kommunkoder)].reset_index(drop=True)
    region_points = points[points["kommunkod"].isin(kommunkoder)].reset_index(drop=True)
    links = link_points(region_polys, region_points, max_link_m=max_link_m)
    linked = links.dropna(subset=["tatortsnr"]).merge(
        region_points[["tatortskod", "bef_2020"]], on="tatortskod"
    )
    linked = linked.sort_values("bef_2020", ascending=False)
    per_polygon = linked.groupby("tatortsnr").agg(
        tatortskod_2020=("tatortskod", "first"),
        bef_2020=("bef_2020", "sum"),
        n_punkter_2020=("tatortskod", "size"),
        tatortskoder_2020=("tatortskod", lambda codes: ",".join(sorted(codes))),
    )
    out = region_polys.drop(columns=["lanskod"]).merge(
        per_polygon, left_on="tatortsnr", right_index=True, how="left"
    )
    out["bef_2020"] = out["bef_2020"].astype("Int64")
    out["n_punkter_2020"] = out["n_punkter_2020"].fillna(0).astype("int64")
    unlinked = region_points[region_points["tatortskod"].isin(
        links.loc[links["tatortsnr"].isna(), "tatortskod"])]
    columns = ["tatortsnr", "tatort", "kommunkod", "bef_2018", "tatortskod_2020", "bef_2020",
               "n_punkter_2020", "tatortskoder_2020", "geometry"]
    return gpd.GeoDataFrame(out[columns], crs=polygons.crs), pd.DataFrame(
        unlinked.drop(columns="geometry"))


def points_outside_kommun(
    points: gpd.GeoDataFrame, kommuner: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Return the tätort points that do not lie inside the polygon of their own kommun.

    Columns: ``tatortskod, tatort, kommunkod, kommun_by_location`` (the kommun the point lies
    in, empty when in none). SCB assigns a tätort crossing a border to one kommun, and the
    label point may fall on the other side.
    """
    located = gpd.sjoin(
        points[["tatortskod", "tatort", "kommunkod", "geometry"]],
        kommuner[["kommunkod", "geometry"]].rename(columns={"kommunkod": "kommun_by_location"}),
        how="left",
        predicate="within",
    )
    wrong = located[located["kommunkod"] != located["kommun_by_location"]]
    return pd.DataFrame(wrong[["tatortskod", "tatort", "kommunkod", "kommun_by_location"]])
