"""The tillganglighet layer and indicators on the real Värmland build: grid origins, straight
line (no road network here), and the tätort-point fallback of a build without the grid."""

from __future__ import annotations

import numpy as np
import pytest

from data_sources import pipos, tatortspunkter
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
