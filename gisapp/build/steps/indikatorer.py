"""Build steps for broadband and the kommun indicators (population, share in tätort, education).

Each step loads its sources through ``ctx.source`` (so the manifest records them), calls pure
``layers`` functions and returns the layer frame plus long-format indicator rows. A step whose
source is absent raises ``MissingDataError`` with instructions; the layer is then listed as
"saknar data".
"""

from __future__ import annotations

import pandas as pd

from data_sources import (
    befolkning,
    bredband,
    klassning,
    kommunpanel,
    tatortspunkter,
)
from data_sources.base import SourceMeta
from data_sources.errors import MissingDataError
from gisapp.build.pipeline import BuildContext, Step, StepOutput
from gisapp.build.steps.befolkning import Grid, built_grid
from layers import befolkningsruta as grid_layer
from layers import bredband as bredband_layer
from layers import indikatorer, kommunindikatorer
from layers.befolkning import population_split


def kalla(meta: SourceMeta) -> str:
    """Return the ``kalla`` text of indicator rows: publisher and title (year in ``ar``)."""
    return f"{meta.publisher}: {meta.title}"


def bredband_step(ctx: BuildContext) -> StepOutput:
    """Broadband access per kommun (PTS); ``MissingDataError`` without a PTS table."""
    meta = bredband.available(ctx.data_dir)
    if meta is None:
        msg = f"PTS bredbandskartläggning saknas. {bredband.how_to_get()}"
        raise MissingDataError(msg)
    table = ctx.source(meta.name, bredband.LOADERS[meta.name])
    kommuner = ctx.layer("kommuner")
    rows = indikatorer.broadband_rows(table, kommunkoder=kommuner["kommunkod"].tolist(),
                                      kalla=kalla(meta))
    rows = indikatorer.combine({"bredband": rows})
    notes = [f"Läst från {meta.files[0].path} ({meta.title})"]
    missing = sorted(set(kommuner["kommunkod"]) - set(rows["kommunkod"]))
    if missing:
        notes.append(f"PTS-tabellen saknar {len(missing)} av regionens kommuner: "
                     f"{', '.join(missing)}")
    if rows["teljare"].isna().any():
        notes.append("PTS-tabellen har andelar men inte antal hushåll/arbetsställen: landsbygd "
                     "(småort + utanför) och läns- och gruppvärden kan inte vägas och visas "
                     "som saknade")
    return StepOutput(bredband_layer.build(kommuner, rows), indicators=rows, notes=tuple(notes))


def _classifications(ctx: BuildContext) -> dict:
    """Every classification table present in the data directory, by id."""
    tables = {}
    for key in klassning.available(ctx.data_dir):
        meta = klassning.CLASSIFICATIONS[key]
        tables[key] = ctx.source(meta.name, lambda d, key=key: klassning.load(d, key))
    return tables


def _population_parts(ctx: BuildContext, kommuner) -> tuple[dict, list[str]]:
    """Population and share-in-tätort rows, or none (with a note) when the inputs are absent.

    With the population grid, the share in tätort is measured on it (one year) and
    ``befolkning`` is SCB's register total only; without it, ``befolkning`` also gives
    tätort (SCB 2020 points) and landsbygd (total − tätort), their years side by side.
    """
    found = built_grid(ctx)
    if found is not None:
        return _grid_population_parts(ctx, kommuner, found)
    try:
        points = ctx.source("tatortspunkter", tatortspunkter.load)
    except MissingDataError as exc:
        return {}, [f"Folkmängd per tätort saknas: {exc}"]
    split = population_split(kommuner, points)
    if split.empty:
        return {}, ["Folkmängd saknas för regionens kommuner: "
                    + befolkning.META.files[0].how_to_get]
    ctx.source("befolkning", befolkning.load)  # the totals came in through the kommuner layer
    pop_kalla = f"{kalla(befolkning.META)}; {kalla(tatortspunkter.META)}"
    parts = {"befolkning": indikatorer.population_rows(split, kalla=pop_kalla),
             "andel_i_tatort": indikatorer.tatort_share_rows(split, kalla=pop_kalla)}
    return parts, ["Landsbygd = kommunens folkmängd (Kolada/SCB) − tätorterna (SCB 2020); "
                   "åren anges sida vid sida (inget befolkningsrutnät)."]


def _grid_population_parts(ctx: BuildContext, kommuner, found: Grid) -> tuple[dict, list[str]]:
    """SCB's register total per kommun, and the share in tätort measured on the grid."""
    sums = grid_layer.population_by_area(found.allocation.parts,
                                         kommunkoder=kommuner["kommunkod"].tolist())
    parts = {"andel_i_tatort": indikatorer.tatort_share_rows(sums.assign(ar=found.year),
                                                             kalla=found.kalla)}
    register = kommuner.dropna(subset=["invanare"])
    if len(register):
        ctx.source("befolkning", befolkning.load)  # the totals came in through kommuner
        whole = pd.DataFrame({"kommunkod": register["kommunkod"], "omrade": "hela_kommunen",
                              "befolkning": register["invanare"].astype("float64"),
                              "ar": register["invanare_ar"].astype(str)})
        parts["befolkning"] = indikatorer.population_rows(whole, kalla=kalla(befolkning.META))
    return parts, [f"Andel i tätort mätt på befolkningsrutnätet {found.year}; folkmängden är "
                   "SCB:s registersiffra (hela kommunen)."]


def _education_parts(ctx: BuildContext, kommunkoder: list[str]) -> tuple[dict, list[str]]:
    """Post-secondary education rows (SCB panel, ages 16–74) when the panel is present."""
    if not kommunpanel.META.available(ctx.data_dir):
        return {}, []
    panel = ctx.source("scb_kommunpanel", kommunpanel.load)
    rows = indikatorer.panel_rows(panel, kommunkoder=kommunkoder,
                                  kalla=kalla(kommunpanel.META))
    years = sorted(set(rows["ar"]))
    if not years:  # the panel holds another region's kommuner
        return {}, []
    return {"kommunpanel": rows}, [
        "Eftergymnasial utbildning: andel av 16–74 år (SCB-panel), inte Koladas 25–64 år.",
        f"Förändring över tid: folkmängd, åldersstruktur och utbildning {years[0]}–{years[-1]} "
        f"({len(years)} år, SCB-panelen)."]


def indikatorer_step(ctx: BuildContext) -> StepOutput:
    """Build population, share in tätort and education per kommun, with classifications."""
    kommuner = ctx.layer("kommuner")
    population, notes = _population_parts(ctx, kommuner)
    education, education_notes = _education_parts(ctx, kommuner["kommunkod"].tolist())
    classes = _classifications(ctx)
    parts = {**population, **education}
    if not any(not frame.empty for frame in parts.values()) and not classes:
        msg = "no population, education or classification source for the region's kommuner"
        raise MissingDataError(msg)
    table = indikatorer.combine(parts)
    frame = kommunindikatorer.build(kommuner, indikatorer.latest(table), classes)
    return StepOutput(frame, indicators=table, notes=tuple(notes + education_notes))


STEPS = [
    Step(bredband_layer.SPEC, bredband_step),
    Step(kommunindikatorer.SPEC, indikatorer_step),
]
