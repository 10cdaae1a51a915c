"""Loaders for the official sources, one module per source.

Each module declares ``META`` (publisher, licence, URL, year, CRS, files) and ``load(data_dir)``
returning a validated frame in EPSG:3006. :data:`SOURCES` lists every source's metadata by
name, for ``strukturbild fetch`` and for provenance.
"""

from __future__ import annotations

from data_sources import (
    befolkning,
    befolkningsruta,
    bredband,
    bredband_pts,
    gtfs,
    klassning,
    kommuner,
    kommuner_land,
    kommunpanel,
    lan,
    osm,
    paketombud,
    pipos,
    rinf,
    roads,
    skolor,
    skolverket,
    stationer,
    tatorter,
    tatortspunkter,
)
from data_sources.base import SourceFile, SourceMeta, fetch, provenance
from data_sources.errors import (
    BuildError,
    DataError,
    FetchError,
    MissingDataError,
    NotFoundError,
    RequestError,
    StrukturbildError,
)

SOURCES: dict[str, SourceMeta] = {
    meta.name: meta
    for meta in (
        kommuner.META,
        kommuner_land.META,
        lan.META,
        tatorter.META,
        tatortspunkter.META,
        befolkning.META,
        klassning.SKR,
        klassning.TILLVAXTVERKET,
        stationer.META,
        gtfs.RAIL,
        gtfs.RAIL_2025,
        gtfs.RAIL_NATIONAL,
        gtfs.RAIL_2025_NATIONAL,
        gtfs.REGIONAL,
        rinf.META,
        pipos.META,
        paketombud.META,
        roads.META,
        osm.META,
        skolor.META,
        skolverket.META,
        bredband_pts.META,
        bredband.META,
        kommunpanel.META,
        befolkningsruta.META,
    )
}

__all__ = [
    "SOURCES",
    "BuildError",
    "DataError",
    "FetchError",
    "MissingDataError",
    "NotFoundError",
    "RequestError",
    "SourceFile",
    "SourceMeta",
    "StrukturbildError",
    "fetch",
    "provenance",
]
