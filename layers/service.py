"""The ``service`` layer: everyday service points in one category taxonomy.

Categories (ids are stable, used in URLs): dagligvaror, apotek, vardcentral, grundskola,
gymnasieskola, drivmedel, post, bankomat, bibliotek. Each source maps onto them; a point
keeps its source and reference date.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from layers import palette
from layers.spec import Categorized, LayerSpec, layer_texts, popups
from messages import labelled

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
    ("amenity", "fuel"): "drivmedel",
    ("amenity", "post_office"): "post",
    ("amenity", "parcel_locker"): "post",
    ("amenity", "atm"): "bankomat",
    ("amenity", "library"): "bibliotek",
}
# Id prefix of each source, highest priority first: an official register keeps a place that
# OSM also maps.
SOURCE_PRIORITY = ("pipos:", "skola:", "osm:")

COLUMNS = ["id", "kategori", "namn", "adress", "kommunkod", "kalla", "datum", "geometry"]

SPEC = LayerSpec(
    id="service",
    **layer_texts("service"),
    theme="Service",
    geometry_type="Point",
    sources=("pipos", "skolor", "osm_service"),
    id_column="id",
    style={"radius": 4, "weight": 1, "color": palette.SYMBOL_STROKE, "fill": True,
           "fillOpacity": 0.9},
    categories=Categorized.of("kategori", CATEGORIES),
    popup=popups("service", "namn", "kategori_sv", "adress", "kalla", "datum"),
)


def from_pipos(pipos: gpd.GeoDataFrame, *, date: str) -> gpd.GeoDataFrame:
    """Map Pipos rows to the service schema; unknown service types are left out."""
    out = pipos.assign(
        kategori=pipos["servicetyp"].map(PIPOS_SERVICETYP),
        kalla="Tillväxtverket, Pipos Serviceanalys",
        datum=date,
        id="pipos:" + pipos["id"],
    )
    return out.dropna(subset=["kategori"])[COLUMNS]


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

    ``kommunkod`` comes from the kommun polygon holding the point; points outside every
    kommun and tags outside :data:`OSM_TAGS` are left out.
    """
    amenity = osm["amenity"].map(lambda v: OSM_TAGS.get(("amenity", v)))
    shop = osm["shop"].map(lambda v: OSM_TAGS.get(("shop", v)))
    mapped = osm.assign(kategori=amenity.fillna(shop)).dropna(subset=["kategori"])
    located = gpd.sjoin(mapped, kommuner[["kommunkod", "geometry"]], how="inner",
                        predicate="within")
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
            if better.empty:
                continue
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
