"""One key per station across timetables: Trafikverket's station as the common key.

Feeds name the same station with their own ids (SJ's ``9021074…``, GTFS Sverige 2's
``740…``, Värmlandstrafik's ``9021017…``). Each feed's station (its parent station, or the
stop itself) is matched to Trafikverket's register: the nearest register station with the
same name (after :func:`normalise`) within ``name_m``, else the nearest register station
with a location code within ``near_m``. A matched station's key is ``tv:<signatur>``;
stations the register lacks (abroad) keep ``<flode>:<station_id>``, shared by the stations
of other feeds with the same name within ``name_m``.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

# Words that name a station's kind, not the place: dropped before names are compared.
KIND_WORDS = frozenset({"station", "centralstation", "central", "centralen", "c", "stn",
                        "resecentrum", "järnvägsstation"})
MIN_STEM = 4  # a trailing genitive s is dropped from words at least this long


def normalise(name: str) -> str:
    """A place name for comparison: lower case, kind words dropped, genitive s removed.

    ``"Karlstad Centralstation"`` and ``"Karlstads central"`` both give ``"karlstad"``.
    """
    words = [w for w in re.findall(r"\w+", str(name).casefold()) if w not in KIND_WORDS]
    return " ".join(w[:-1] if len(w) >= MIN_STEM and w.endswith("s") else w for w in words)


def _xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Point coordinates (EPSG:3006) as an (n, 2) array."""
    return np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])


def register_match(stations: gpd.GeoDataFrame, register: gpd.GeoDataFrame, *,
                   near_m: float, name_m: float) -> pd.Series:
    """Trafikverket signature of each station (``namn``, points), or NA when none fits.

    Same normalised name within ``name_m`` first (nearest such); else the nearest register
    point that has a location code (``lokalkod``; technical points such as border marks
    have none) within ``near_m``.
    """
    out = pd.Series(pd.NA, index=stations.index, dtype="string")
    if stations.empty or register.empty:
        return out
    tree = cKDTree(_xy(register))
    reg_names = register["namn"].map(normalise).to_numpy()
    coded = register["lokalkod"].notna().to_numpy()
    signatures = register["signatur"].to_numpy()
    reg_xy = _xy(register)
    for position, (xy, name) in enumerate(zip(_xy(stations), stations["namn"].map(normalise),
                                              strict=True)):
        candidates = np.asarray(tree.query_ball_point(xy, name_m), dtype=int)
        if candidates.size == 0:
            continue
        dist = np.hypot(*(reg_xy[candidates] - xy).T)
        order = np.argsort(dist, kind="stable")
        candidates, dist = candidates[order], dist[order]
        same_name = reg_names[candidates] == name
        if same_name.any():
            out.iloc[position] = signatures[candidates[same_name][0]]
            continue
        near = coded[candidates] & (dist <= near_m)
        if near.any():
            out.iloc[position] = signatures[candidates[near][0]]
    return out


def station_keys(stations: gpd.GeoDataFrame, register: gpd.GeoDataFrame, *, near_m: float,
                 name_m: float) -> pd.DataFrame:
    """Give every feed station (``flode, station_id, namn``, points) its common key.

    Returns ``flode, station_id, nyckel, signatur`` in the order of ``stations``. Stations
    of one feed that match the same register station share its key too (e.g. two station
    ids of one place).
    """
    signatur = register_match(stations, register, near_m=near_m, name_m=name_m)
    own = stations["flode"] + ":" + stations["station_id"]
    keys = ("tv:" + signatur).astype("object").where(signatur.notna(), own)
    unmatched = signatur.isna().to_numpy()
    if unmatched.any():
        keys[unmatched] = _by_name(stations[unmatched], own[unmatched], name_m)
    return pd.DataFrame({"flode": stations["flode"], "station_id": stations["station_id"],
                         "nyckel": keys.astype(str), "signatur": signatur})


def _by_name(stations: gpd.GeoDataFrame, own: pd.Series, name_m: float) -> list[str]:
    """Keys of stations the register lacks: the first station of the same name near by."""
    names = stations["namn"].map(normalise).to_numpy()
    xy = _xy(stations)
    keys = own.to_list()
    for i in range(len(keys)):
        for j in range(i):
            if names[i] == names[j] and np.hypot(*(xy[i] - xy[j])) <= name_m:
                keys[i] = keys[j]
                break
    return keys
