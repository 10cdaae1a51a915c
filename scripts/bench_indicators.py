"""Benchmark: indicator aggregation and the indicator pages on a build of the real data.

* aggregation: :func:`layers.indikatorer.aggregate` (vectorised group-by over numerators and
  denominators) against a peer written the plain way — a Python loop over the rows that
  accumulates Σ teljare and Σ namnare per (group, indicator, area) in dicts — on the build's
  real indicator table, grouped by SKR kommungrupp and by län; the two must agree;
* pages: ``/api/indikatorer`` (JSON and CSV), ``/jamfor`` and ``/kommun/<kod>`` through the
  Flask test client; pages are timed cold (first render) and warm (page cache).

Prints figures and ends with ``bench_indicators agg_ours_ms=… agg_peer_ms=… ratio=…
api_p50_ms=… api_p95_ms=… jamfor_cold_ms=… kommun_cold_ms=… warm_p50_ms=… same_values=…``.

Usage: ``.venv/bin/python scripts/bench_indicators.py [--data-dir DIR] [--repeat N]``
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import resolve_data_dir
from gisapp.store import FileStore
from layers import indikatorer


def peer_aggregate(table: pd.DataFrame, groups: pd.Series) -> dict[tuple, float]:
    """Aggregate row by row in plain Python; ``{(grupp, omrade, indikator): varde}``."""
    sums: dict[tuple, list] = defaultdict(lambda: [0.0, 0.0, True, set()])
    for row in table.itertuples(index=False):
        if row.kommunkod not in groups.index:
            continue
        key = (groups[row.kommunkod], row.omrade, row.indikator)
        acc = sums[key]
        if pd.isna(row.teljare):
            acc[2] = False
        acc[0] += 0.0 if pd.isna(row.teljare) else row.teljare
        acc[1] += math.nan if pd.isna(row.namnare) else row.namnare
        acc[3].add(row.kommunkod)
    sizes = groups.value_counts()
    out = {}
    for key, (num, den, complete, members) in sums.items():
        unit = table.loc[table["indikator"] == key[2], "enhet"].iloc[0]
        if not complete or len(members) < sizes[key[0]]:
            out[key] = math.nan
        elif math.isnan(den):
            out[key] = num
        else:
            out[key] = indikatorer.scale(unit) * num / den if den > 0 else math.nan
    return out


def same(ours: pd.DataFrame, peer: dict[tuple, float]) -> bool:
    """Whether both aggregations give the same values (NaN equals NaN)."""
    mine = {(r.grupp, r.omrade, r.indikator): r.varde for r in ours.itertuples()}
    if mine.keys() != peer.keys():
        return False
    return all((math.isnan(a) and math.isnan(peer[k])) or math.isclose(a, peer[k], rel_tol=1e-9)
               for k, a in mine.items())


def timed_ms(func, repeat: int) -> list[float]:
    """Run ``func`` ``repeat`` times; return each run's milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    """Build once into a temporary directory, then time aggregation and pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build = run_build(resolve_data_dir(args.data_dir), FileStore(Path(tmp)),
                          progress=lambda _line: None)
        table = indikatorer.check(build.indicators, "bench")
        layer = build.layer("kommunindikatorer").set_index("kommunkod")
        groupings = {"skr": layer["klass_skr"].dropna(),
                     "lan": pd.Series(build.manifest["region"]["lansnamn"], index=layer.index)}
        print(f"indicator rows: {len(table)}, indicators: {table['indikator'].nunique()}")
        ours_ms, peer_ms, agree = [], [], True
        for name, groups in groupings.items():
            ours = timed_ms(lambda g=groups: indikatorer.aggregate(table, g), args.repeat)
            peer = timed_ms(lambda g=groups: peer_aggregate(table, g), args.repeat)
            agree &= same(indikatorer.aggregate(table, groups), peer_aggregate(table, groups))
            print(f"aggregate by {name}: ours {statistics.median(ours):.1f} ms, "
                  f"peer {statistics.median(peer):.1f} ms (median of {args.repeat})")
            ours_ms += ours
            peer_ms += peer
        client = create_app({"BUILD_DIR": tmp, "TESTING": True}).test_client()
        first = build.manifest["region"]["kommuner"][0]["kommunkod"]
        jamfor_cold = timed_ms(lambda: client.get("/jamfor"), 1)[0]
        kommun_cold = timed_ms(lambda: client.get(f"/kommun/{first}"), 1)[0]
        api = []
        for url in ("/api/indikatorer", f"/api/indikatorer?kommun={first}",
                    f"/api/indikatorer?kommun={first}&format=csv"):
            api += timed_ms(lambda u=url: client.get(u), args.repeat)
        warm = timed_ms(lambda: client.get(f"/kommun/{first}"), args.repeat)
        agg_ours, agg_peer = statistics.median(ours_ms), statistics.median(peer_ms)  # both
        print(f"/api/indikatorer p50 {statistics.median(api):.1f} ms, p95 {p95(api):.1f} ms; "
              f"/jamfor cold {jamfor_cold:.0f} ms; /kommun/{first} cold {kommun_cold:.0f} ms, "
              f"warm p50 {statistics.median(warm):.1f} ms")
        print(f"bench_indicators agg_ours_ms={agg_ours:.2f} agg_peer_ms={agg_peer:.2f} "
              f"ratio={agg_peer / agg_ours:.2f} api_p50_ms={statistics.median(api):.1f} "
              f"api_p95_ms={p95(api):.1f} jamfor_cold_ms={jamfor_cold:.0f} "
              f"kommun_cold_ms={kommun_cold:.0f} warm_p50_ms={statistics.median(warm):.1f} "
              f"same_values={str(agree).lower()}")


if __name__ == "__main__":
    main()
