"""Build step of the ``tillganglighet`` layer: origins, service points and (if any) roads.

Origins are the population grid squares, each split into its tätort and landsbygd part, when
the ``befolkning`` layer was built; else SCB's 2020 tätort points, as a labelled fallback
(landsbygd then has no origins and is reported as missing, never zero).
Distances run along the road network when ``osm/region.osm.pbf`` is in the data directory,
else straight-line (``fågelvägen``, labelled).
"""

from __future__ import annotations

import pandas as pd

from data_sources import skolor, tatortspunkter
from data_sources.errors import MissingDataError
from gisapp.build.network import road_network
from gisapp.build.pipeline import BuildContext, Step, StepOutput
from gisapp.build.steps.befolkning import built_grid
from layers import befolkningsruta as grid_layer
from layers import tillganglighet as layer
from layers import tillganglighet_ruta as squares_layer
from layers.accessibility import NETWORK, STRAIGHT, accessibility
from layers.befolkning import population_split
from layers.service import CATEGORIES, SKOLFORM, border_note, how_to_get


def _origins(ctx: BuildContext, kommuner) -> tuple[object, list[str], str, float | None]:
    """Grid squares' parts when built, else tätort points; notes, population year, square size."""
    found = built_grid(ctx)
    if found is not None:
        origins = layer.origins_from_grid(grid_layer.origins(found.allocation), kommuner)
        note = (f"Ursprung: befolkningsrutor ({found.file.path}, {found.year}), varje ruta "
                f"delad i tätorts- och landsbygdsdel: {len(origins)} ursprung.")
        return origins, [note], found.year, float(found.file.size_m)
    points = ctx.source("tatortspunkter", tatortspunkter.load)
    origins = layer.origins_from_tatorter(points, kommuner)
    split = population_split(kommuner, points).groupby("omrade")["befolkning"].sum()
    covered = ""
    if split.get("hela_kommunen", 0) > 0:
        covered = (f" Tätortspunkterna täcker {split['tatort'] / split['hela_kommunen']:.0%} av "
                   "befolkningen (tätort 2020 / kommunen senaste år).")
    note = ("Reserv: ursprung är SCB:s tätortspunkter 2020 (inget befolkningsrutnät). "
            "Landsbygd och hela kommunen saknar data; de redovisas inte." + covered)
    return origins, [note], tatortspunkter.META.reference_year, None


def _incomplete_school_forms(ctx: BuildContext, kommunkoder: list[str]) -> dict[str, int]:
    """School categories with units lacking coordinates in the region (category → count)."""
    try:
        schools = ctx.source("skolor", skolor.load)
    except MissingDataError:
        return {}
    region = schools[schools["kommunkod"].isin(kommunkoder) & schools["skolform"].isin(SKOLFORM)]
    lacking = region[region.geometry.isna()]["skolform"].map(SKOLFORM).value_counts()
    return {kategori: int(n) for kategori, n in lacking.items() if n > 0}


def _measured(origins, services, network, categories: list[str], kommuner, settings,
              notes: list[str]):
    """:func:`accessibility` per group of categories, from origins in the län they cover.

    A category whose points lie in only some of the region's län (a regional export in a
    national build) is measured there only, and a note names those län.
    """
    region_lan = sorted(set(kommuner["lanskod"]))
    parts = []
    for lan, group in layer.covered_lan(services, categories, region_lan).items():
        if list(lan) != region_lan:
            notes.append(f"{', '.join(group)}: källorna har punkter bara i län "
                         f"{', '.join(lan)}; avstånden mäts bara där")
        inside = origins[origins["kommunkod"].str[:2].isin(lan)]
        parts.append(accessibility(inside, services, network, categories=group,
                                   snap_speed_kmh=settings.snap_speed_kmh))
    if not parts:
        return accessibility(origins, services, network, categories=categories,
                             snap_speed_kmh=settings.snap_speed_kmh)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def tillganglighet_step(ctx: BuildContext) -> StepOutput:
    """Distance (and car time) from where people live to the nearest service per category."""
    kommuner = ctx.layer("kommuner")
    services = ctx.layer("service")
    settings = ctx.settings
    origins, notes, year, square_m = _origins(ctx, kommuner)
    population = (f"befolkning SCB per ruta {year}" if square_m is not None
                  else f"befolkning SCB tätortspunkter {year} (reserv)")
    incomplete = _incomplete_school_forms(ctx, kommuner["kommunkod"].tolist())
    notes += [f"{kategori}: {n} skolenheter saknar koordinater; avståndet beräknas inte "
              "(det skulle överskattas)" for kategori, n in incomplete.items()]
    notes.append(border_note(services, settings.service_border_km))
    categories = sorted(set(services["kategori"]) - set(incomplete))
    try:
        network = road_network(ctx)
    except MissingDataError:
        network = None
        notes.append(f"Avstånd fågelvägen: inget vägnät. {layer.SPEC.how_to_add_sv}")
    access = _measured(origins, services, network, categories, kommuner, settings, notes)
    method = STRAIGHT if network is None else NETWORK
    sources = {
        kategori: "; ".join(sorted(set(services.loc[services["kategori"] == kategori, "kalla"])))
        + f"; {population}; avstånd {method}"
        for kategori in categories
    }
    indicators = layer.indicators(
        access, thresholds_km=settings.service_thresholds_km,
        thresholds_min=settings.service_thresholds_min, year=year, sources=sources)
    extra = {"metod": method, "kategorier": categories, "ursprung": len(origins),
             "rutstorlek_m": square_m}
    if network is not None:
        extra["natverk"] = {"noder": network.n_nodes, "lankar": network.n_edges}
        unreachable = access.loc[~access["nabar"], "id"].nunique()
        notes.append(f"{unreachable} ursprung når inte närmaste service längs vägnätet")
    return StepOutput(layer.build(access), indicators=indicators, notes=tuple(notes),
                      extra_provenance={"tillganglighet": extra})


def _squares_step(kategori: str):
    """The step of one category's squares layer (:mod:`layers.tillganglighet_ruta`)."""

    def squares_step(ctx: BuildContext) -> StepOutput:
        access = ctx.layer("tillganglighet")
        found = built_grid(ctx)
        if found is None:
            msg = "kräver befolkningsrutnätet (population/): ursprungen är tätortspunkter"
            raise MissingDataError(msg)
        if kategori not in set(access["kategori"]):
            services = ctx.layer("service")
            if kategori in set(services["kategori"]):
                msg = ("skolenheter saknar koordinater i registret: avståndet beräknas inte "
                       "(det skulle överskattas)")
            else:
                msg = f"inga servicepunkter i kategorin. Lägg till {how_to_get(kategori, 'sv')}"
            raise MissingDataError(msg)
        frame = squares_layer.build(access, kategori=kategori, size_m=float(found.file.size_m))
        method = frame["metod"].iloc[0]
        return StepOutput(frame, extra_provenance={"metod": method})

    return squares_step


STEPS = [Step(layer.SPEC, tillganglighet_step),
         *(Step(spec, _squares_step(kategori)) for kategori, spec in
           zip(CATEGORIES, squares_layer.SPECS, strict=True))]
