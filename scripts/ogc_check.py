"""Black-box OGC API – Features check of the served API, with independent tools.

Starts the app under gunicorn on 127.0.0.1 (the current build of ``--build-dir``) and runs:

1. ``openapi-spec-validator`` on the OpenAPI 3.0 document (``/ogc/api``);
2. GDAL's OAPIF driver (``ogrinfo``, what QGIS uses) reading every collection in full;
3. ``schemathesis`` against the OpenAPI document (every operation, all its checks:
   status codes, content types, response schemas, rejection of invalid input).

The OGC's own test suite (ETS, TEAM Engine) needs Maven Central, unreachable here. Prints one
line per tool and ``ogc_check failures=…``; a check tool, it does not assert.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

from load_test import gunicorn, wait_until_up
from openapi_spec_validator import validate

from gisapp.config import BUILD_ENV


def _openapi(base: str) -> int:
    """Validate the OpenAPI document; return the number of failures."""
    with urllib.request.urlopen(f"{base}/ogc/api?f=json", timeout=30) as response:
        document = json.load(response)
    try:
        validate(document)
    except Exception as exc:  # the validator's own error types  # noqa: BLE001
        print(f"openapi-spec-validator: FAIL {str(exc)[:300]}")
        return 1
    print(f"openapi-spec-validator: OK ({len(document['paths'])} paths)")
    return 0


def _gdal(base: str) -> int:
    """Read every collection with GDAL's OAPIF driver; return the number of failures."""
    with urllib.request.urlopen(f"{base}/ogc/collections?f=json", timeout=30) as response:
        ids = [c["id"] for c in json.load(response)["collections"]]
    failures = 0
    for collection in ids:
        done = subprocess.run(["ogrinfo", "-ro", "-al", "-q", f"OAPIF:{base}/ogc", collection],
                              capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or "ERROR" in done.stderr:
            failures += 1
            print(f"  GDAL OAPIF {collection}: FAIL {done.stderr.strip()[:200]}")
    print(f"GDAL OAPIF (ogrinfo -al): {len(ids) - failures}/{len(ids)} collections read")
    return failures


def _schemathesis(base: str, examples: int) -> int:
    """Run schemathesis on the OpenAPI document; return 1 when it reports failures."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/ogc/api?f=json",
         "--url", f"{base}/ogc", "--checks", "all", "--max-examples", str(examples),
         "--no-color"], capture_output=True, text=True, timeout=900, check=False)
    summary = [line for line in done.stdout.splitlines() if line.strip()][-8:]
    print("schemathesis:", " | ".join(s.strip() for s in summary))
    return 0 if done.returncode == 0 else 1


def main() -> None:
    """Run the three checks and print their results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--examples", type=int, default=20)
    args = parser.parse_args()
    with gunicorn("gisapp:create_app()", {BUILD_ENV: args.build_dir}, 2, 8) as (base, _):
        wait_until_up(base + "/healthz")
        failures = _openapi(base) + _gdal(base) + _schemathesis(base, args.examples)
    print(f"ogc_check failures={failures}")


if __name__ == "__main__":
    main()
