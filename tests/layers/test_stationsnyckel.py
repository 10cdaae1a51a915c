"""Station keys across feeds: Trafikverket's register as the common key."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from layers.stationsnyckel import normalise, register_match, station_keys


def _stations(rows: list[tuple[str, str, str, float, float]]) -> gpd.GeoDataFrame:
    frame = pd.DataFrame(rows, columns=["flode", "station_id", "namn", "x", "y"])
    return gpd.GeoDataFrame(frame, geometry=[Point(x, y) for x, y in zip(frame["x"], frame["y"],
                                                                           strict=True)],
                            crs="EPSG:3006")


def test_names_compare_without_their_kind() -> None:
    assert normalise("Karlstad Centralstation") == normalise("Karlstads central") == "karlstad"
    assert normalise("Kil station") == "kil" and normalise("Ås") == "ås"


def test_the_same_name_wins_over_a_nearer_technical_point(register) -> None:
    reg = register.set_index("signatur")
    charlottenberg = reg.geometry["Cg"]
    # GTFS Sverige 2's Charlottenberg lies 51 m from the Norwegian border mark "Magnor"
    magnor = reg.geometry["Xmag"]
    near_magnor = (magnor.x + 20, magnor.y)
    stations = _stations([("a", "1", "Charlottenberg station", *near_magnor),
                          ("a", "2", "Okänd hållplats", magnor.x + 5, magnor.y)])
    match = register_match(stations, register, near_m=300, name_m=1500)
    assert match.tolist()[0] == "Cg" and charlottenberg.distance(Point(near_magnor)) < 1500
    # a register point without location code (a border mark) is never the match
    assert match.iloc[1] == "Cg"
    far = _stations([("a", "3", "Okänd hållplats", magnor.x + 5_000, magnor.y)])
    assert pd.isna(register_match(far, register, near_m=300, name_m=1500).iloc[0])


def test_unmatched_stations_of_two_feeds_share_a_key_by_name(register) -> None:
    stations = _stations([("a", "X1", "Nowhere stop", 100.0, 100.0),
                          ("b", "Y7", "Nowhere Stop", 400.0, 100.0),
                          ("b", "Y8", "Elsewhere", 400.0, 100.0)])
    keys = station_keys(stations, register, near_m=300, name_m=1500)
    assert keys["nyckel"].tolist() == ["a:X1", "a:X1", "b:Y8"]
    assert keys["signatur"].isna().all()
