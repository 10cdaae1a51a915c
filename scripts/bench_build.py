"""Benchmark: the cost of a build over 1, 3 and 21 län (the whole country), against budgets.

Each build runs in its own child process (``strukturbild``'s :func:`gisapp.build.run_build`
on the real data directory, into a fresh build directory), so that its peak RSS is its own.
Printed per build and step: seconds, the process's peak RSS when the step ended (MB) and the
size of the layer's file (MB), and last the vector tile archive (``tiles``); per build: wall
time, peak RSS, output size, kommuner, grid squares. Then the cost curve against the 1-län
build of the same run (time, RSS and output ratios, seconds per kommun) and the budgets of
issue 18 for the national build (≤ 600 s, ≤ 8 GB peak). With ``--one-by-one`` the peer is
measured too: all 21 län built one by one in one process each, summed. Ends with ``bench_build
lan1_s=… lan3_s=… lan21_s=… lan21_rss_mb=… lan21_out_mb=… budget_time=ok|FAIL
budget_rss=ok|FAIL``.

Usage: ``nice -n 10 .venv/bin/python scripts/bench_build.py [--data-dir DIR]
[--regions 17 17,18,20 all] [--one-by-one]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_S = 600.0
BUDGET_RSS_MB = 8 * 1024.0
DEFAULT_REGIONS = ("17", "17,18,20", "all")


def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(region: str, data_dir: str | None, out: Path) -> None:
    """Run one build of ``region`` into ``out`` and print its figures as one JSON line."""
    from dataclasses import replace

    from gisapp.build import run as build_run
    from gisapp.build.pipeline import Step
    from gisapp.config import resolve_data_dir
    from gisapp.store import FileStore
    from layers.settings import PipelineSettings

    steps: list[dict] = []

    def measured(step: Step) -> Step:
        def run(ctx):
            started = time.perf_counter()
            try:
                return step.run(ctx)
            finally:
                steps.append({"step": step.spec.id, "s": time.perf_counter() - started,
                              "rss_mb": _rss_mb()})
        return Step(step.spec, run)

    build_run.STEPS = [measured(s) for s in build_run.STEPS]  # this child process only
    started = time.perf_counter()
    build = build_run.run_build(resolve_data_dir(data_dir), FileStore(out),
                                replace(PipelineSettings(), lanskod=region),
                                progress=lambda line: None)
    seconds = time.perf_counter() - started
    sizes = {p.stem: p.stat().st_size for p in build.path.iterdir() if p.is_file()}
    steps.append({"step": "tiles", "s": build.manifest["tiles"]["seconds"],  # the PMTiles
                  "rss_mb": _rss_mb()})  # archive, written after the layer steps
    for row in steps:
        row["mb"] = sizes.get(row["step"], 0) / 1e6
    befolkning = build.manifest["layers"].get("befolkning", {})
    print(json.dumps({"region": region, "s": seconds, "rss_mb": _rss_mb(),
                      "out_mb": sum(sizes.values()) / 1e6, "steps": steps,
                      "lan": len(build.manifest["region"]["lan"]),
                      "kommuner": len(build.manifest["region"]["kommuner"]),
                      "rutor": befolkning.get("rows", 0)}))


def measure(region: str, data_dir: str | None) -> dict:
    """Run :func:`child` for ``region`` in a new process and return its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, __file__, "--child", region, "--out", str(Path(tmp) / "b")]
        if data_dir:
            argv += ["--data-dir", data_dir]
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"build of {region} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(result: dict) -> None:
    """Print one build's steps and totals."""
    print(f"\n--lan {result['region']}: {result['lan']} län, {result['kommuner']} kommuner, "
          f"{result['rutor']} rutor")
    print(f"  {'step':<28}{'s':>8}{'peak RSS MB':>13}{'file MB':>10}")
    for row in result["steps"]:
        print(f"  {row['step']:<28}{row['s']:>8.2f}{row['rss_mb']:>13.0f}{row['mb']:>10.2f}")
    print(f"  {'build (wall)':<28}{result['s']:>8.2f}{result['rss_mb']:>13.0f}"
          f"{result['out_mb']:>10.2f}")


def main() -> None:
    """Measure the builds, print the steps, the cost curve and the budget check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir")
    parser.add_argument("--regions", nargs="+", default=list(DEFAULT_REGIONS))
    parser.add_argument("--one-by-one", action="store_true",
                        help="also build the 21 län one by one (the peer), summed")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data_dir, Path(args.out))
        return
    results = [measure(region, args.data_dir) for region in args.regions]
    for result in results:
        report(result)
    base = results[0]
    print("\ncost curve (against the first build of this run)")
    print(f"  {'region':<12}{'län':>5}{'kommuner':>10}{'s':>8}{'×s':>7}{'RSS MB':>9}{'×RSS':>7}"
          f"{'out MB':>9}{'×out':>7}{'ms/kommun':>11}")
    for r in results:
        print(f"  {r['region']:<12}{r['lan']:>5}{r['kommuner']:>10}{r['s']:>8.2f}"
              f"{r['s'] / base['s']:>7.2f}{r['rss_mb']:>9.0f}{r['rss_mb'] / base['rss_mb']:>7.2f}"
              f"{r['out_mb']:>9.2f}{r['out_mb'] / base['out_mb']:>7.2f}"
              f"{1000 * r['s'] / r['kommuner']:>11.1f}")
    national = max(results, key=lambda r: r["kommuner"])
    if args.one_by_one:
        from data_sources._register import known_lanskoder

        singles = [measure(code, args.data_dir) for code in sorted(known_lanskoder())]
        total = sum(r["s"] for r in singles)
        print(f"\npeer: 21 län one by one {total:.2f} s in all (max RSS "
              f"{max(r['rss_mb'] for r in singles):.0f} MB); one national build "
              f"{national['s']:.2f} s = {national['s'] / total:.2f}× of it")
    time_ok = national["s"] <= BUDGET_S
    rss_ok = national["rss_mb"] <= BUDGET_RSS_MB
    print(f"\nbudget ({national['region']}, {national['kommuner']} kommuner): "
          f"{national['s']:.1f} s of {BUDGET_S:.0f} s {'ok' if time_ok else 'FAIL'}; "
          f"peak RSS {national['rss_mb']:.0f} MB of {BUDGET_RSS_MB:.0f} MB "
          f"{'ok' if rss_ok else 'FAIL'}")
    by_lan = {r["lan"]: r for r in results}
    print("bench_build " + " ".join(f"lan{n}_s={r['s']:.2f}" for n, r in sorted(by_lan.items()))
          + f" lan{national['lan']}_rss_mb={national['rss_mb']:.0f}"
          f" lan{national['lan']}_out_mb={national['out_mb']:.2f}"
          f" budget_time={'ok' if time_ok else 'FAIL'} budget_rss={'ok' if rss_ok else 'FAIL'}")


if __name__ == "__main__":
    main()
