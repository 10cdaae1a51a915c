"""The stomlinjenät in a real build: layers, provenance, indicators and the map page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from data_sources import tatortspunkter
from data_sources.gtfs.feed import RAIL_2025_DIR
from gisapp.build.pipeline import run_steps
from gisapp.build.steps import STEPS
from gisapp.store import Build
from layers import upptagningsomraden
from layers.settings import PipelineSettings, StomlinjeSettings
from tests import gtfs_oracle


def test_layers_built_with_service_day_in_provenance(built: Build, data_dir) -> None:
    layers = built.manifest["layers"]
    for layer_id in ("hallplatser", "stomlinjer", "upptagningsomraden", "tatort_stomlinje"):
        assert layers[layer_id]["trafikdag"] == {"gtfs_rail": "2023-11-07"}
        assert any(s["name"] == "gtfs_rail" for s in layers[layer_id]["sources"])
    missing_bus = layers["stomlinjer"]["saknas"]["buss"]
    assert "varm.zip" in missing_bus["sv"] and "varm.zip" in missing_bus["en"]
    feeds = {f["flode"]: f for f in layers["stomlinjer"]["tidtabeller"]}
    assert feeds["gtfs_rail"]["anvand"] and not feeds["gtfs_rail_2025"]["anvand"]
    first, last = gtfs_oracle.validity_window(data_dir / RAIL_2025_DIR)  # raw calendar
    assert (feeds["gtfs_rail_2025"]["giltig_fran"], feeds["gtfs_rail_2025"]["giltig_till"]) == (
        first.isoformat(), last.isoformat())
    assert layers["stomlinjer"]["tackning"]["sv"].startswith("Tidtabeller: SJ och Tågab")
    assert {"rinf", "stationer"} <= {s["name"] for s in layers["stomlinjer"]["sources"]}


def test_stomlinjer_segments_touch_the_region(built: Build) -> None:
    lines = built.layer("stomlinjer")
    stations = set(built.layer("hallplatser")["station_id"])
    assert len(lines) >= 6
    assert (lines["fran"].isin(stations) | lines["till"].isin(stations)).all()
    assert set(lines["klass"]) <= {"stomlinje", "stark_stomlinje"}  # rail only here
    assert lines.crs.to_epsg() == 3006
    assert lines[["fran_namn", "till_namn"]].notna().all().all()  # expected stations named too
    busiest = lines.iloc[0]
    assert {busiest["fran_namn"], busiest["till_namn"]} == {"Karlstad Centralstation",
                                                            "Kil station"}
    # The SJ feed's shapes only join consecutive stops (SOURCES.md caveat): trains are drawn
    # along the RINF network instead; only stretches abroad (no Swedish sections) stay straight.
    along = lines[lines["geometri"] == "bannat"]
    assert len(along) >= len(lines) - 2 and (~along["schematisk"]).all()
    assert (along.geometry.count_coordinates() >= 2).all()
    assert lines.loc[lines["schematisk"], "till"].str.startswith("tv:No.").all()


def test_stations_without_timetable_are_marked_not_dropped(built: Build) -> None:
    stations = built.layer("hallplatser").set_index("namn")
    for name in ("Torsby", "Sunne", "Charlottenberg"):
        assert stations.loc[name, "status_sv"] == "Saknar tidtabell"
        assert pd.isna(stations.loc[name, "avgangar_dag"])  # unknown, never 0
    for name in ("Väse station", "Storfors station", "Nykroppa station", "Välsviken station"):
        assert stations.loc[name, "status"] == "ej_trafikdagen"
        assert pd.isna(stations.loc[name, "klass"])
    assert stations.loc["Karlstad Centralstation", "avgangar_dag"] == 22


def test_catchments_cover_karlstad_c(built: Build) -> None:
    zones = built.layer("upptagningsomraden").set_index("id")
    assert list(zones.index) == ["tag_1000", "tag_2000"]
    karlstad = built.layer("hallplatser").set_index("namn").loc["Karlstad Centralstation"]
    assert zones.loc["tag_1000"].geometry.contains(karlstad.geometry)
    assert zones.loc["tag_1000"].geometry.area < zones.loc["tag_2000"].geometry.area


def _catchment_rows(build: Build) -> pd.DataFrame:
    rows = build.indicators
    rows = rows[rows["indikator"].str.startswith("befolkning_stomlinje_tag_")]
    return rows.set_index(["indikator", "kommunkod", "omrade"])


def test_catchment_indicators_are_measured_on_the_grid(built: Build, grid_csv) -> None:
    rows = _catchment_rows(built)
    # Kristinehamn: its expected station is served on the day (Karlstad's Väse is not)
    kristinehamn_1000 = rows.loc[("befolkning_stomlinje_tag_1000", "1781")]
    kristinehamn = rows.loc[("befolkning_stomlinje_tag_2000", "1781")]
    assert set(kristinehamn.index) == {"tatort", "landsbygd", "hela_kommunen"}
    assert 0 < kristinehamn_1000.loc["tatort", "teljare"] \
        < kristinehamn.loc["tatort", "teljare"]
    assert kristinehamn.loc["tatort", "teljare"] < kristinehamn.loc["tatort", "namnare"]
    assert pd.notna(kristinehamn.loc["landsbygd", "teljare"])  # measured, not left empty
    rural = rows.xs("landsbygd", level="omrade")["teljare"].dropna()
    assert (rural > 0).any()  # e.g. Säffle's and Grums' countryside near their stations
    assert kristinehamn.loc["hela_kommunen", "teljare"] == pytest.approx(
        kristinehamn.loc["tatort", "teljare"] + kristinehamn.loc["landsbygd", "teljare"])
    assert set(kristinehamn["ar"]) == {"2024"}
    assert kristinehamn["kalla"].str.contains("per ruta").all()
    grid = built.indicators[built.indicators["indikator"] == "befolkning_ruta"].set_index(
        ["kommunkod", "omrade"])["teljare"]
    for omrade in ("tatort", "landsbygd", "hela_kommunen"):
        assert kristinehamn.loc[omrade, "namnare"] == grid[("1781", omrade)]  # same grid year
    # independent bounds from the raw squares: every square wholly inside the zone counts
    # fully, none outside counts at all
    raw = grid_csv
    raw = raw[raw["kommunkod"] == "1781"]
    squares = shapely.box(raw["x_sweref99tm_sw"], raw["y_sweref99tm_sw"],
                          raw["x_sweref99tm_sw"] + 1000, raw["y_sweref99tm_sw"] + 1000)
    zone = built.layer("upptagningsomraden").set_index("id").loc["tag_2000"].geometry
    inside = raw.loc[shapely.within(squares, zone), "beftotalt"].sum()
    touching = raw.loc[shapely.intersects(squares, zone), "beftotalt"].sum()
    assert inside <= kristinehamn.loc["hela_kommunen", "teljare"] <= touching


def test_without_a_grid_catchments_count_tatorter_by_area(no_grid_built: Build) -> None:
    rows = _catchment_rows(no_grid_built)
    kristinehamn_1000 = rows.loc[("befolkning_stomlinje_tag_1000", "1781")]
    kristinehamn = rows.loc[("befolkning_stomlinje_tag_2000", "1781")]
    # areal weighting: the part of Kristinehamn's tätort polygon within 2 km of its station,
    # more than within 1 km, less than the whole tätort
    assert 0 < kristinehamn_1000.loc["tatort", "teljare"] \
        < kristinehamn.loc["tatort", "teljare"]
    assert kristinehamn.loc["tatort", "teljare"] < kristinehamn.loc["tatort", "namnare"]
    assert "andel av dess yta" in kristinehamn.loc["tatort", "kalla"]
    assert pd.isna(kristinehamn.loc["landsbygd", "teljare"])
    assert "landsbygd" in kristinehamn.loc["landsbygd", "kalla"]


def test_no_stomlinje_indicator_is_0_for_a_kommun_without_timetable(built: Build) -> None:
    """Torsby, Sunne and Eda have stations no timetable here covers (Fryksdalsbanan,
    Värmlandstrafik's trains): their stomlinje indicators are empty with the reason."""
    rows = built.indicators
    rows = rows[rows["indikator"].str.startswith("befolkning_stomlinje_")]
    for kommunkod, station in (("1737", "Torsby"), ("1766", "Sunne"), ("1730", "Charlottenberg")):
        mine = rows[rows["kommunkod"] == kommunkod]
        assert len(mine) == 6  # tag_1000 and tag_2000 × tätort, landsbygd, hela kommunen
        assert mine["varde"].isna().all() and mine["teljare"].isna().all()
        assert mine["kalla"].str.contains("saknar tidtabell").all()
        assert mine["kalla"].str.contains(station).all()
    reasons = built.manifest["layers"]["upptagningsomraden"]["kommuner_utan_tackning"]
    assert {"1737", "1766", "1730"} <= set(reasons) and "1785" not in reasons
    saffle = rows[(rows["kommunkod"] == "1785") & (rows["omrade"] == "tatort")]
    assert (saffle["teljare"] > 0).all()  # covered: measured


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
    wanted = {"kommuner", "lan", "tatorter", "hallplatser", "stomlinjer"}
    result = run_steps([s for s in STEPS if s.spec.id in wanted], data_dir, settings,
                       progress=lambda _: None)
    stations = result.layers["hallplatser"]
    assert not (stations["status"] == "trafikeras").any() and result.layers["stomlinjer"].empty
    assert (stations.set_index("namn").loc["Kil station", "status"] == "annan_period")
    notes = result.layer_manifest["hallplatser"]["notes"]
    assert any("2023-06-12–2024-04-08, inte 2030-01-15" in n for n in notes)
    assert any("inga turer 2030-01-15" in n for n in notes)
    sentence = result.layer_manifest["hallplatser"]["tackning"]["sv"]
    assert sentence.startswith("Inga tidtabeller för trafikdagen")
    assert "Ej med (annan period): SJ och Tågab 2023-06-12–2024-04-08" in sentence


def test_an_average_month_is_used_and_said(data_dir) -> None:
    settings = PipelineSettings(stomlinje=StomlinjeSettings(average_month="2023-12",
                                                            average_weekdays=(0, 1, 2, 3, 4)))
    wanted = {"kommuner", "lan", "tatorter", "hallplatser"}
    result = run_steps([s for s in STEPS if s.spec.id in wanted], data_dir, settings,
                       progress=lambda _: None)
    label = "medel mån–fre 2023-12 (21 dagar)"
    assert result.layer_manifest["hallplatser"]["analysdag"]["sv"] == label
    stations = result.layers["hallplatser"].set_index("namn")
    assert (stations["datum"] == label).all()
    # Väse's and Välsviken's Friday train (from 15 December) is no longer lost
    assert stations.loc["Väse station", "status"] == "trafikeras"
    assert 0 < stations.loc["Väse station", "avgangar_dag"] < 1


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
