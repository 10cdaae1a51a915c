"""The ``service`` layer: everyday service points in one category taxonomy.

Categories (ids are stable, used in URLs): dagligvaror, apotek, vardcentral, grundskola,
gymnasieskola, drivmedel, post, bankomat, bibliotek. Each source maps onto them; a point
keeps its source and reference date.

Sources, best first (:data:`SOURCE_PRIORITY`): Tillväxtverket's Pipos exports (every
service type), Skolverket's Skolenhetsregistret, the parcel/post compilation
(:mod:`data_sources.paketombud`), OpenStreetMap. **Dedupe rule** (:func:`deduplicate`): a
point of a lower-ranked source lying within ``service_dedup_m`` (100 m) of a point of the
same category from a higher-ranked source is the same place and is dropped; points of one
source are never merged with each other (two shops 50 m apart are two shops).
:func:`coverage` states, per category, how many points each source gives and their date;
categories without points are listed with how to get them (:data:`HOW_TO_GET`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from layers import palette
from layers.spec import Categorized, LayerSpec, layer_texts, popups
from messages import labelled, text

# id -> (Swedish label, English label, colour from the Okabe–Ito colour-blind-safe palette);
# the labels are the catalogue's ``category.kategori.<id>``
CATEGORIES: dict[str, tuple[str, str, str]] = labelled("category.kategori", {
    "dagligvaror": palette.SERVICE["dagligvaror"],
    "apotek": palette.SERVICE["apotek"],
    "vardcentral": palette.SERVICE["vardcentral"],
    "grundskola": palette.SERVICE["grundskola"],
    "gymnasieskola": palette.SERVICE["gymnasieskola"],
    "drivmedel": palette.SERVICE["drivmedel"],
    "post": palette.SERVICE["post"],
    "bankomat": palette.SERVICE["bankomat"],
    "bibliotek": palette.SERVICE["bibliotek"],
})

# Pipos "Servicetyp" -> category
PIPOS_SERVICETYP = {
    "Apoteksvaror": "apotek",
    "Dagligvaror": "dagligvaror",
    "Drivmedel": "drivmedel",
    "Uttagsautomat": "bankomat",
    "Post": "post",
    "Posttjänster": "post",
    "Paketombud": "post",
}
# Skolenhetsregistret "SKOLFORM" -> category
SKOLFORM = {"Grundskola": "grundskola", "Gymnasieskola": "gymnasieskola"}
# OpenStreetMap (key, value) -> category (schools are taken from Skolverket's register only:
# OSM's amenity=school does not tell grundskola from gymnasieskola).
OSM_TAGS = {
    ("shop", "supermarket"): "dagligvaror",
    ("shop", "convenience"): "dagligvaror",
    ("shop", "grocery"): "dagligvaror",
    ("amenity", "pharmacy"): "apotek",
    ("amenity", "clinic"): "vardcentral",
    ("amenity", "doctors"): "vardcentral",
    ("healthcare", "centre"): "vardcentral",
    ("healthcare", "clinic"): "vardcentral",
    ("healthcare", "doctor"): "vardcentral",
    ("amenity", "fuel"): "drivmedel",
    ("amenity", "post_office"): "post",
    ("amenity", "parcel_locker"): "post",
    ("amenity", "atm"): "bankomat",
    ("amenity", "library"): "bibliotek",
}
# amenity=clinic/doctors counts as a vårdcentral unless its healthcare tag names another
# kind of care (a dentist, a physiotherapist, a laboratory …): OSM has no "vårdcentral" tag.
OSM_HEALTHCARE_VARDCENTRAL = {"clinic", "doctor", "centre", "yes"}
# Id prefix of each source, highest priority first: an official register keeps a place that
# OSM also maps.
SOURCE_PRIORITY = ("pipos:", "skola:", "ombud:", "osm:")
PAKETOMBUD_SOURCE = ("Post- och paketombud (sammanställning av okänd upphovsman, via "
                     "PredictiveMovement/digital-twin)")

# Where each category's points can come from when a build has none: the Pipos service type
# and file-name part (None: Pipos has no such type) and the OSM tags; schools come from
# Skolverket. The texts are the catalogue's ``service.how.*``.
HOW_TO_GET: dict[str, tuple[str | None, str, str] | None] = {
    "dagligvaror": ("Dagligvaror", "dagligvaror", "shop=supermarket/convenience"),
    "apotek": ("Apoteksvaror", "apoteksvaror", "amenity=pharmacy"),
    "vardcentral": (None, "", "amenity=clinic/doctors, healthcare=centre"),
    "grundskola": None,
    "gymnasieskola": None,
    "drivmedel": ("Drivmedel", "drivmedel", "amenity=fuel"),
    "post": ("Posttjänster", "posttjanster", "amenity=post_office/parcel_locker"),
    "bankomat": ("Uttagsautomat", "uttagsautomat", "amenity=atm"),
    "bibliotek": (None, "", "amenity=library"),
}


def how_to_get(kategori: str, lang: str) -> str:
    """How to add the points of ``kategori`` (a Pipos export, an OSM extract, the register)."""
    where = HOW_TO_GET[kategori]
    if where is None:
        return text("service.how.skolor", lang)
    typ, fil, tag = where
    osm = text("service.how.osm", lang, tag=tag)
    if typ is None:
        return osm
    return text("service.how.pipos", lang, typ=typ, fil=fil) + " " + osm

COLUMNS = ["id", "kategori", "namn", "adress", "kommunkod", "kalla", "datum", "geometry"]

SPEC = LayerSpec(
    id="service",
    **layer_texts("service"),
    theme="Service",
    geometry_type="Point",
    sources=("pipos", "skolor", "paketombud", "osm_service"),
    id_column="id",
    style={"radius": 4, "weight": 1, "color": palette.SYMBOL_STROKE, "fill": True,
           "fillOpacity": 0.9},
    categories=Categorized.of("kategori", CATEGORIES),
    popup=popups("service", "namn", "kategori_sv", "adress", "kalla", "datum"),
)


def from_pipos(pipos: gpd.GeoDataFrame, *, date: str | None = None) -> gpd.GeoDataFrame:
    """Map Pipos rows to the service schema; unknown service types are left out.

    Each point keeps its file's export date (``datum``) unless ``date`` is given.
    """
    out = pipos.assign(
        kategori=pipos["servicetyp"].map(PIPOS_SERVICETYP),
        kalla="Tillväxtverket, Pipos Serviceanalys",
        datum=date if date is not None else pipos["datum"],
        id="pipos:" + pipos["id"],
    ).dropna(subset=["kategori"])
    # a shop in two exports (groceries and pharmacy goods) is one id per category
    shared = out["id"].duplicated(keep=False)
    out.loc[shared, "id"] = out.loc[shared, "id"] + "@" + out.loc[shared, "kategori"]
    return out[COLUMNS]


def from_paketombud(places: gpd.GeoDataFrame, *, date: str) -> gpd.GeoDataFrame:
    """Map parcel/post places (:mod:`data_sources.paketombud`, one per place) to ``post``."""
    out = places.assign(kategori="post", kalla=PAKETOMBUD_SOURCE, datum=date,
                        id="ombud:" + places["id"],
                        namn=places["namn"] + " (" + places["operatorer"].str.replace(";", ", ")
                        + ")")
    return out[COLUMNS]


def from_skolor(skolor: gpd.GeoDataFrame, *, date: str) -> tuple[gpd.GeoDataFrame, int]:
    """Map located schools to the service schema; return them and the count without coordinates."""
    schools = skolor[skolor["skolform"].isin(SKOLFORM)]
    located = schools[schools.geometry.notna()]
    out = located.assign(
        kategori=located["skolform"].map(SKOLFORM),
        kalla="Skolverket, Skolenhetsregistret",
        datum=date,
        id="skola:" + located["id"],
    )
    return out[COLUMNS], int(schools.geometry.isna().sum())


def from_osm(
    osm: gpd.GeoDataFrame, kommuner: gpd.GeoDataFrame, *, date: str
) -> gpd.GeoDataFrame:
    """Map OSM amenities/shops (:mod:`data_sources.osm`) to the service schema.

    ``kommunkod`` comes from the kommun polygon holding the point; a point outside every
    kommun (across the län or national border: the extract reaches beyond the region) keeps
    an empty ``kommunkod``, so that :func:`build` can keep it as a destination near the
    border. Tags outside :data:`OSM_TAGS` are left out.
    """
    amenity = osm["amenity"].map(lambda v: OSM_TAGS.get(("amenity", v)))
    healthcare = osm.get("healthcare", pd.Series(None, index=osm.index, dtype=object))
    other_care = healthcare.notna() & ~healthcare.isin(OSM_HEALTHCARE_VARDCENTRAL)
    amenity = amenity.mask((amenity == "vardcentral") & other_care)
    centre = healthcare.map(lambda v: OSM_TAGS.get(("healthcare", v)))
    shop = osm["shop"].map(lambda v: OSM_TAGS.get(("shop", v)))
    mapped = osm.assign(kategori=amenity.fillna(centre).fillna(shop)).dropna(
        subset=["kategori"])
    located = gpd.sjoin(mapped, kommuner[["kommunkod", "geometry"]], how="left",
                        predicate="within")
    located = located[~located.index.duplicated()]  # a point on a shared border: one kommun
    out = located.assign(kalla="OpenStreetMap-bidragsgivare (ODbL)", datum=date,
                         id="osm:" + located["id"])
    return out[COLUMNS].reset_index(drop=True)


def deduplicate(frame: gpd.GeoDataFrame, *, max_m: float) -> tuple[gpd.GeoDataFrame, int]:
    """Drop points that repeat a place of the same category already given by a better source.

    Sources rank by :data:`SOURCE_PRIORITY` (id prefix); a point within ``max_m`` metres of a
    kept point of the same category from a higher-ranked source is the same place. Points of
    one source are never merged with each other. Returns the kept rows and the number dropped.
    """
    rank = frame["id"].map(lambda i: next(
        (n for n, prefix in enumerate(SOURCE_PRIORITY) if str(i).startswith(prefix)),
        len(SOURCE_PRIORITY)))
    keep = pd.Series(True, index=frame.index)
    for _, group in frame.groupby("kategori"):
        group_rank = rank[group.index]
        for level in sorted(set(group_rank))[1:]:
            better = group[(group_rank < level) & keep[group.index]]
            candidates = group[group_rank == level]
            distance = cKDTree(np.column_stack([better.geometry.x, better.geometry.y])).query(
                np.column_stack([candidates.geometry.x, candidates.geometry.y]))[0]
            keep[candidates.index[distance <= max_m]] = False
    return frame[keep].reset_index(drop=True), int((~keep).sum())


def build(parts: list[gpd.GeoDataFrame], *, kommunkoder: list[str],
          near_region: shapely.Geometry | None = None) -> gpd.GeoDataFrame:
    """Concatenate service parts, keep the region's, and add Swedish/English labels.

    A point is kept when its ``kommunkod`` is one of ``kommunkoder`` (``i_regionen`` true)
    or, if ``near_region`` is given (the region buffered by the border distance), when it lies
    there (``i_regionen`` false: a destination across the län border).
    Returns ``COLUMNS`` plus ``i_regionen``, ``kategori_sv`` and ``kategori_en``.
    """
    frame = pd.concat(parts, ignore_index=True)
    inside = frame["kommunkod"].isin(kommunkoder)
    near = (frame.geometry.within(near_region) if near_region is not None
            else pd.Series(False, index=frame.index))
    frame = frame[inside | near].assign(i_regionen=inside[inside | near]).reset_index(drop=True)
    frame["kategori_sv"] = frame["kategori"].map(lambda c: CATEGORIES[c][0])
    frame["kategori_en"] = frame["kategori"].map(lambda c: CATEGORIES[c][1])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=parts[0].crs)


def border_note(frame: gpd.GeoDataFrame, border_km: float) -> str:
    """Say how many destinations lie across the region's border, or warn that none do."""
    across = int((~frame["i_regionen"]).sum())
    if across:
        return f"{across} servicepunkter utanför regionen inom {border_km:.0f} km används som mål"
    return (f"Källorna har inga servicepunkter utanför regionen inom {border_km:.0f} km: nära "
            "länsgränsen (och mot Norge) kan närmaste service ligga på andra sidan, så "
            "avstånden där kan vara överskattade")


def coverage(frame: gpd.GeoDataFrame, *, unlocated: dict[str, int]) -> dict:
    """What the build has per category: counts, sources and dates; how to get the rest.

    ``frame`` is the built layer (with ``i_regionen``); ``unlocated`` counts the region's
    register entries without coordinates per category (schools: counted, never placed).
    Returns ``{"kategorier": {kategori: {antal, utanfor, utan_koordinater, kallor: [{kalla,
    datum, antal}]}}, "saknas": {kategori: {utan_koordinater}}, "legend": {kategori: text}}`` —
    ``legend`` is the count shown after the category's legend label.
    """
    present, missing, legend = {}, {}, {}
    for kategori in CATEGORIES:
        rows = frame[frame["kategori"] == kategori]
        inside = rows[rows["i_regionen"]]
        lacking = int(unlocated.get(kategori, 0))
        if rows.empty:
            missing[kategori] = {"utan_koordinater": lacking}
            continue
        sources = [{"kalla": kalla, "datum": "; ".join(sorted(set(group["datum"].astype(str)))),
                    "antal": int(group["i_regionen"].sum())}
                   for kalla, group in rows.groupby("kalla", sort=True)]
        present[kategori] = {"antal": len(inside), "utanfor": len(rows) - len(inside),
                             "utan_koordinater": lacking, "kallor": sources}
        legend[kategori] = (f"{len(inside)}/{len(inside) + lacking}" if lacking
                            else str(len(inside)))
    return {"kategorier": present, "saknas": missing, "legend": legend}


def coverage_notes(record: dict, lang: str) -> list[str]:
    """Panel notes from :func:`coverage`.

    First each category's sources with counts and dates, then each category without data
    and how to get it (:func:`how_to_get`).
    """
    notes = []
    label = 0 if lang == "sv" else 1
    for kategori, found in record.get("kategorier", {}).items():
        sources = ", ".join(f"{s['kalla']} {s['datum']}: {s['antal']}" for s in found["kallor"])
        line = text("service.coverage.present", lang, kategori=CATEGORIES[kategori][label],
                    antal=found["antal"], kallor=sources)
        if found["utan_koordinater"]:
            line += "; " + text("service.coverage.no_xy", lang, n=found["utan_koordinater"])
        if found["utanfor"]:
            line += "; " + text("service.coverage.outside", lang, n=found["utanfor"])
        notes.append(line)
    for kategori in record.get("saknas", {}):
        notes.append(text("service.coverage.missing", lang, kategori=CATEGORIES[kategori][label],
                          how=how_to_get(kategori, lang)))
    return notes
