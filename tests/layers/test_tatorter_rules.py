"""The ``tatorter`` layer on hand-made tätort polygons and 2020 points (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/tatorter.py``).

Polygons are what :mod:`data_sources.tatorter` loads (``tatortsnr, tatort, kommunkod, lanskod,
bef_2018, geometry``), points what :mod:`data_sources.tatortspunkter` loads (``tatortskod,
tatort, kommunkod, lanskod, bef_2020, geometry``), EPSG:3006 metres. Expected values follow
:mod:`layers.tatorter`: a point inside a polygon is linked at 0 m, a point outside to the
nearest polygon within ``max_link_m`` at its distance, else unlinked; per polygon the most
populous point gives the code, ``bef_2020`` is the sum and the codes are listed sorted.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from layers import tatorter


def _polygons() -> gpd.GeoDataFrame:
    rows = [  # (tatortsnr, tatort, kommunkod, bef_2018, x0): a 100 m square from x0
        ("0001", "Karlstad", "1780", 1000, 0),
        ("0002", "Skåre", "1780", 500, 200),
        ("0003", "Vålberg", "1780", 300, 400),
        ("0004", "Örebro", "1880", 9000, 600),
    ]
    return gpd.GeoDataFrame(
        {"tatortsnr": [r[0] for r in rows], "tatort": [r[1] for r in rows],
         "kommunkod": [r[2] for r in rows], "lanskod": [r[2][:2] for r in rows],
         "bef_2018": [r[3] for r in rows]},
        geometry=[box(r[4], 0, r[4] + 100, 100) for r in rows], crs=3006)


def _points() -> gpd.GeoDataFrame:
    rows = [  # (tatortskod, tatort, kommunkod, bef_2020, x, y)
        ("1780TC101", "Karlstad östra", "1780", 900, 50, 50),   # in 0001
        ("1780TC102", "Karlstad", "1780", 1200, 20, 20),        # in 0001, the more populous
        ("1780TC103", "Skåre norra", "1780", 400, 320, 50),     # 20 m east of 0002, 80 m of 0003
        ("1780TC104", "Väse", "1780", 150, 590, 50),            # 90 m from 0003; 10 m from 0004
        ("1880TC101", "Örebro", "1880", 8000, 650, 50),         # in 0004, another kommun
    ]
    return gpd.GeoDataFrame(
        {"tatortskod": [r[0] for r in rows], "tatort": [r[1] for r in rows],
         "kommunkod": [r[2] for r in rows], "lanskod": [r[2][:2] for r in rows],
         "bef_2020": [r[3] for r in rows]},
        geometry=[Point(r[4], r[5]) for r in rows], crs=3006)


def test_points_link_inside_at_zero_outside_to_the_nearest_within_the_limit():
    links = tatorter.link_points(_polygons(), _points(), max_link_m=30.0)
    assert list(links.columns) == ["tatortskod", "tatortsnr", "link_m"]
    assert isinstance(links, pd.DataFrame) and not isinstance(links, gpd.GeoDataFrame)
    by_code = links.set_index("tatortskod")
    assert by_code["tatortsnr"].tolist()[:3] == ["0001", "0001", "0002"]
    assert by_code["link_m"].tolist()[:3] == [0.0, 0.0, 20.0]
    # Väse is 10 m from Örebro's polygon (all polygons given here)
    assert by_code.loc["1780TC104", "tatortsnr"] == "0004"
    assert by_code.loc["1780TC104", "link_m"] == 10.0
    # with a limit of 5 m, Skåre norra and Väse stay unlinked
    short = tatorter.link_points(_polygons(), _points(), max_link_m=5.0).set_index("tatortskod")
    assert short["tatortsnr"].isna().tolist() == [False, False, True, True, False]
    assert short["link_m"].isna().tolist() == [False, False, True, True, False]


def test_a_point_in_two_overlapping_polygons_is_linked_once():
    polygons = _polygons()
    polygons.loc[1, "geometry"] = box(0, 0, 100, 100)  # Skåre drawn over Karlstad
    links = tatorter.link_points(polygons, _points().iloc[:2], max_link_m=30.0)
    assert links["tatortskod"].tolist() == ["1780TC101", "1780TC102"]
    assert links["link_m"].tolist() == [0.0, 0.0]
    assert links.index.tolist() == [0, 1]


def test_each_region_polygon_gets_its_points_code_sum_count_and_codes():
    layer, unlinked = tatorter.build(_polygons(), _points(), kommunkoder=["1780"],
                                     max_link_m=30.0)
    assert list(layer.columns) == ["tatortsnr", "tatort", "kommunkod", "bef_2018",
                                   "tatortskod_2020", "bef_2020", "n_punkter_2020",
                                   "tatortskoder_2020", "geometry"]
    assert isinstance(layer, gpd.GeoDataFrame) and layer.crs.to_epsg() == 3006
    # Örebro (kommun 1880) is outside the region
    assert layer["tatortsnr"].tolist() == ["0001", "0002", "0003"]
    assert layer["bef_2018"].tolist() == [1000, 500, 300]
    # Karlstad: TC102 (1200) is more populous than TC101 (900): its code; 1200 + 900 = 2100;
    # the codes sorted, not by population
    assert layer["tatortskod_2020"].iloc[:2].tolist() == ["1780TC102", "1780TC103"]
    assert str(layer["bef_2020"].dtype) == "Int64"
    assert layer["bef_2020"].iloc[:2].tolist() == [2100, 400]
    assert layer["n_punkter_2020"].tolist() == [2, 1, 0]
    assert str(layer["n_punkter_2020"].dtype) == "int64"
    assert layer["tatortskoder_2020"].iloc[:2].tolist() == ["1780TC101,1780TC102", "1780TC103"]
    # Vålberg has no point: empty code and population, 0 points
    assert pd.isna(layer["tatortskod_2020"].iloc[2]) and pd.isna(layer["bef_2020"].iloc[2])
    assert pd.isna(layer["tatortskoder_2020"].iloc[2])
    assert layer.geometry.iloc[1].equals(box(200, 0, 300, 100))


def test_points_in_no_region_polygon_within_the_limit_are_reported_unlinked():
    _, unlinked = tatorter.build(_polygons(), _points(), kommunkoder=["1780"], max_link_m=30.0)
    # Väse is 10 m from Örebro's polygon, but that is outside the region: 90 m to Vålberg
    assert isinstance(unlinked, pd.DataFrame) and "geometry" not in unlinked.columns
    assert unlinked.to_dict("records") == [{"tatortskod": "1780TC104", "tatort": "Väse",
                                            "kommunkod": "1780", "lanskod": "17",
                                            "bef_2020": 150}]
    # two kommuner: Väse links to Örebro's polygon; nothing unlinked
    layer, unlinked = tatorter.build(_polygons(), _points(), kommunkoder=["1780", "1880"],
                                     max_link_m=30.0)
    assert unlinked.empty
    # Örebro: 8000 + 150, its own point the more populous
    orebro = layer.set_index("tatortsnr").loc["0004"]
    assert orebro["bef_2020"] == 8150 and orebro["tatortskod_2020"] == "1880TC101"
    assert orebro["tatortskoder_2020"] == "1780TC104,1880TC101"


def test_points_outside_their_own_kommun_name_where_they_lie():
    kommuner = gpd.GeoDataFrame({"kommunkod": ["1780", "1880"]},
                                geometry=[box(0, 0, 500, 100), box(500, 0, 1000, 100)], crs=3006)
    points = _points()
    points.loc[5] = ["1780TC105", "Ute", "1780", "17", 10, Point(2000, 50)]  # in no kommun
    out = tatorter.points_outside_kommun(points, kommuner)
    assert list(out.columns) == ["tatortskod", "tatort", "kommunkod", "kommun_by_location"]
    assert isinstance(out, pd.DataFrame) and not isinstance(out, gpd.GeoDataFrame)
    # Väse (x 590) is of 1780 but lies in 1880; Ute lies in none
    assert out["tatortskod"].tolist() == ["1780TC104", "1780TC105"]
    assert out["kommun_by_location"].iloc[0] == "1880"
    assert pd.isna(out["kommun_by_location"].iloc[1])
