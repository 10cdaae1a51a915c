"""What the suite needs before any test can mean something: the npm assets `make install`
puts in place, and the real data directory. Checked once at session start (tests/conftest.py),
so that a fresh clone gets one message naming the missing step, not hundreds of errors."""

from __future__ import annotations

from pathlib import Path

from data_sources.errors import MissingDataError
from gisapp.config import resolve_data_dir
from gisapp.maps.compose import LEAFLET_CSS, LEAFLET_JS
from gisapp.web.meta import STATIC_DIR

# Served by the app (vendored from npm) and used by the WCAG tests (axe-core from npm).
NPM_ASSETS = (*(STATIC_DIR / url.removeprefix("/static/") for _, url in LEAFLET_JS + LEAFLET_CSS
                if url.startswith("/static/vendor/")),
              STATIC_DIR / "node_modules" / "axe-core" / "axe.min.js")


def missing_npm_assets() -> list[Path]:
    """The npm assets absent from ``static/``."""
    return [path for path in NPM_ASSETS if not path.is_file()]


def missing_prerequisites() -> list[str]:
    """One line per missing prerequisite, saying how to add it (empty when all are there)."""
    lines = []
    missing = missing_npm_assets()
    if missing:
        names = ", ".join(str(path.relative_to(STATIC_DIR.parent)) for path in missing)
        lines.append(f"front-end assets from npm are missing ({names}): run `make install` "
                     "(it installs the Python test extras and the npm packages into static/)")
    try:
        data = resolve_data_dir().path
    except MissingDataError as exc:
        data, reason = None, f" ({exc})"
    else:
        reason = ""
    if data is None or not (data / "admin").is_dir():
        lines.append("the real data directory is missing: put it at ../shared/data or set "
                     f"$STRUKTURBILD_DATA{reason}")
    return lines
