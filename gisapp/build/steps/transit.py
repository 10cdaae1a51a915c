"""Build steps of the stomlinjenät: ``hallplatser``, ``stomlinjer`` and ``upptagningsomraden``.

Every GTFS source present in the data directory is analysed on its own service day (the
configured date, else the feed's representative weekday) and the results are stacked with
the feed's name in ``flode``. The chosen dates go into the provenance (``trafikdag``).
Without the Värmlandstrafik feed the bus network is reported as missing, with how to add it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources import gtfs, tatortspunkter
from data_sources.errors import MissingDataError
from gisapp.build.network import road_network
from gisapp.build.pipeline import BuildContext, Step, StepOutput
from gisapp.build.steps.befolkning import built_grid
from layers import avgangar, hallplatser, stomlinjer, upptagningsomraden
from layers.trafikdag import service_day, validity_window

FEEDS: tuple[tuple[str, Callable[[Path], gtfs.Feed]], ...] = (
    (gtfs.RAIL.name, gtfs.load_rail),
    (gtfs.REGIONAL.name, gtfs.load_regional),
)
BUS_MISSING_SV = (
    "Buss: saknar data — Värmlandstrafiks tidtabell (GTFS Regional, operatör "
    f"{gtfs.REGIONAL_OPERATOR}) finns inte i datakatalogen, så busslinjer kan inte "
    "klassas. " + stomlinjer.SPEC.how_to_add_sv
)
BUS_MISSING_EN = (
    "Bus: no data — Värmlandstrafik's timetable (GTFS Regional, operator "
    f"{gtfs.REGIONAL_OPERATOR}) is not in the data directory, so bus lines cannot be "
    "classified. " + stomlinjer.SPEC.how_to_add_en
)


def feed_days(ctx: BuildContext) -> tuple[list[avgangar.Trafikdag], tuple[str, ...]]:
    """Return every available feed on its service day, and notes on the feeds missing.

    Analysed once per build and shared by the three transit steps. Raises
    ``MissingDataError`` when no GTFS feed is in the data directory.
    """
    return ctx.derived("trafikdagar", _analyse_feeds)


def _analyse_feeds(ctx: BuildContext) -> tuple[list[avgangar.Trafikdag], tuple[str, ...]]:
    """Load each GTFS feed present, choose its service day and count its departures."""
    settings = ctx.settings.stomlinje
    found, notes, reasons = [], [], []
    for name, loader in FEEDS:
        try:
            feed = ctx.source(name, loader)
        except MissingDataError as exc:
            reasons.append(str(exc))
            continue
        day = service_day(feed, configured=settings.service_date,
                          weekday=settings.service_weekday)
        found.append(avgangar.analyse(name, feed, day, settings))
        if found[-1].deps.empty:
            first, last = validity_window(feed)
            notes.append(f"{name}: inga turer {day} (tidtabellen gäller {first}–{last})")
    if not found:
        raise MissingDataError("; ".join(reasons))
    if gtfs.REGIONAL.name not in {f.flode for f in found}:
        notes.insert(0, BUS_MISSING_SV)
    return found, tuple(notes)


def _provenance(days: list[avgangar.Trafikdag], ctx: BuildContext) -> dict:
    """Service day per feed, the classification settings, and the missing bus feed."""
    out = {"trafikdag": {f.flode: f.day.isoformat() for f in days},
           "stomlinjeregel": asdict(ctx.settings.stomlinje)}
    if gtfs.REGIONAL.name not in out["trafikdag"]:
        out["saknas"] = {"buss": {"sv": BUS_MISSING_SV, "en": BUS_MISSING_EN}}
    return out


def _stack(parts: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate per-feed layer frames (all EPSG:3006)."""
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)


def hallplatser_step(ctx: BuildContext) -> StepOutput:
    """Stations of the region with departures per day, hourly profile, lines and class."""
    days, notes = feed_days(ctx)
    kommuner = ctx.layer("kommuner")
    frame = _stack([
        hallplatser.build(f, kommuner=kommuner, settings=ctx.settings.stomlinje) for f in days])
    return StepOutput(frame, notes=notes, extra_provenance=_provenance(days, ctx))


def stomlinjer_step(ctx: BuildContext) -> StepOutput:
    """Segments between consecutive stations touching the region, by trips/day and class."""
    days, notes = feed_days(ctx)
    stations = ctx.layer("hallplatser")
    frame = _stack([
        stomlinjer.build(f, region_stations=pd.Index(
            stations.loc[stations["flode"] == f.flode, "station_id"]))
        for f in days])
    schematic = int(frame["schematisk"].sum())
    if schematic:
        notes += (f"{schematic} sträckor ritas som raka linjer (schematiskt): shapes.txt "
                  "saknas eller går bara från hållplats till hållplats",)
    return StepOutput(frame, notes=notes, extra_provenance=_provenance(days, ctx))


def upptagningsomraden_step(ctx: BuildContext) -> StepOutput:
    """Catchments around stomlinje stations (along roads when loaded), and population within."""
    days, _ = feed_days(ctx)
    try:
        network = road_network(ctx)
        method = "längs vägnätet (OpenStreetMap)"
    except MissingDataError as exc:
        network, method = None, f"fågelvägsbuffert: inget vägnät ({exc})"
    grid = built_grid(ctx)
    population = (grid.kalla if grid is not None else
                  "tätorternas folkmängd efter andel av ytan inom området; landsbygd kräver "
                  "befolkning per ruta")
    provenance = {**_provenance(days, ctx), "metod": method, "befolkning": population}
    zones = upptagningsomraden.build(ctx.layer("hallplatser"), settings=ctx.settings.stomlinje,
                                     network=network)
    try:
        rows = upptagningsomraden.indicators(
            zones, kommuner=ctx.layer("kommuner"), tatorter=ctx.layer("tatorter"),
            tatort_points=ctx.source("tatortspunkter", tatortspunkter.load),
            grid=None if grid is None else grid.allocation,
            grid_kalla="" if grid is None else grid.kalla)
    except MissingDataError as exc:
        return StepOutput(zones, notes=(f"inga befolkningsindikatorer: {exc}",),
                          extra_provenance=provenance)
    return StepOutput(zones, indicators=rows, extra_provenance=provenance)


STEPS = [
    Step(hallplatser.SPEC, hallplatser_step),
    Step(stomlinjer.SPEC, stomlinjer_step),
]
# upptagningsomraden uses the befolkning grid, so it runs after the population steps
CATCHMENT_STEPS = [Step(upptagningsomraden.SPEC, upptagningsomraden_step)]
