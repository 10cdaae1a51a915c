"""Build step of the ``befolkning`` layer: SCB's population grid, by kommun, tätort and landsbygd.

The grid (:mod:`data_sources.befolkningsruta`, the preferred file of the data directory) is
read and allocated once per build (:func:`grid`, shared through ``ctx.derived``): squares
to kommuner by centre — against the national kommun polygons, then clipped to the region —
and each square's persons to the tätorter it overlaps and landsbygd
(:func:`layers.befolkningsruta.allocate`). The allocation feeds ``befolkning`` (the squares
and ``befolkning_ruta``), ``upptagningsomraden`` (persons within the catchments),
``tillganglighet`` (origins) and the share in tätort of ``kommunindikatorer``, all of one
grid year.
"""

from __future__ import annotations

from dataclasses import dataclass

from data_sources import befolkningsruta, kommuner
from data_sources.errors import MissingDataError
from gisapp.build.pipeline import BuildContext, Step, StepOutput
from layers import befolkningsruta as grid_layer
from layers import indikatorer

KALLA = ("SCB: befolkning per ruta {ar} ({storlek} m), fördelad på tätort och landsbygd efter "
         "rutans yta i tätorterna (Lantmäteriet 2018) anpassad till tätorternas folkmängd "
         "(SCB 2020)")


@dataclass(frozen=True)
class Grid:
    """The build's population grid: its file and the allocation of its squares."""

    file: befolkningsruta.GridFile
    allocation: grid_layer.Allocation

    @property
    def year(self) -> str:
        """Reference year (31 December) of the grid."""
        return self.file.year

    @property
    def kalla(self) -> str:
        """``kalla`` of every indicator row measured on the grid."""
        return KALLA.format(ar=self.file.year, storlek=self.file.size_m)


def grid(ctx: BuildContext) -> Grid:
    """The build's allocated grid (computed once); ``MissingDataError`` without a grid."""
    return ctx.derived("befolkningsruta", _allocate)


def built_grid(ctx: BuildContext) -> Grid | None:
    """The allocated grid when this build made the ``befolkning`` layer, else ``None``."""
    return grid(ctx) if "befolkning" in ctx.layers else None


def _allocate(ctx: BuildContext) -> Grid:
    """Load the grid, place its squares in the region's kommuner and share them out."""
    squares = ctx.source(befolkningsruta.META.name, befolkningsruta.load)
    region = ctx.layer("kommuner")
    polygons = ctx.optional(kommuner.META.name, kommuner.load)
    settings = ctx.settings.befolkningsruta
    placed = grid_layer.assign_kommun(squares, region if polygons is None else polygons,
                                      settings=settings)
    placed = placed[placed["kommunkod"].isin(region["kommunkod"])]
    file = befolkningsruta.preferred(ctx.data_dir)
    uncovered = sorted(set(region["kommunkod"]) - set(placed["kommunkod"]))
    if uncovered:
        msg = (f"{file.path} täcker inte regionens kommun(er) {', '.join(uncovered)} (en "
               "regional fil?): lägg SCB:s rikstäckande befolkning per ruta i population/")
        raise MissingDataError(msg)
    return Grid(file, grid_layer.allocate(placed, ctx.layer("tatorter"), settings=settings))


def _notes(found: Grid) -> tuple[str, ...]:
    """What the build says about the grid: file, squares, the fit and what it could not meet."""
    allocation = found.allocation
    squares = allocation.squares
    fit = allocation.fit
    short = fit[fit["skillnad"] < -2]  # beyond rounding
    notes = [f"{found.file.path} ({found.file.size_m} m, {found.year}): {len(squares)} befolkade "
             f"rutor i regionen, {int(squares['befolkning'].sum())} invånare",
             f"Tätort/landsbygd: {len(fit)} tätorter fördelade efter yta och SCB:s folkmängd "
             f"2020; {int(fit['fordelat'].sum())} i tätort mot {int(fit['mal'].sum())} enligt SCB"]
    if len(short):
        notes.append(f"{len(short)} tätorter har färre invånare i sina rutor än 2020 (kortast "
                     f"{short.sort_values('skillnad').iloc[0]['tatort']}); "
                     f"{-int(short['skillnad'].sum())} personer räknas därför som landsbygd")
    return tuple(notes)


def befolkning_step(ctx: BuildContext) -> StepOutput:
    """The grid squares with their tätort and landsbygd persons, and ``befolkning_ruta``."""
    found = grid(ctx)
    kommunkoder = ctx.layer("kommuner")["kommunkod"].tolist()
    sums = grid_layer.population_by_area(found.allocation.parts, kommunkoder=kommunkoder)
    rows = indikatorer.grid_population_rows(sums, ar=found.year, kalla=found.kalla)
    extra = {"befolkningsruta": {"fil": found.file.path, "lager": found.file.layer,
                                 "ar": found.year, "rutstorlek_m": found.file.size_m,
                                 "tatorter": found.allocation.fit.to_dict("records")}}
    return StepOutput(grid_layer.squares_layer(found.allocation), indicators=rows,
                      notes=_notes(found), extra_provenance=extra)


STEPS = [Step(grid_layer.SPEC, befolkning_step)]
