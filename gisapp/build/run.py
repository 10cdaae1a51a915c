"""A whole build: run every step, compose the manifest, write and switch the store."""

from __future__ import annotations

import hashlib
import logging
import subprocess
import time
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata

from data_sources._register import known_lanskoder
from gisapp.build.pipeline import Progress, run_steps
from gisapp.build.steps import STEPS
from gisapp.config import NO_DATA_HELP_SV, PROJECT_ROOT, DataDir
from gisapp.store import Build, BuildStore
from gisapp.tiles.frames import tile_layers
from gisapp.tiles.writer import write_archive
from layers.region import RIKET, is_national
from layers.settings import PipelineSettings
from messages import text

log = logging.getLogger(__name__)


def code_version() -> str:
    """Return the package version, plus the git commit when run from a checkout."""
    version = metadata.version("strukturbild")
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
            timeout=5, check=True, cwd=PROJECT_ROOT,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return version
    return f"{version}+g{commit}"


def _region(layers: dict) -> dict:
    """Summarise the built region: its code and name, its län and its kommuner.

    One län keeps its own code and name; a national build is ``SE`` / Sverige; several län
    are their codes and names joined.
    """
    kommuner = layers["kommuner"]
    lan = layers["lan"]
    national = is_national(lan["lanskod"], known_lanskoder())
    if national:
        code, name = "SE", RIKET
    else:
        code, name = ",".join(lan["lanskod"]), ", ".join(lan["lansnamn"])
    return {
        "lanskod": code,
        "lansnamn": name,
        "nationell": national,
        "lan": [{"lanskod": k, "lansnamn": n}
                for k, n in lan[["lanskod", "lansnamn"]].itertuples(index=False)],
        "kommuner": [
            {"kommunkod": k, "kommunnamn": n, "lanskod": lk}
            for k, n, lk in kommuner[["kommunkod", "kommunnamn", "lanskod"]].itertuples(
                index=False)
        ],
    }


def run_build(
    data_dir: DataDir,
    store: BuildStore,
    settings: PipelineSettings | None = None,
    progress: Progress = log.info,
) -> Build:
    """Build every layer whose inputs exist and switch the store's ``current`` to it.

    Raises a :class:`~data_sources.errors.StrukturbildError` (and leaves the previous build
    serving) when a source is broken or the build cannot be written.
    """
    settings = settings or PipelineSettings()
    started = time.perf_counter()
    progress(text("cli.data_dir", path=data_dir.path or "–", reason=data_dir.reason))
    if data_dir.path is None:
        progress(NO_DATA_HELP_SV)
    result = run_steps(STEPS, data_dir.path, settings, progress)
    layers = tile_layers(result.layers)
    archive = write_archive(layers)
    progress(text("cli.tiles_done", tiles=archive.tiles, mb=f"{len(archive.data) / 1e6:.1f}",
                  seconds=f"{archive.seconds:.1f}"))
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "data_dir": data_dir.reason,
        "has_data_dir": data_dir.path is not None,
        "settings": asdict(settings),
        "region": _region(result.layers),
        "layers": result.layer_manifest,
        "missing": result.missing,
        "indicator_rows": len(result.indicators),
        "tiles": {"sha256": hashlib.sha256(archive.data).hexdigest(),
                  "bytes": len(archive.data), "tiles": archive.tiles,
                  "seconds": round(archive.seconds, 1),
                  "layers": {t.id: [t.minzoom, t.maxzoom] for t in layers}},
    }
    build = store.write(result.layers, result.indicators, manifest, network=result.network,
                        tiles=archive.data)
    progress(text("cli.build_done", build=build.id,
                  seconds=f"{time.perf_counter() - started:.1f}", layers=len(result.layers),
                  missing=len(result.missing)))
    return build
