"""Place-name labels: every kommun and tätort once, larger places first, anchored inside."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from gisapp.maps.labels import TATORT_STEPS, label_candidates


def test_kommuner_come_first_by_population_then_tatorter(built, data_dir):
    labels = label_candidates(built)
    kommuner = [label for label in labels if label["kind"] == "kommun"]
    assert labels[:len(kommuner)] == kommuner  # kommun names are placed first
    raw = pd.read_csv(data_dir / "admin/varmland_kommuner_befolkning.csv", dtype=str)
    by_population = raw.sort_values("invanare_2025_kolada_n01951", key=lambda s: -s.astype(int))
    assert [k["name"] for k in kommuner] == list(by_population["kommunnamn"])
    assert kommuner[0]["px"] > kommuner[-1]["px"]  # sized by population
    tatorter = [label for label in labels if label["kind"] == "tatort"]
    assert len(tatorter) == len(built.layer("tatorter"))
    pops = [t["pop"] for t in tatorter]
    assert pops == sorted(pops, reverse=True)
    big = tatorter[0]
    assert big["name"] == "Karlstad" and big["minzoom"] == TATORT_STEPS[0][1]


def test_labels_lie_inside_their_polygons(built):
    labels = label_candidates(built)
    points = gpd.GeoSeries.from_xy([x["lon"] for x in labels], [x["lat"] for x in labels],
                                   crs=4326).to_crs(3006)
    kommuner = built.layer("kommuner").set_index("kommunnamn").geometry
    for label, point in zip(labels, points, strict=True):
        if label["kind"] == "kommun":
            assert kommuner[label["name"]].buffer(1).contains(point), label["name"]


def test_a_kommun_page_can_ask_for_its_own_labels(built):
    own = label_candidates(built, "1737")
    assert {x["name"] for x in own if x["kind"] == "kommun"} == {"Torsby"}
    tatorter = built.layer("tatorter")
    assert {x["name"] for x in own if x["kind"] == "tatort"} == set(
        tatorter.loc[tatorter["kommunkod"] == "1737", "tatort"])
