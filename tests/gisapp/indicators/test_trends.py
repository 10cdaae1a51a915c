"""Change over time from the SCB kommun panel: every year in the indicator table (``ar``),
trend charts on the kommun page and /jamfor; the latest year everywhere else."""

from __future__ import annotations

import io

import pandas as pd
import pytest

PANEL = "indicators/scb_kommun_panel_varmland_2002-2022.csv"


@pytest.fixture(scope="module")
def panel(data_dir):
    """The raw panel read with plain pandas (the independent reference)."""
    return pd.read_csv(data_dir / PANEL, dtype={"municip_code": str})


def test_the_api_keeps_every_year_with_ar(client, panel):
    csv = client.get("/api/indikatorer?kommun=1780&ar=alla&format=csv").get_data(as_text=True)
    frame = pd.read_csv(io.StringIO(csv), dtype={"kommunkod": str, "ar": str})
    kommun = frame[(frame["niva"] == "kommun") & (frame["omrade"] == "hela_kommunen")]
    raw = panel[panel["municip_code"] == "1780"].set_index("year")
    pop = kommun[kommun["indikator"] == "befolkning"].set_index("ar")["varde"]
    for year, row in raw.iterrows():  # panel year t measures 31 December of t − 1
        assert pop[str(year - 1)] == row["pop"]
    assert pop["2025"] == 99007  # SCB's register total (Kolada), the latest year
    for indikator, column in (("andel_eftergymnasial_16_74", "share_tertiary_school"),
                              ("andel_0_19", "share0_19"), ("andel_75_plus", "share75_")):
        series = kommun[kommun["indikator"] == indikator].set_index("ar")["varde"]
        assert len(series) == 6
        for year, row in raw.iterrows():
            assert series[str(year - 1)] == pytest.approx(100 * row[column])


def test_county_values_are_weighted_year_by_year(client, panel):
    body = client.get("/api/indikatorer?indikator=andel_75_plus&ar=alla").get_json()
    lan = {r["ar"]: r["varde"] for r in body["lan"]}
    for year, part in panel.groupby("year"):
        expected = 100 * (part["share75_"] * part["pop"]).sum() / part["pop"].sum()
        assert lan[str(year - 1)] == pytest.approx(expected)
    one = client.get("/api/indikatorer?indikator=andel_75_plus&ar=2009").get_json()
    assert {r["ar"] for r in one["rader"]} == {"2009"} and len(one["rader"]) == 16
    latest = client.get("/api/indikatorer?indikator=andel_75_plus").get_json()
    assert {r["ar"] for r in latest["rader"]} == {"2021"}
    assert client.get("/api/indikatorer?ar=1999").status_code == 400


def test_kommun_page_and_comparison_show_trends(client):
    page = client.get("/kommun/1780").get_data(as_text=True)
    # kommun, class and län for the three panel shares; the population count: kommun only
    assert page.count("<polyline") == 3 * 3 + 1
    assert "Utveckling" in page and "Karlstad (2025: 99\u00a0007)" in page
    jamfor = client.get("/jamfor?indikator=andel_eftergymnasial_16_74").get_data(as_text=True)
    assert "<polyline" in jamfor and "Värmlands län (2021:" in jamfor
    assert client.get("/jamfor?indikator=service_apotek_medelavstand").get_data(
        as_text=True).count("<polyline") == 0  # one year only: no trend
