"""The tillganglighet layer and indicators on the real Värmland build (straight-line fallback)."""

from __future__ import annotations

import numpy as np
import pytest

from data_sources import tatortspunkter


def test_every_kommun_has_a_pharmacy(built):
    service = built.layer("service")
    apotek = service[service["kategori"] == "apotek"]
    assert set(apotek["kommunkod"]) == set(built.layer("kommuner")["kommunkod"])
    assert len(apotek) == 70


def test_straight_line_fallback_is_labelled_and_exact(built, data_dir):
    layer = built.layer("tillganglighet")
    points = tatortspunkter.load(data_dir)
    region = points[points["kommunkod"].isin(built.layer("kommuner")["kommunkod"])]
    assert (layer["metod"] == "fågelvägen").all()
    assert layer["minuter"].isna().all()
    assert set(layer["kategori"]) == {"apotek"}  # schools lack coordinates: not computed
    assert sorted(layer["id"]) == sorted(region["tatortskod"])
    service = built.layer("service")
    apotek = service[service["kategori"] == "apotek"].geometry
    expected = layer.geometry.map(lambda p: apotek.distance(p).min() / 1000)
    assert np.allclose(layer["km"], expected)
    entry = built.manifest["layers"]["tillganglighet"]
    assert entry["tillganglighet"]["metod"] == "fågelvägen"
    assert any("fågelvägen" in note for note in entry["notes"])
    assert any("grundskola" in note and "saknar koordinater" in note for note in entry["notes"])


def test_indicators_are_population_weighted_and_skip_landsbygd(built):
    layer = built.layer("tillganglighet")
    rows = built.indicators[built.indicators["indikator"].str.startswith("service_apotek")]
    assert set(rows["omrade"]) == {"tatort"}  # no landsbygd origins: missing, not zero
    assert rows["enhet"].str.contains("fågelvägen").all()
    karlstad = layer[layer["kommunkod"] == "1780"]
    mean = rows[(rows["kommunkod"] == "1780")
                & (rows["indikator"] == "service_apotek_medelavstand")].iloc[0]
    assert mean["namnare"] == karlstad["befolkning"].sum()
    assert mean["varde"] == pytest.approx(
        (karlstad["km"] * karlstad["befolkning"]).sum() / karlstad["befolkning"].sum())
    share = rows[(rows["kommunkod"] == "1780")
                 & (rows["indikator"] == "service_apotek_andel_over_5km")].iloc[0]
    assert share["teljare"] == karlstad.loc[karlstad["km"] > 5, "befolkning"].sum()
    assert share["varde"] == pytest.approx(100 * share["teljare"] / share["namnare"])
    assert {"service_apotek_andel_over_10km"} <= set(rows["indikator"])
    assert not rows["indikator"].str.contains("min").any()  # no travel time without a network
