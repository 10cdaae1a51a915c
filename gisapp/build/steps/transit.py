"""Build steps of the stomlinjenät: stations, segments, tätort access and catchments.

The layers ``hallplatser``, ``stomlinjer``, ``tatort_stomlinje`` and ``upptagningsomraden``.
Every GTFS source present in the data directory is analysed together on one day (or the mean
of a month's weekdays): :func:`layers.tidtabeller.merge` matches their stations, counts a
train found in two feeds once and leaves out, with its own period, a feed that does not
cover the day. The coverage (:mod:`layers.tackning`) of the region's expected stations and
operators goes into the provenance with one sentence per language; the stomlinje indicators
of kommuner whose stations are not all covered are left empty with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data_sources import gtfs, rinf, stationer, tatortspunkter
from data_sources.errors import MissingDataError
from gisapp.build.network import road_network
from gisapp.build.pipeline import BuildContext, Step, StepOutput
from gisapp.build.steps.befolkning import built_grid
from layers import (
    bannat,
    hallplatser,
    stomlinjer,
    tackning,
    tatort_stomlinje,
    tidtabeller,
    upptagningsomraden,
)
from layers.forvantad_trafik import expected_for
from layers.korridorer import Korridorer, corridors

# In order of preference: a trip found in two feeds is counted from the first.
FEEDS: tuple[tuple[str, Callable[[Path], gtfs.Feed]], ...] = (
    (gtfs.RAIL.name, gtfs.load_rail),
    (gtfs.REGIONAL.name, gtfs.load_regional),
    (gtfs.RAIL_2025.name, gtfs.load_rail_2025),
)
# Any region but Värmland alone: the national feeds the Värmland subsets were cut from.
NATIONAL_FEEDS: tuple[tuple[str, Callable[[Path], gtfs.Feed]], ...] = (
    (gtfs.RAIL_NATIONAL.name, gtfs.load_rail_national),
    (gtfs.REGIONAL.name, gtfs.load_regional),
    (gtfs.RAIL_2025_NATIONAL.name, gtfs.load_rail_2025_national),
)
SUBSET_REGION = "17"  # the region the folder feeds (trips calling in Värmland) cover
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
NO_REGISTER = ("Trafikverkets stationsregister saknas: stationer matchas mellan tidtabeller "
               "bara på namn och läge, och förväntade stationer utan tidtabell kan inte visas")
NO_RINF = ("RINF-nätet saknas: tåg ritas som raka linjer mellan stationerna och räknas per "
           "sträcka mellan två uppehåll")


@dataclass(frozen=True)
class Transit:
    """The network of one build: merged timetables, coverage, corridors, notes."""

    natdag: tidtabeller.Natdag
    tackning: tackning.Tackning
    korridorer: Korridorer
    notes: tuple[str, ...]


def transit(ctx: BuildContext) -> Transit:
    """The merged network of the build, analysed once and shared by the transit steps.

    Raises ``MissingDataError`` when no GTFS feed is in the data directory.
    """
    return ctx.derived("transit", _analyse)


def _feeds(ctx: BuildContext) -> list[tuple[str, gtfs.Feed]]:
    """Every GTFS source present, in :data:`FEEDS` order.

    :data:`NATIONAL_FEEDS` for a region other than Värmland alone: the folder feeds hold
    only trips calling in Värmland.
    """
    found, reasons = [], []
    feeds = FEEDS if ctx.settings.lanskod == SUBSET_REGION else NATIONAL_FEEDS
    for name, loader in feeds:
        try:
            found.append((name, ctx.source(name, loader)))
        except MissingDataError as exc:
            reasons.append(str(exc))
    if not found:
        raise MissingDataError("; ".join(reasons))
    return found


def _analyse(ctx: BuildContext) -> Transit:
    """Merge the feeds, state the coverage, attach the stations to RINF, count corridors."""
    settings = ctx.settings.stomlinje
    notes = []
    register = ctx.optional(stationer.META.name, stationer.load)
    if register is None:
        register = gpd.GeoDataFrame({"signatur": [], "namn": [], "lokalkod": []},
                                    geometry=[], crs="EPSG:3006")
        notes.append(NO_REGISTER)
    natdag = tidtabeller.merge(_feeds(ctx), register, settings)
    region = expected_for(settings.expected_traffic, ctx.settings.lanskod)
    cover = tackning.coverage(natdag, register, region, ctx.layer("kommuner"))
    network = ctx.optional(rinf.META.name, rinf.load)
    net = None
    if network is None:
        notes.append(NO_RINF)
    else:
        points = pd.concat([natdag.stations[["geometry"]], cover.stations[["geometry"]]])
        points = gpd.GeoDataFrame(points[~points.index.duplicated()], crs=natdag.stations.crs)
        net = bannat.attach(bannat.graph(network), points, match_m=settings.rinf_match_m,
                            snap_m=settings.rinf_snap_m)
    notes += [f"{f.flode}: {f.orsak}" for f in natdag.feeds if not f.anvand]
    notes += [f"{f.flode}: {f.dubbletter} turer finns redan i en tidigare tidtabell och "
              "räknas en gång" for f in natdag.feeds if f.dubbletter]
    notes += list(cover.notes)
    if natdag.deps.empty:
        notes.append(f"inga turer {natdag.dag.label_sv} i någon tidtabell")
    return Transit(natdag, cover, corridors(natdag, net, settings), tuple(notes))


def _buses_missing(t: Transit) -> bool:
    """Whether an expected bus operator has no trips here (no expectations: no bus at all)."""
    ops = t.tackning.operators
    expected = ops[ops["trafikslag"] == "buss"]
    if len(expected):
        return bool((expected["status"] != "med").any())
    return not (t.natdag.deps["trafikslag"] == "buss").any()


def _provenance(t: Transit, ctx: BuildContext) -> dict:
    """Day(s), feeds with their periods, coverage, rule settings and missing modes."""
    natdag = t.natdag
    feeds = [{**asdict(f), "giltig_fran": f.giltig_fran.isoformat(),
              "giltig_till": f.giltig_till.isoformat()} for f in natdag.feeds]
    uncovered = t.tackning.kommuner[~t.tackning.kommuner["komplett"]]
    out = {
        "trafikdag": dict.fromkeys(natdag.used, natdag.dag.label_sv),
        "analysdag": {"sv": natdag.dag.label_sv, "en": natdag.dag.label_en,
                      "dagar": [d.isoformat() for d in natdag.dag.days]},
        "tidtabeller": feeds,
        "tackning": {lang: tackning.sentence(t.tackning, lang) for lang in ("sv", "en")},
        "kommuner_utan_tackning": {r.kommunkod: {"sv": r.orsak_sv, "en": r.orsak_en}
                                   for r in uncovered.itertuples()},
        "stomlinjeregel": asdict(ctx.settings.stomlinje),
    }
    if _buses_missing(t):
        out["saknas"] = {"buss": {"sv": BUS_MISSING_SV, "en": BUS_MISSING_EN}}
    return out


def hallplatser_step(ctx: BuildContext) -> StepOutput:
    """Stations of the region with departures, hourly profile, lines, class and status."""
    t = transit(ctx)
    frame = hallplatser.build(t.natdag, t.korridorer, t.tackning, settings=ctx.settings.stomlinje)
    return StepOutput(frame, notes=t.notes, extra_provenance=_provenance(t, ctx))


def stomlinjer_step(ctx: BuildContext) -> StepOutput:
    """Network segments touching the region, by trips per day and corridor class."""
    t = transit(ctx)
    stations = ctx.layer("hallplatser")
    frame = stomlinjer.build(t.korridorer, t.natdag, t.tackning, region_stations=pd.Index(
        stations["station_id"]), settings=ctx.settings.stomlinje)
    notes = t.notes
    schematic = int(frame["schematisk"].sum())
    if schematic:
        notes += (f"{schematic} sträckor ritas som raka linjer (schematiskt): ingen väg i "
                  "RINF-nätet och inga riktiga shapes.txt",)
    return StepOutput(frame, notes=notes, extra_provenance=_provenance(t, ctx))


def _optional_road_network(ctx: BuildContext):
    """The road network and a label of the method, or ``None`` and why straight lines."""
    try:
        return road_network(ctx), "längs vägnätet (OpenStreetMap)"
    except MissingDataError as exc:
        return None, f"fågelvägen: inget vägnät ({exc})"


def tatort_stomlinje_step(ctx: BuildContext) -> StepOutput:
    """Each tätort's nearest stomlinje stop, its distance and departures."""
    t = transit(ctx)
    points = ctx.source("tatortspunkter", tatortspunkter.load)
    points = points[points["kommunkod"].isin(ctx.layer("kommuner")["kommunkod"])]
    network, method = _optional_road_network(ctx)
    frame = tatort_stomlinje.build(points, ctx.layer("hallplatser"),
                                   settings=ctx.settings.stomlinje,
                                   polygons=ctx.layers.get("tatorter"), network=network)
    return StepOutput(frame, extra_provenance={**_provenance(t, ctx), "metod": method})


def upptagningsomraden_step(ctx: BuildContext) -> StepOutput:
    """Catchments around stomlinje stations (along roads when loaded), and population within.

    A kommun whose expected stations are not all served gets empty indicators with the
    coverage reason (:func:`layers.tackning.blank_uncovered`), never a 0 % for a missing
    timetable.
    """
    t = transit(ctx)
    network, method = _optional_road_network(ctx)
    grid = built_grid(ctx)
    population = (grid.kalla if grid is not None else
                  "tätorternas folkmängd efter andel av ytan inom området; landsbygd kräver "
                  "befolkning per ruta")
    provenance = {**_provenance(t, ctx), "metod": method, "befolkning": population}
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
    return StepOutput(zones, indicators=tackning.blank_uncovered(rows, t.tackning),
                      extra_provenance=provenance)


STEPS = [
    Step(hallplatser.SPEC, hallplatser_step),
    Step(stomlinjer.SPEC, stomlinjer_step),
    Step(tatort_stomlinje.SPEC, tatort_stomlinje_step),
]
# upptagningsomraden uses the befolkning grid, so it runs after the population steps
CATCHMENT_STEPS = [Step(upptagningsomraden.SPEC, upptagningsomraden_step)]
