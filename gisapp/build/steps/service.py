"""Build step of the ``service`` layer: Pipos exports, schools, parcel/post points and OSM."""

from __future__ import annotations

from data_sources import osm, paketombud, pipos, skolor
from data_sources.errors import MissingDataError
from gisapp.build.pipeline import BuildContext, Step, StepOutput
from layers import service as service_layer


def service_step(ctx: BuildContext) -> StepOutput:
    """Service points of every source present, deduplicated, with those across the border.

    Points outside the region but within ``service_border_km`` of it are kept as
    destinations (``i_regionen`` false), so that distances near the län border are not
    overstated when the sources cover the neighbours too. The coverage of every category
    (count, source, date; how to get the missing ones) goes into the provenance, for the
    legend and the panel notes.
    """
    kommuner = ctx.layer("kommuner")
    kommunkoder = kommuner["kommunkod"].tolist()
    border_km = ctx.settings.service_border_km
    parts, notes, unlocated = [], [], {}
    pipos_frame = ctx.optional("pipos", pipos.load)
    if pipos_frame is not None:
        parts.append(service_layer.from_pipos(pipos_frame))
    skolor_frame = ctx.optional("skolor", skolor.load)
    if skolor_frame is not None:
        located, _ = service_layer.from_skolor(
            skolor_frame, date=skolor.year_of(ctx.data_dir) or skolor.META.reference_year)
        region = skolor_frame[skolor_frame["kommunkod"].isin(kommunkoder)]
        lacking = region[region.geometry.isna()]["skolform"].map(service_layer.SKOLFORM)
        unlocated = {k: int(n) for k, n in lacking.value_counts().items()}
        parts.append(located)
        notes.append(f"{sum(unlocated.values())} skolenheter saknar koordinater i registret "
                     "och visas inte (inga koordinater gissas)")
    ombud = ctx.optional("paketombud", paketombud.load)
    if ombud is not None:
        parts.append(service_layer.from_paketombud(ombud, date=paketombud.META.reference_year))
    osm_frame = ctx.optional("osm_service", osm.load)
    if osm_frame is not None:
        parts.append(service_layer.from_osm(osm_frame, kommuner,
                                            date=osm.extract_date(ctx.data_dir)))
    if not parts:
        msg = ("no service-point source (Pipos export, Skolenhetsregistret, paketombud, OSM "
               "extract) in the data directory")
        raise MissingDataError(msg)
    near = kommuner.union_all().buffer(border_km * 1000)
    frame, dropped = service_layer.deduplicate(
        service_layer.build(parts, kommunkoder=kommunkoder, near_region=near),
        max_m=ctx.settings.service_dedup_m)
    notes.append(f"{dropped} dubbletter (samma plats och kategori i två källor, inom "
                 f"{ctx.settings.service_dedup_m:.0f} m) borttagna")
    notes.append(service_layer.border_note(frame, border_km))
    return StepOutput(frame, notes=tuple(notes), extra_provenance={
        "tackning": service_layer.coverage(frame, unlocated=unlocated)})


STEPS = [Step(service_layer.SPEC, service_step)]
