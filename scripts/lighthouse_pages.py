"""Lighthouse accessibility and SEO scores of the main pages (mobile emulation, the default).

Lighthouse is not a project dependency (it is large): install it once with
``npm install --prefix scripts/.lighthouse lighthouse`` (from the project root; the folder
is git-ignored) or pass ``--lighthouse`` with another install. The app serves
``--build-dir``'s current build (built from the data directory when there is none) on
127.0.0.1; Debian's Chromium runs headless. Prints one line per page and then
``lighthouse_pages key=value …``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from _builds import current_build
from werkzeug.serving import make_server

from gisapp import create_app

DEFAULT_LIGHTHOUSE = Path(__file__).parent / ".lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGES = ("/", "/kommun/1780", "/jamfor", "/scenario", "/nedladdning/")


def main() -> None:
    """Serve the build, run Lighthouse on each page and print its scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir")
    parser.add_argument("--lighthouse", default=str(DEFAULT_LIGHTHOUSE))
    args = parser.parse_args()
    build, _ = current_build(args.build_dir)
    server = make_server("127.0.0.1", 0, create_app({"BUILD_DIR": str(build.path.parent)}),
                         threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "chromium"}
    scores = {}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        for path in PAGES:
            subprocess.run([args.lighthouse, f"http://127.0.0.1:{server.server_port}{path}",
                            "--only-categories=accessibility,seo", "--output=json",
                            f"--output-path={report}", "--quiet",
                            "--chrome-flags=--headless=new --no-sandbox"],
                           check=True, env=env, capture_output=True)
            result = json.loads(report.read_text("utf-8"))
            scores[path] = {k: round(v["score"] * 100) for k, v in result["categories"].items()}
            print(f"{path:16} accessibility {scores[path]['accessibility']:3}  "
                  f"seo {scores[path]['seo']:3}")
    server.shutdown()
    worst = {c: min(s[c] for s in scores.values()) for c in ("accessibility", "seo")}
    print(f"lighthouse_pages min_accessibility={worst['accessibility']} min_seo={worst['seo']}")


if __name__ == "__main__":
    main()
