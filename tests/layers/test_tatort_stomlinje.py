"""Per tätort: distance to the nearest stomlinje stop, its departures, and honest gaps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from data_sources import tatorter, tatortspunkter
from layers import hallplatser as hallplatser_layer
from layers import korridorer, tackning, tatort_stomlinje, tidtabeller
from layers import tatorter as tatorter_layer
from layers.forvantad_trafik import VARMLAND
from layers.settings import StomlinjeSettings
from tests.raw import TATORTER_2020, csv_rows

SETTINGS = StomlinjeSettings()


@pytest.fixture(scope="module")
def stations(rail, register, varmland):
    natdag = tidtabeller.merge([("gtfs_rail", rail)], register, SETTINGS)
    cover = tackning.coverage(natdag, register, VARMLAND, varmland)
    return hallplatser_layer.build(natdag, korridorer.corridors(natdag, None, SETTINGS), cover,
                                   settings=SETTINGS)


@pytest.fixture(scope="module")
def table(stations, varmland, data_dir: Path):
    points = tatortspunkter.load(data_dir)
    points = points[points["kommunkod"].isin(varmland["kommunkod"])]
    polygons, _ = tatorter_layer.build(tatorter.load(data_dir), points,
                                       kommunkoder=varmland["kommunkod"].tolist(),
                                       max_link_m=1500)
    return tatort_stomlinje.build(points, stations, settings=SETTINGS, polygons=polygons)


def test_every_tatort_gets_its_nearest_stomlinje_stop(table, stations, data_dir) -> None:
    """One row per tätort of SCB's raw 2020 table of Värmland (read with csv)."""
    raw = sorted(row["tatort"] for row in csv_rows(data_dir / TATORTER_2020))
    assert table["hallplats"].notna().all() and sorted(table["tatort"]) == raw
    served = stations[stations["klass"].isin(("stomlinje", "stark_stomlinje"))]
    row = table.set_index("tatort").loc["Skoghall"]
    # measured from the tätort's polygon: the nearest served station by plain geometry
    expected = served.geometry.distance(row.geometry).min()
    assert row["hallplats"] == "Karlstad Centralstation"
    assert row["avgangar_dag"] == served.set_index("namn").loc["Karlstad Centralstation",
                                                                   "avgangar_dag"]
    assert row["avstand_m"] <= expected


def test_a_station_inside_the_tatort_is_0_m_away(table) -> None:
    karlstad = table.set_index("tatort").loc["Karlstad"]
    assert karlstad["avstand_m"] == 0 and karlstad["status"] == "inom"


def test_a_nearer_station_without_timetable_makes_it_unknown_not_without(table) -> None:
    by_name = table.set_index("tatort")
    for name, station in (("Torsby", "Torsby"), ("Sunne", "Sunne"),
                          ("Charlottenberg", "Charlottenberg")):
        assert by_name.loc[name, "status"] == "okand"
        assert by_name.loc[name, "utan_tidtabell"] == station
        assert by_name.loc[name, "utan_tidtabell_m"] < SETTINGS.tatort_access_m
    assert by_name.loc["Forshaga", "status"] == "utan"  # no station of any kind near


def test_utan_stomlinje_lists_a_kommuns_tatorter_most_populous_first(table) -> None:
    hammaro = tatort_stomlinje.utan_stomlinje(table, "1761")
    assert hammaro["tatort"].iloc[0] == "Skoghall"
    assert np.all(np.diff(hammaro["bef_2020"].to_numpy()) <= 0)
    assert (hammaro["status"] != "inom").all()


def test_network_distance_is_measured_along_roads(osm_network, stations) -> None:
    """On the real Helsinki extract: the network distance is at least the straight one."""
    import geopandas as gpd
    from shapely.geometry import Point

    xy = osm_network.xy[osm_network.snappable]
    centre = xy.mean(axis=0)
    stop = stations.iloc[:1].copy()
    stop["geometry"] = [Point(*xy[np.argmin(np.hypot(*(xy - centre).T))])]
    stop["klass"], stop["status"] = "stomlinje", "trafikeras"
    points = gpd.GeoDataFrame({"tatortskod": ["T1", "T2"], "tatort": ["a", "b"],
                               "kommunkod": ["0000", "0000"], "bef_2020": [1, 2]},
                              geometry=[Point(*xy[0]), Point(*xy[len(xy) // 2])],
                              crs="EPSG:3006")
    road = tatort_stomlinje.build(points, stop, settings=SETTINGS, network=osm_network)
    straight = tatort_stomlinje.build(points, stop, settings=SETTINGS)
    assert (road["metod"] == "vägnät").all() and (straight["metod"] == "fågelvägen").all()
    assert (road["avstand_m"] >= straight["avstand_m"] - 1).all()
    assert np.isfinite(road["avstand_m"]).all()
