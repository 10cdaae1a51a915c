"""Benchmark: tätort/landsbygd allocation of the SCB population grid against square centres.

On the real data (the preferred grid of the data directory, the region's LM 2018 tätort
polygons linked to SCB 2020), compares per kommun

* ours: :func:`layers.befolkningsruta.allocate` (area shares with a fitted density factor per
  tätort, targets SCB's 2020 tätort populations, whole persons per square);
* peer: the centre-in-polygon rule (a square is tätort when its centre lies in a tätort);

against SCB's 2020 tätort populations summed per kommun (the label points' kommun). Also
prints the tätorter whose target their squares cannot reach, and, as a bound on the year
gap (grid 2024, targets 2020), the landsbygd if every tätort had grown like its kommun
(grid total / SKR's 2020 total). Ends with ``bench_grid_allocation ours_s=… peer_s=…
abs_error_ours=… abs_error_peer=… error_pct_ours=… error_pct_peer=… shortfall=…
short_tatorter=… karlstad_landsbygd=… torsby_landsbygd=…``.

Usage: ``.venv/bin/python scripts/bench_grid_allocation.py [--data-dir DIR] [--lan 17]``
"""

from __future__ import annotations

import argparse
import time

import geopandas as gpd
import pandas as pd

from data_sources import befolkningsruta, klassning, kommuner, tatorter, tatortspunkter
from gisapp.config import resolve_data_dir
from layers import befolkningsruta as grid
from layers import tatorter as tatorter_layer
from layers.settings import GridSettings


def by_centre(squares: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> pd.Series:
    """Tätort persons per kommun when a square is tätort if its centre lies in a tätort."""
    centres = gpd.GeoDataFrame(squares[["kommunkod", "befolkning"]],
                               geometry=grid.centres(squares.geometry), crs=squares.crs)
    inside = gpd.sjoin(centres, towns[["geometry"]], predicate="within").index.unique()
    return centres.loc[inside].groupby("kommunkod")["befolkning"].sum()


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--lan", default="17")
    args = parser.parse_args()
    data_dir = resolve_data_dir(args.data_dir).path
    settings = GridSettings()
    national = kommuner.load(data_dir)
    region = national[national["lanskod"] == args.lan]
    codes = region["kommunkod"].tolist()
    points = tatortspunkter.load(data_dir)
    towns, unlinked = tatorter_layer.build(tatorter.load(data_dir), points, kommunkoder=codes,
                                           max_link_m=1_500)
    squares = grid.assign_kommun(befolkningsruta.load(data_dir), national, settings=settings)
    squares = squares[squares["kommunkod"].isin(codes)]

    started = time.perf_counter()
    allocation = grid.allocate(squares, towns, settings=settings)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    peer = by_centre(squares, towns[towns["bef_2020"].notna()])
    peer_s = time.perf_counter() - started

    split = grid.population_by_area(allocation.parts, kommunkoder=codes).pivot(
        index="kommunkod", columns="omrade", values="befolkning")
    scb = points[points["kommunkod"].isin(codes)].groupby("kommunkod")["bef_2020"].sum()
    skr = pd.read_csv(data_dir / klassning.SKR.files[0].path, dtype={"kommunkod": str}).set_index(
        "kommunkod")["invanare_2020_avrundat_skr"]  # a reference figure, rounded to 100
    table = pd.DataFrame({
        "kommun": region.set_index("kommunkod")["kommunnamn"],
        "grid": split["hela_kommunen"], "scb_tatort_2020": scb,
        "ours_tatort": split["tatort"], "peer_tatort": peer.reindex(codes).fillna(0),
    }).fillna(0)
    table["ours_landsbygd"] = table["grid"] - table["ours_tatort"]
    table["peer_landsbygd"] = table["grid"] - table["peer_tatort"]
    table["ours_error"] = table["ours_tatort"] - table["scb_tatort_2020"]
    table["peer_error"] = table["peer_tatort"] - table["scb_tatort_2020"]
    growth = table["grid"] / skr.reindex(table.index)
    table["landsbygd_if_tatort_grew"] = table["grid"] - table["scb_tatort_2020"] * growth
    print(f"Grid: {befolkningsruta.preferred(data_dir).path}; {len(squares)} squares, "
          f"{int(squares['befolkning'].sum())} persons in län {args.lan}")
    print(table.round(0).to_string())
    short = allocation.fit[allocation.fit["skillnad"] < -2]  # beyond rounding
    print(f"\nTätorter whose squares hold fewer persons than their 2020 population: {len(short)} "
          f"of {len(allocation.fit)}, short by {-int(short['skillnad'].sum())} in all")
    print(short.sort_values("skillnad").to_string(index=False))
    if len(unlinked):
        print(f"\n2020 tätorter without a polygon (left in landsbygd): "
              f"{', '.join(f'{r.tatort} ({r.bef_2020})' for r in unlinked.itertuples())}")
    total = table["scb_tatort_2020"].sum()
    ours, theirs = table["ours_error"].abs().sum(), table["peer_error"].abs().sum()
    print(f"\nΣ|tätort − SCB 2020| over kommuner: ours {ours:.0f} ({100 * ours / total:.1f} %), "
          f"centres {theirs:.0f} ({100 * theirs / total:.1f} %); allocation {ours_s:.3f} s, "
          f"centres {peer_s:.3f} s")
    row = table.loc
    print(f"bench_grid_allocation ours_s={ours_s:.3f} peer_s={peer_s:.3f} "
          f"abs_error_ours={ours:.0f} abs_error_peer={theirs:.0f} "
          f"error_pct_ours={100 * ours / total:.2f} error_pct_peer={100 * theirs / total:.2f} "
          f"shortfall={-int(short['skillnad'].sum())} short_tatorter={len(short)} "
          f"karlstad_landsbygd={row['1780', 'ours_landsbygd'] if '1780' in table.index else ''} "
          f"torsby_landsbygd={row['1737', 'ours_landsbygd'] if '1737' in table.index else ''}")


if __name__ == "__main__":
    main()
