"""The tillganglighet layer and indicators on the real Värmland build: grid origins, straight
line (no road network here), and the tätort-point fallback of a build without the grid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from data_sources import pipos, tatortspunkter
from layers import tillganglighet
from layers.accessibility import Network, accessibility, build_network
from tests.raw import csv_rows


def test_every_kommun_has_a_pharmacy(built, data_dir):
    """One service point per row of the raw Pipos export (read with csv, not our loader)."""
    service = built.layer("service")
    apotek = service[service["kategori"] == "apotek"]
    assert set(apotek["kommunkod"]) == set(built.layer("kommuner")["kommunkod"])
    raw_ids = {f"pipos:{row['Serviceplatsid']}" for row in csv_rows(pipos.META.file(data_dir))}
    assert set(apotek["id"]) == raw_ids


def test_origins_are_every_grid_squares_tatort_and_landsbygd_part(built, grid_csv):
    layer = built.layer("tillganglighet")
    raw = grid_csv
    varmland = raw[raw["lanskod"] == "17"]
    assert set(layer["rutid_scb"]) == set(varmland["rutid_scb"])
    assert layer.groupby("kategori")["id"].apply(lambda ids: ids.is_unique).all()
    assert (layer["id"] == layer["rutid_scb"] + ":" + layer["omrade"]).all()
    layer = layer[layer["kategori"] == "apotek"]
    assert layer.groupby("kommunkod")["befolkning"].sum().sort_index().equals(
        varmland.groupby("kommunkod")["beftotalt"].sum().sort_index().rename("befolkning"))
    entry = built.manifest["layers"]["tillganglighet"]
    assert entry["tillganglighet"]["rutstorlek_m"] == 1000
    assert any("befolkningsrutor" in note for note in entry["notes"])


def test_straight_line_distances_are_labelled_and_exact(built):
    layer = built.layer("tillganglighet")
    assert (layer["metod"] == "fågelvägen").all()
    assert layer["minuter"].isna().all()
    # schools lack coordinates: not computed; pharmacies (Pipos) and post points (paketombud)
    assert set(layer["kategori"]) == {"apotek", "post"}
    service = built.layer("service")
    for kategori in ("apotek", "post"):
        points = service[service["kategori"] == kategori].geometry
        part = layer[layer["kategori"] == kategori]
        expected = part.geometry.map(lambda p, points=points: points.distance(p).min() / 1000)
        assert np.allclose(part["km"], expected)
    entry = built.manifest["layers"]["tillganglighet"]
    assert entry["tillganglighet"]["metod"] == "fågelvägen"
    assert any("fågelvägen" in note for note in entry["notes"])
    assert any("grundskola" in note and "saknar koordinater" in note for note in entry["notes"])


@pytest.mark.parametrize("omrade", ["tatort", "landsbygd"])
def test_indicators_are_population_weighted_per_area(built, omrade):
    layer = built.layer("tillganglighet")
    layer = layer[layer["kategori"] == "apotek"]
    rows = built.indicators[built.indicators["indikator"].str.startswith("service_apotek")]
    assert set(rows["omrade"]) == {"tatort", "landsbygd", "hela_kommunen"}
    assert rows["enhet"].str.contains("fågelvägen").all()
    assert rows["ar"].eq("2024").all() and rows["kalla"].str.contains("per ruta 2024").all()
    part = layer[(layer["kommunkod"] == "1780") & (layer["omrade"] == omrade)]
    karlstad = rows[(rows["kommunkod"] == "1780") & (rows["omrade"] == omrade)].set_index(
        "indikator")
    mean = karlstad.loc["service_apotek_medelavstand"]
    assert mean["namnare"] == part["befolkning"].sum()
    assert mean["varde"] == pytest.approx(
        (part["km"] * part["befolkning"]).sum() / part["befolkning"].sum())
    share = karlstad.loc["service_apotek_andel_over_5km"]
    assert share["teljare"] == part.loc[part["km"] > 5, "befolkning"].sum()
    assert share["varde"] == pytest.approx(100 * share["teljare"] / share["namnare"])
    assert "service_apotek_andel_over_10km" in karlstad.index
    assert not rows["indikator"].str.contains("min").any()  # no travel time without a network


def test_without_a_grid_tatort_points_are_a_labelled_fallback(no_grid_built, data_dir):
    layer = no_grid_built.layer("tillganglighet")
    points = tatortspunkter.load(data_dir)
    region = points[points["kommunkod"].isin(no_grid_built.layer("kommuner")["kommunkod"])]
    assert sorted(layer.drop_duplicates("id")["id"]) == sorted(region["tatortskod"])
    assert layer["rutid_scb"].isna().all()
    rows = no_grid_built.indicators
    rows = rows[rows["indikator"].str.startswith("service_apotek")]
    assert set(rows["omrade"]) == {"tatort"}  # no landsbygd origins: missing, not zero
    assert rows["kalla"].str.contains("tätortspunkter 2020 (reserv)", regex=False).all()
    notes = no_grid_built.manifest["layers"]["tillganglighet"]["notes"]
    assert any(note.startswith("Reserv: ursprung är SCB:s tätortspunkter") for note in notes)


def _two_component_network():
    """Roads E–A–B (both ways, 8 km and 1 km, 1 min per km) and, cut off from them, C–D.

    The engine snaps points to the largest strongly connected component only; here points
    may snap onto every node (``snappable`` = all), so an origin on C–D has a road but no way
    to any service point: unreachable.
    """
    xy = {"A": (0, 0), "B": (1000, 0), "E": (-8000, 0), "C": (50_000, 0), "D": (51_000, 0)}
    nodes = gpd.GeoDataFrame({"node": list(xy)}, geometry=[Point(p) for p in xy.values()],
                             crs=3006)
    pairs = [("E", "A", 8000.0), ("A", "B", 1000.0), ("C", "D", 1000.0)]
    edges = pd.DataFrame([(u, v, m, m / 1000) for a, b, m in pairs for u, v in ((a, b), (b, a))],
                         columns=["u", "v", "length_m", "minutes"])
    built_network = build_network(nodes, edges)
    assert len(built_network.snappable) == 3  # E, A, B: C–D lies off the largest component
    return Network.from_arrays(built_network.xy, built_network.reverse_m,
                               built_network.reverse_min, np.arange(len(xy)))


def test_an_unreachable_origin_counts_as_beyond_every_threshold_with_its_population():
    """Guards unreachable origins in the indicators (bug: not counted as beyond the
    thresholds, or their population set to 0 / left out of the denominator).

    Origins at A (100 people, 1 km / 1 min to the pharmacy at B), at E (20 people, 9 km /
    9 min) and at C (30 people, cut off: no road to any pharmacy).
    """
    origins = gpd.GeoDataFrame(
        {"id": ["a", "e", "c"], "kommunkod": "1780", "omrade": "tatort",
         "befolkning": [100, 20, 30]},
        geometry=[Point(0, 0), Point(-8000, 0), Point(50_000, 0)], crs=3006)
    services = gpd.GeoDataFrame({"kategori": ["apotek"]}, geometry=[Point(1000, 0)], crs=3006)
    access = accessibility(origins, services, _two_component_network(), snap_speed_kmh=30.0)
    assert access["nabar"].tolist() == [True, True, False]
    assert access["km"].tolist()[:2] == pytest.approx([1.0, 9.0])
    assert access["befolkning"].tolist() == [100, 20, 30]
    rows = tillganglighet.indicators(access, thresholds_km=(5.0,), thresholds_min=(10.0,),
                                     year="2024", sources={"apotek": "test"})
    rows = rows.set_index("indikator")
    over_km = rows.loc["service_apotek_andel_over_5km"]
    assert (over_km["teljare"], over_km["namnare"]) == (50, 150)  # E (9 km) and C
    assert over_km["varde"] == pytest.approx(100 * 50 / 150)
    over_min = rows.loc["service_apotek_andel_over_10min"]
    assert (over_min["teljare"], over_min["namnare"]) == (30, 150)  # C only
    assert rows.loc["service_apotek_ej_nabar_bef", "varde"] == 30
    mean = rows.loc["service_apotek_medelavstand"]  # over the reachable only
    assert (mean["teljare"], mean["namnare"]) == pytest.approx((100 * 1 + 20 * 9, 120))
