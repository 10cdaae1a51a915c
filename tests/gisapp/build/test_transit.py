"""The stomlinjenät in a real build: layers, provenance, indicators and the map page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from data_sources import tatortspunkter
from gisapp.build.pipeline import run_steps
from gisapp.build.steps import STEPS
from gisapp.store import Build
from layers import upptagningsomraden
from layers.settings import PipelineSettings, StomlinjeSettings


def test_layers_built_with_service_day_in_provenance(built: Build) -> None:
    layers = built.manifest["layers"]
    for layer_id in ("hallplatser", "stomlinjer", "upptagningsomraden"):
        assert layers[layer_id]["trafikdag"] == {"gtfs_rail": "2023-11-07"}
        assert any(s["name"] == "gtfs_rail" for s in layers[layer_id]["sources"])
    missing_bus = layers["stomlinjer"]["saknas"]["buss"]
    assert "varm.zip" in missing_bus["sv"] and "varm.zip" in missing_bus["en"]


def test_stomlinjer_segments_touch_the_region(built: Build) -> None:
    lines = built.layer("stomlinjer")
    stations = set(built.layer("hallplatser")["station_id"])
    assert len(lines) >= 6
    assert (lines["fran"].isin(stations) | lines["till"].isin(stations)).all()
    assert set(lines["klass"]) <= {"stomlinje", "stark_stomlinje"}  # rail only here
    assert lines.crs.to_epsg() == 3006
    busiest = lines.iloc[0]
    assert {busiest["fran_namn"], busiest["till_namn"]} == {"Karlstad Centralstation",
                                                            "Kristinehamn station"}
    # The SJ feed has shapes, but they only join consecutive stops (SOURCES.md caveat):
    # every segment is a straight line between two stations and must be drawn as schematic.
    assert lines["schematisk"].all()
    assert (lines.geometry.count_coordinates() == 2).all()


def test_catchments_cover_karlstad_c(built: Build) -> None:
    zones = built.layer("upptagningsomraden").set_index("id")
    assert list(zones.index) == ["tag_1000", "tag_2000"]
    karlstad = built.layer("hallplatser").set_index("namn").loc["Karlstad Centralstation"]
    assert zones.loc["tag_1000"].geometry.contains(karlstad.geometry)
    assert zones.loc["tag_1000"].geometry.area < zones.loc["tag_2000"].geometry.area


def test_catchment_indicators(built: Build) -> None:
    rows = built.indicators
    rows = rows[rows["indikator"].str.startswith("befolkning_stomlinje_tag_")]
    rows = rows.set_index(["indikator", "kommunkod", "omrade"])
    karlstad_1000 = rows.loc[("befolkning_stomlinje_tag_1000", "1780")]
    karlstad = rows.loc[("befolkning_stomlinje_tag_2000", "1780")]
    assert set(karlstad.index) == {"tatort", "landsbygd", "hela_kommunen"}
    # areal weighting: the part of Karlstad's tätort polygon within 2 km of its stations,
    # more than within 1 km, less than the whole tätort
    assert 0 < karlstad_1000.loc["tatort", "teljare"] < karlstad.loc["tatort", "teljare"]
    assert karlstad.loc["tatort", "teljare"] < karlstad.loc["tatort", "namnare"]
    assert "andel av dess yta" in karlstad.loc["tatort", "kalla"]
    assert pd.isna(karlstad.loc["landsbygd", "teljare"])
    assert "landsbygd" in karlstad.loc["landsbygd", "kalla"]
    torsby = rows.loc[("befolkning_stomlinje_tag_2000", "1737")]
    assert torsby.loc["tatort", "teljare"] == 0  # no train of this feed stops in Torsby


def test_a_catchment_covering_the_lan_counts_every_tatort_once(built: Build, data_dir) -> None:
    zones = built.layer("upptagningsomraden").iloc[:1].copy()
    zones["geometry"] = [shapely.MultiPolygon([built.layer("lan").union_all().buffer(1)])]
    rows = upptagningsomraden.indicators(
        zones, kommuner=built.layer("kommuner"), tatorter=built.layer("tatorter"),
        tatort_points=tatortspunkter.load(data_dir))
    tatort = rows[rows["omrade"] == "tatort"]
    # Vålberg's polygon holds two 2020 tätorter: neither is counted twice
    assert (built.layer("tatorter")["n_punkter_2020"] > 1).any()
    np.testing.assert_allclose(tatort["teljare"], tatort["namnare"], rtol=1e-9)


def test_configured_service_day_is_used_and_recorded(data_dir) -> None:
    settings = PipelineSettings(stomlinje=StomlinjeSettings(service_date="2024-01-16"))
    wanted = {"kommuner", "lan", "tatorter", "hallplatser"}
    result = run_steps([s for s in STEPS if s.spec.id in wanted], data_dir, settings,
                       progress=lambda _: None)
    assert result.layer_manifest["hallplatser"]["trafikdag"] == {"gtfs_rail": "2024-01-16"}
    stations = result.layers["hallplatser"]
    assert set(stations["datum"]) == {"2024-01-16"}
    assert stations.iloc[0]["namn"] == "Karlstad Centralstation"


def test_service_day_outside_the_timetable_is_noted(data_dir) -> None:
    settings = PipelineSettings(stomlinje=StomlinjeSettings(service_date="2030-01-15"))
    wanted = {"kommuner", "lan", "tatorter", "hallplatser"}
    result = run_steps([s for s in STEPS if s.spec.id in wanted], data_dir, settings,
                       progress=lambda _: None)
    assert result.layers["hallplatser"].empty
    notes = result.layer_manifest["hallplatser"]["notes"]
    assert any("inga turer 2030-01-15" in n and "2023-06-12" in n for n in notes)


def test_catchment_population_goes_to_the_kommun_of_each_2020_tatort(data_dir) -> None:
    """Stockholm's 2020 point lies in a 2018 polygon coded for Huddinge: a catchment covering
    the whole län must give each kommun exactly its own tätort population (real national
    files; Stockholm län, where such links exist)."""
    from data_sources import tatorter as tatort_source
    from layers import tatorter as tatort_layer

    points = tatortspunkter.load(data_dir)
    codes = sorted(set(points.loc[points["kommunkod"].str.startswith("01"), "kommunkod"]))
    polygons, _ = tatort_layer.build(tatort_source.load(data_dir), points, kommunkoder=codes,
                                     max_link_m=1_500)
    mismatched = polygons[polygons["tatortskoder_2020"].notna()]
    assert (mismatched["kommunkod"] != mismatched["tatortskod_2020"].map(
        points.set_index("tatortskod")["kommunkod"])).any()
    whole_lan = polygons.union_all().convex_hull.buffer(10)
    within = upptagningsomraden._tatort_within(polygons, points[points["kommunkod"].isin(codes)],
                                               whole_lan)
    expected = points[points["kommunkod"].isin(codes)].groupby("kommunkod")["bef_2020"].sum()
    pd.testing.assert_series_equal(within.sort_index(), expected.astype("float64").sort_index(),
                                   check_names=False, rtol=1e-9)
