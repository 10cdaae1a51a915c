"""Server time of the PNG/PDF exports, against a browser screenshot of the same view.

Builds the real data (or uses ``--build-dir``'s current build) and serves it on 127.0.0.1.
Measures in one run, for the region at A4 landscape and 150 dpi (1754 × 1240 px):

* **ours cold**: ``/karta.png?format=a4&dpi=150`` on a fresh app (empty page cache) — the
  matplotlib render, server time per request, ``--runs`` times; also ``/karta.pdf`` and the
  kommunblad ``/kommun/1784.pdf`` cold;
* **ours cached**: the same PNG again (the page cache per build and parameters);
* **peer**: what the issue rules out for production — headless Chromium (Playwright)
  opening ``/embed`` at 1754 × 1240 and taking a screenshot, browser already running.

Prints figures, then one line ``bench_exports key=value …`` (ratio = peer / ours cold).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import threading
import time
import urllib.request

from _builds import current_build
from werkzeug.serving import make_server

from gisapp import create_app

PNG = "/karta.png?format=a4&dpi=150"
SIZE = (1754, 1240)
BUDGET_S = 3.0


def serve(build_root: str):
    """A fresh app (empty page cache) on 127.0.0.1; returns (base URL, server)."""
    app = create_app({"BUILD_DIR": build_root, "RATE_LIMIT_PER_MINUTE": 0,
                      "EXPENSIVE_RATE_LIMIT_PER_MINUTE": 0})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def seconds(url: str) -> tuple[float, int]:
    """Wall time of one request over HTTP and the body size."""
    started = time.perf_counter()
    with urllib.request.urlopen(url) as response:  # noqa: S310 (127.0.0.1 only)
        body = response.read()
        assert response.status == 200, url
    return time.perf_counter() - started, len(body)


def cold(build_root: str, path: str, runs: int) -> list[float]:
    """Seconds of ``path`` on a fresh app each run (nothing cached)."""
    out = []
    for _ in range(runs):
        base, server = serve(build_root)
        seconds(base + "/healthz")  # the app and the build are loaded, the export is not
        out.append(seconds(base + path)[0])
        server.shutdown()
    return out


def browser_screenshots(base: str, runs: int) -> list[float] | None:
    """Seconds per Chromium screenshot of ``/embed`` at :data:`SIZE` (``None`` without it)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=["--headless=new", "--no-sandbox"])
        for _ in range(runs):
            started = time.perf_counter()
            page = browser.new_page(viewport={"width": SIZE[0], "height": SIZE[1]})
            page.route("https://**/*", lambda route: route.abort())  # no tiles here
            page.goto(base + "/embed", wait_until="networkidle")
            page.screenshot()
            out.append(time.perf_counter() - started)
            page.close()
        browser.close()
    return out


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", help="use this build directory's current build")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    build, _ = current_build(args.build_dir)
    root = str(build.path.parent)

    png_cold = cold(root, PNG, args.runs)
    pdf_cold = cold(root, "/karta.pdf?format=a4", max(2, args.runs // 2))
    sheet_cold = cold(root, "/kommun/1784.pdf", max(2, args.runs // 2))
    base, server = serve(root)
    seconds(base + PNG)
    cached = [seconds(base + PNG)[0] for _ in range(20)]
    size = seconds(base + PNG)[1]
    peer = browser_screenshots(base, args.runs)
    server.shutdown()

    ours = statistics.median(png_cold)
    print(f"build {build.id}")
    print(f"/karta.png region A4 150 dpi ({SIZE[0]}×{SIZE[1]} px, {size / 1024:.0f} KB): cold "
          f"median {ours:.2f} s, max {max(png_cold):.2f} s over {args.runs} fresh apps "
          f"(budget {BUDGET_S:.0f} s: {'yes' if max(png_cold) <= BUDGET_S else 'NO'}); "
          f"cached median {statistics.median(cached) * 1000:.1f} ms")
    print(f"/karta.pdf region A4 cold median {statistics.median(pdf_cold):.2f} s; "
          f"/kommun/1784.pdf cold median {statistics.median(sheet_cold):.2f} s")
    if peer:
        print(f"peer: Chromium screenshot of /embed at the same size, median "
              f"{statistics.median(peer):.2f} s (browser running; {args.runs} runs)")
    ratio = statistics.median(peer) / ours if peer else float("nan")
    print(f"bench_exports png_cold_s={ours:.3f} png_cold_max_s={max(png_cold):.3f} "
          f"png_cached_ms={statistics.median(cached) * 1000:.1f} "
          f"pdf_cold_s={statistics.median(pdf_cold):.3f} "
          f"kommunblad_cold_s={statistics.median(sheet_cold):.3f} "
          f"peer_screenshot_s={statistics.median(peer) if peer else float('nan'):.3f} "
          f"ratio={ratio:.2f} within_budget={str(max(png_cold) <= BUDGET_S).lower()}")


if __name__ == "__main__":
    main()
