"""Coverage of the region's stations and operators, and no false zeros for missing timetables."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from data_sources import gtfs
from layers import tackning, tidtabeller
from layers.forvantad_trafik import VARMLAND, Operator, expected_for
from layers.settings import StomlinjeSettings

SETTINGS = StomlinjeSettings()
SVERIGE2_STOPS = "transport_osm/rail/gtfs_sverige2_rail_stops_2025.csv"


@pytest.fixture(scope="module")
def cover(rail, register, varmland, data_dir: Path) -> tackning.Tackning:
    feeds = [("gtfs_rail", rail), ("gtfs_rail_2025", gtfs.load_rail_2025(data_dir))]
    natdag = tidtabeller.merge(feeds, register, SETTINGS)
    return tackning.coverage(natdag, register, VARMLAND, varmland)


def test_expected_stations_are_real_stations_of_the_lan(register) -> None:
    found = register[register["signatur"].isin(VARMLAND.stations)]
    assert len(found) == len(VARMLAND.stations) == len(set(VARMLAND.stations)) == 30
    assert (found["lanskod"] == "17").all() and found["lokalkod"].notna().all()


def test_expected_stations_include_every_varmland_stop_of_the_2025_rail_timetable(
        register, data_dir: Path) -> None:
    stops = pd.read_csv(data_dir / SVERIGE2_STOPS, dtype=str)
    stops = stops[stops["lan_kod"] == "17"]
    points = gpd.GeoSeries(gpd.points_from_xy(stops["stop_lon"].astype(float),
                                              stops["stop_lat"].astype(float)),
                           crs="EPSG:4326").to_crs(3006)
    expected = register[register["signatur"].isin(VARMLAND.stations)]
    names = expected["namn"].str.casefold().to_numpy()
    for name, point in zip(stops["stop_name"], points, strict=True):
        place = name.removesuffix(" station").removesuffix(" Centralstation").casefold()
        near = expected.geometry.distance(point).to_numpy() < 1_500
        assert (near & np.char.startswith(names.astype(str), place[:6])).any(), name
    for fryksdalsbanan in ("Kil", "Fagerås", "Sunne", "Rottneros", "Lysvik", "Torsby"):
        assert fryksdalsbanan in set(expected["namn"])


def test_station_status_on_the_service_day(cover) -> None:
    status = cover.stations.set_index("namn")["status"]
    assert status["Karlstad Centralstation"] == "trafikeras"
    # in SJ/Tågab's timetable, but their only trains run on Fridays
    for name in ("Väse station", "Välsviken station", "Storfors station", "Nykroppa station"):
        assert status[name] == "ej_trafikdagen"
    for name in ("Torsby", "Sunne", "Charlottenberg", "Rottneros", "Fagerås"):
        assert status[name] == "saknar_tidtabell"
    assert cover.stations["forvantad"].all()


def test_torsby_sunne_and_eda_are_not_covered_and_say_why(cover) -> None:
    kommuner = cover.kommuner.set_index("kommunkod")
    for kod, station in (("1737", "Torsby"), ("1766", "Sunne"), ("1730", "Charlottenberg")):
        assert not kommuner.loc[kod, "komplett"]
        assert "saknar tidtabell" in kommuner.loc[kod, "orsak_sv"]
        assert station in kommuner.loc[kod, "orsak_sv"]
        assert "no timetable" in kommuner.loc[kod, "orsak_en"]
    assert kommuner.loc["1785", "komplett"] and kommuner.loc["1785", "orsak_sv"] == ""


def test_uncovered_kommuner_get_empty_indicators_never_zero(cover) -> None:
    rows = pd.DataFrame({
        "kommunkod": ["1737", "1737", "1785"], "omrade": ["tatort", "tatort", "tatort"],
        "indikator": ["befolkning_stomlinje_tag_2000", "befolkning",
                      "befolkning_stomlinje_tag_2000"],
        "varde": [0.0, 4440.0, 84.0], "enhet": ["procent", "invånare", "procent"],
        "teljare": [0.0, 4440.0, 8397.0], "namnare": [5442.0, np.nan, 9998.0],
        "ar": ["2020"] * 3, "kalla": ["GTFS"] * 3})
    out = tackning.blank_uncovered(rows, cover).set_index(["kommunkod", "indikator"])
    torsby = out.loc[("1737", "befolkning_stomlinje_tag_2000")]
    assert pd.isna(torsby["varde"]) and pd.isna(torsby["teljare"])
    assert torsby["namnare"] == 5442.0 and torsby["kalla"].endswith("— GTFS")
    assert "Torsby" in torsby["kalla"]
    assert out.loc[("1737", "befolkning"), "varde"] == 4440.0  # other indicators untouched
    assert out.loc[("1785", "befolkning_stomlinje_tag_2000"), "varde"] == 84.0


def test_operators_and_the_coverage_sentence(cover) -> None:
    status = cover.operators.set_index(["namn", "trafikslag"])["status"]
    assert status[("SJ", "tag")] == "med"
    assert status[("Tågab", "tag")] == "inga_turer"  # Fridays only
    assert status[("Värmlandstrafik", "buss")] == status[("Värmlandstrafik", "tag")] == "saknas"
    assert status[("Vy", "tag")] == "saknas"
    assert tackning.sentence(cover, "sv") == (
        "Tidtabeller: SJ och Tågab 2023–2024 (Tågab: inga turer 2023-11-07). "
        "Saknas: Värmlandstrafik (tåg och buss), Vy (tåg). "
        "Ej med (annan period): SJ 2025-05-25–2025-12-13.")
    assert tackning.sentence(cover, "en").startswith("Timetables: SJ and Tågab 2023–2024")


def test_a_friday_counts_tagab_and_its_stations(rail, register, varmland) -> None:
    settings = replace(SETTINGS, service_date="2023-11-10")
    natdag = tidtabeller.merge([("gtfs_rail", rail)], register, settings)
    cover = tackning.coverage(natdag, register, VARMLAND, varmland)
    status = cover.stations.set_index("namn")["status"]
    assert status["Storfors station"] == status["Nykroppa station"] == "trafikeras"
    assert "inga turer" not in tackning.sentence(cover, "sv")
    assert cover.kommuner.set_index("kommunkod").loc["1760", "komplett"]  # Storfors


def test_operator_names_match_agency_txt() -> None:
    sj = Operator("SJ", ("SJ",), ("tag",))
    assert sj.matches("SJ AB") and sj.matches("sj") and not sj.matches("SJöfart")
    assert expected_for(SETTINGS.expected_traffic, "17") is VARMLAND
    assert expected_for(SETTINGS.expected_traffic, "03") is None


def test_a_lan_without_expectations_is_covered_by_what_the_timetables_show(
        rail, register, data_dir: Path) -> None:
    from data_sources import kommuner

    frame = kommuner.load(data_dir)
    orebro = frame[frame["kommunkod"].str.startswith("18")]
    natdag = tidtabeller.merge([("gtfs_rail", rail)], register, SETTINGS)
    cover = tackning.coverage(natdag, register, None, orebro)
    assert cover.kommuner["komplett"].all() and cover.operators.empty
    assert any("inga förväntade" in note for note in cover.notes)
    assert (cover.stations["status"] == "trafikeras").any()  # Hallsberg, Degerfors …
