"""Population per kommun split into tätort and landsbygd.

With today's data: tätort population is the sum of SCB's 2020 tätort points assigned to the
kommun; landsbygd is the kommun total (latest year) minus that sum; both years are stated
side by side (``ar`` = "2020/2025" for landsbygd) until a population grid gives landsbygd
directly.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd


def population_split(kommuner: gpd.GeoDataFrame, tatort_points: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return ``kommunkod, omrade, befolkning, ar`` for tatort, landsbygd and hela_kommunen.

    ``kommuner`` is the ``kommuner`` layer (``invanare``, ``invanare_ar``); ``tatort_points``
    are SCB 2020 tätort points (``kommunkod``, ``bef_2020``). Kommuner without a population
    figure are left out (never estimated). Where the tätorter assigned to a kommun hold more
    people than the kommun (a big city's tätort spans several kommuner but SCB's point
    carries one kommunkod), tätort and landsbygd are left empty rather than shown negative.
    """
    totals = kommuner.dropna(subset=["invanare"])[["kommunkod", "invanare", "invanare_ar"]]
    in_tatort = (tatort_points[tatort_points["kommunkod"].isin(totals["kommunkod"])]
                 .groupby("kommunkod")["bef_2020"].sum())
    rows = []
    for kommunkod, total, year in totals.itertuples(index=False):
        tatort = int(in_tatort.get(kommunkod, 0))
        landsbygd = int(total) - tatort
        if landsbygd < 0:
            tatort = landsbygd = None
        rows += [
            (kommunkod, "hela_kommunen", int(total), str(year)),
            (kommunkod, "tatort", tatort, "2020"),
            (kommunkod, "landsbygd", landsbygd, f"2020/{year}"),
        ]
    frame = pd.DataFrame(rows, columns=["kommunkod", "omrade", "befolkning", "ar"])
    frame["befolkning"] = frame["befolkning"].astype("float64")  # NaN where left empty
    return frame
