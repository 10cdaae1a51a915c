"""Run the layer pipelines: load sources lazily, run each step, collect outputs and provenance.

A *step* is a function ``step(ctx) -> StepOutput`` that asks ``ctx`` for source frames and
earlier layers, calls a pure ``layers.*.build`` function and returns the layer frame (and
indicator rows). A step whose inputs are absent raises ``MissingDataError``: the layer is
listed as missing with the reason. A source that exists but is broken raises ``DataError``
and fails the whole build, so that nothing half-valid replaces the serving build.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources import SOURCES, provenance, roads
from data_sources.errors import MissingDataError
from layers.accessibility import Network
from layers.settings import PipelineSettings
from layers.spec import LayerSpec
from messages import text

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class StepOutput:
    """What a step returns: the layer frame (EPSG:3006), indicator rows, notes for the report."""

    frame: gpd.GeoDataFrame
    indicators: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    extra_provenance: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """A layer id, its spec, and the function that builds it."""

    spec: LayerSpec
    run: Callable[[BuildContext], StepOutput]


class BuildContext:
    """Gives steps their inputs: source frames (loaded once) and the layers built so far."""

    def __init__(self, data_dir: Path | None, settings: PipelineSettings) -> None:
        self.data_dir = data_dir
        self.settings = settings
        self.layers: dict[str, gpd.GeoDataFrame] = {}
        self._frames: dict[str, object] = {}
        self._derived: dict[str, tuple[object, list[str]]] = {}
        self._used: list[str] = []

    def source(self, name: str, loader: Callable[[Path], object]) -> object:
        """Return the frame of source ``name`` loaded by ``loader``; record it as used."""
        meta = SOURCES[name]
        if not meta.available(self.data_dir):
            missing = [f.path for f in meta.files
                       if self.data_dir is None or not (self.data_dir / f.path).is_file()]
            hint = "; ".join(f.how_to_get for f in meta.files if f.how_to_get)
            msg = f"{meta.title} ({meta.publisher}): missing {', '.join(missing)}. {hint}"
            raise MissingDataError(msg)
        if name not in self._frames:
            started = time.perf_counter()
            self._frames[name] = loader(self.data_dir)
            log.info("loaded %s in %.2f s", name, time.perf_counter() - started)
        self._used.append(name)
        return self._frames[name]

    def derived(self, key: str, compute: Callable[[BuildContext], object]) -> object:
        """Return ``compute(self)``, computed once per build and shared by the steps.

        The sources ``compute`` loaded are recorded again for every step that asks, so each
        layer's provenance still lists them. A ``MissingDataError`` is not cached.
        """
        if key not in self._derived:
            first_new = len(self._used)
            value = compute(self)
            self._derived[key] = (value, self._used[first_new:])
        value, sources = self._derived[key]
        self._used.extend(sources)
        return value

    def optional(self, name: str, loader: Callable[[Path], object]) -> object | None:
        """Like :meth:`source`, but ``None`` when the source is absent (a join, not a need)."""
        try:
            return self.source(name, loader)
        except MissingDataError:
            return None

    def layer(self, layer_id: str) -> gpd.GeoDataFrame:
        """Return a layer built earlier in this build, or raise ``MissingDataError``."""
        if layer_id not in self.layers:
            msg = f"needs the layer {layer_id!r}, which could not be built"
            raise MissingDataError(msg)
        return self.layers[layer_id]

    def loaded(self, name: str) -> object | None:
        """The frame of source ``name`` if a step loaded it in this build, else ``None``."""
        return self._frames.get(name)

    def take_used_sources(self) -> list[str]:
        """Return (and forget) the names of the sources used since the last call."""
        used, self._used = list(dict.fromkeys(self._used)), []
        return used


@dataclass
class PipelineResult:
    """Everything a build produced, ready for the store."""

    layers: dict[str, gpd.GeoDataFrame]
    layer_manifest: dict[str, dict]
    missing: dict[str, str]
    indicators: pd.DataFrame
    network: Network | None = None  # the road network the build measured along, if any


def run_steps(
    steps: list[Step],
    data_dir: Path | None,
    settings: PipelineSettings,
    progress: Progress = log.info,
) -> PipelineResult:
    """Run ``steps`` in order and return their layers, provenance, missing list and indicators."""
    ctx = BuildContext(data_dir, settings)
    manifest: dict[str, dict] = {}
    missing: dict[str, str] = {}
    indicator_parts: list[pd.DataFrame] = []
    for step in steps:
        started = time.perf_counter()
        layer_id = step.spec.id
        try:
            output = step.run(ctx)
        except MissingDataError as exc:
            ctx.take_used_sources()
            missing[layer_id] = str(exc)
            progress(text("cli.step_missing", layer=layer_id, reason=exc))
            continue
        used = ctx.take_used_sources()
        ctx.layers[layer_id] = output.frame
        if output.indicators is not None:
            indicator_parts.append(output.indicators)
        seconds = time.perf_counter() - started
        manifest[layer_id] = {
            "title_sv": step.spec.title_sv,
            "title_en": step.spec.title_en,
            "rows": len(output.frame),
            "crs": output.frame.crs.to_string() if output.frame.crs else None,
            "geometry_type": step.spec.geometry_type,
            "sources": [provenance(SOURCES[name], data_dir) for name in used],
            "notes": list(output.notes),
            "seconds": round(seconds, 3),
            # the indicator ids this step produced: their provenance is this layer's sources
            "indikatorer": (sorted(set(output.indicators["indikator"]))
                            if output.indicators is not None and len(output.indicators) else []),
            **output.extra_provenance,
        }
        progress(text("cli.step_done", layer=layer_id, rows=len(output.frame),
                      seconds=f"{seconds:.2f}"))
        for note in output.notes:
            progress(f"      {note}")
    indicators = (pd.concat(indicator_parts, ignore_index=True) if indicator_parts
                  else pd.DataFrame())
    return PipelineResult(ctx.layers, manifest, missing, indicators,
                          network=ctx.loaded(roads.META.name))
