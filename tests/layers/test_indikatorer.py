"""The indicator table of a real build: additivity, län totals, class aggregates from
numerators and denominators, and figures equal to the source tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from data_sources import kommunpanel
from layers import indikatorer


@pytest.fixture(scope="module")
def table(built) -> pd.DataFrame:
    """The latest year of every row (the build keeps the panel's earlier years too)."""
    return indikatorer.latest(indikatorer.check(built.indicators, "test build"))


@pytest.fixture(scope="module")
def source_population(data_dir) -> pd.DataFrame:
    """The population table exactly as published in ../shared/data."""
    path = data_dir / "admin" / "varmland_kommuner_befolkning.csv"
    return pd.read_csv(path, dtype={"kommunkod": str}).set_index("kommunkod")


def counts(table: pd.DataFrame) -> pd.DataFrame:
    """Count indicators (no denominator) as kommunkod × indikator rows, omrade columns."""
    rows = table[table["namnare"].isna()]
    return rows.pivot_table(index=["kommunkod", "indikator"], columns="omrade",
                            values="teljare", aggfunc="sum")


@pytest.fixture(scope="module")
def grid_totals(grid_csv) -> pd.Series:
    """Persons per kommun summed from the national grid CSV with plain pandas."""
    raw = grid_csv
    return raw.groupby("kommunkod")["beftotalt"].sum()


def test_every_kommun_has_grid_population_for_all_three_areas(table):
    grid = table[table["indikator"] == "befolkning_ruta"]
    assert len(grid) == 16 * 3
    assert set(grid["omrade"]) == set(indikatorer.OMRADEN)
    register = table[table["indikator"] == "befolkning"]
    assert len(register) == 16 and set(register["omrade"]) == {"hela_kommunen"}  # no mixing
    assert set(register["ar"]) == {"2025"}


def test_tatort_plus_landsbygd_is_hela_kommunen_for_every_count(table):
    wide = counts(table).dropna(subset=["tatort", "landsbygd", "hela_kommunen"])
    assert "befolkning_ruta" in wide.index.get_level_values("indikator")
    np.testing.assert_allclose(wide["tatort"] + wide["landsbygd"], wide["hela_kommunen"])


def test_population_equals_the_source_tables_and_their_years(table, source_population,
                                                             grid_totals):
    pop = table[table["indikator"] == "befolkning"].set_index("kommunkod")
    grid = table[table["indikator"] == "befolkning_ruta"].set_index(["kommunkod", "omrade"])
    for kommunkod, source in source_population.iterrows():
        assert pop.loc[kommunkod, "varde"] == source["invanare_2025_kolada_n01951"]
        assert pop.loc[kommunkod, "ar"] == "2025"
        assert grid.loc[(kommunkod, "hela_kommunen"), "varde"] == grid_totals[kommunkod]
        assert set(grid.loc[kommunkod, "ar"]) == {"2024"}  # one grid year for all three areas


def test_share_in_tatort_is_measured_on_the_grid(table):
    share = table[table["indikator"] == "andel_i_tatort"].set_index("kommunkod")
    grid = table[table["indikator"] == "befolkning_ruta"].pivot(
        index="kommunkod", columns="omrade", values="teljare")
    assert (share["teljare"] == grid["tatort"].reindex(share.index)).all()
    assert (share["namnare"] == grid["hela_kommunen"].reindex(share.index)).all()
    assert set(share["ar"]) == {"2024"}


def test_without_a_grid_population_splits_by_tatort_points_with_both_years(no_grid_built,
                                                                            source_population):
    rows = no_grid_built.indicators
    assert "befolkning_ruta" not in set(rows["indikator"])
    pop = rows[rows["indikator"] == "befolkning"].set_index(["kommunkod", "omrade"])
    for kommunkod, source in source_population.iterrows():
        tatort = pop.loc[(kommunkod, "tatort")]
        assert tatort["varde"] == source["bef_i_tatort_2020"]  # derived independently in data
        assert tatort["ar"] == "2020"
        assert pop.loc[(kommunkod, "landsbygd"), "ar"] == "2020/2025"
        assert pop.loc[(kommunkod, "landsbygd"), "varde"] == (
            source["invanare_2025_kolada_n01951"] - source["bef_i_tatort_2020"])


def test_kommuner_sum_to_the_lan_total(table, source_population):
    lan = indikatorer.aggregate(table, pd.Series("Värmlands län", index=source_population.index))
    lan = lan.set_index(["indikator", "omrade"])
    assert lan.loc[("befolkning", "hela_kommunen"), "varde"] == source_population[
        "invanare_2025_kolada_n01951"].sum() == 283_028
    assert lan.loc[("befolkning", "hela_kommunen"), "antal_kommuner"] == 16
    for (indikator, omrade), row in lan.iterrows():
        rows = table[(table["indikator"] == indikator) & (table["omrade"] == omrade)]
        if len(rows) == 16 and rows["teljare"].notna().all():
            assert row["teljare"] == pytest.approx(rows["teljare"].sum())
        else:  # a kommun lacks the value: the län has none either (never a partial sum)
            assert np.isnan(row["varde"]) and np.isnan(row["teljare"])


def test_class_aggregates_are_sum_of_numerators_over_sum_of_denominators(built, table):
    classes = built.layer("kommunindikatorer").set_index("kommunkod")["klass_skr"]
    assert classes["1780"] == "Större stad"
    agg = indikatorer.aggregate(table, classes).set_index(["grupp", "indikator", "omrade"])
    shares = table[table["namnare"].notna() & (table["indikator"] == "andel_i_tatort")]
    for klass, members in classes.groupby(classes):
        rows = shares[shares["kommunkod"].isin(members.index)]
        expected = 100 * rows["teljare"].sum() / rows["namnare"].sum()
        got = agg.loc[(klass, "andel_i_tatort", "hela_kommunen"), "varde"]
        assert got == pytest.approx(expected)
        if len(rows) > 1 and rows["varde"].nunique() > 1:
            assert got != pytest.approx(rows["varde"].mean())  # not a mean of percentages


def test_education_share_keeps_the_source_value_year_and_age_band(table, data_dir):
    panel = kommunpanel.load(data_dir)
    latest = panel[panel["panelar"] == 2022].set_index("kommunkod")
    rows = table[table["indikator"] == "andel_eftergymnasial_16_74"].set_index("kommunkod")
    assert set(rows["omrade"]) == {"hela_kommunen"}  # no tätort split exists in the source
    for kommunkod, row in rows.iterrows():
        assert row["varde"] == pytest.approx(100 * latest.loc[kommunkod, "andel_eftergymnasial"])
        assert row["ar"] == "2021"
    assert "16–74" in indikatorer.describe("andel_eftergymnasial_16_74")["titel"]


def test_broadband_rows_from_the_fixture_split_smaort_into_landsbygd():
    from data_sources import bredband
    from tests.conftest import FIXTURES

    table = bredband.parse(FIXTURES / "bredband" / "bredband_pts_kommun_fixture.csv")
    rows = indikatorer.broadband_rows(table, kommunkoder=["1780", "1715"], kalla="fixture")
    rows = rows.set_index(["kommunkod", "indikator", "omrade"])
    land = rows.loc[("1780", "bredband_1gbit_hushall", "landsbygd")]
    assert land["namnare"] == 1000 + 3000
    assert land["varde"] == pytest.approx(100 * (800 + 1800) / 4000)
    whole = rows.loc[("1780", "bredband_1gbit_hushall", "hela_kommunen")]
    assert whole["teljare"] == pytest.approx(38_800 + 800 + 1800)


def test_broadband_uses_only_the_latest_year():
    from data_sources import bredband
    from tests.conftest import FIXTURES

    latest = bredband.parse(FIXTURES / "bredband" / "bredband_pts_kommun_fixture.csv")
    older = latest.assign(ar="2023", andel=latest["andel"] / 2,
                          med_tillgang=latest["med_tillgang"] / 2)
    rows = indikatorer.broadband_rows(pd.concat([older, latest]), kommunkoder=["1780"],
                                      kalla="fixture")
    assert set(rows["ar"]) == {"2024"}
    whole = rows.set_index(["indikator", "omrade"]).loc[("bredband_1gbit_hushall",
                                                         "hela_kommunen")]
    assert whole["namnare"] == 44_000  # one year's households, not two years summed


def test_every_indicator_of_the_build_has_a_title_in_both_languages(table):
    for indikator in table["indikator"].unique():
        sv, en = indikatorer.describe(indikator, "sv"), indikatorer.describe(indikator, "en")
        assert sv["titel"] != indikator and en["titel"] != indikator, indikator
    assert indikatorer.describe("service_apotek_andel_over_2_5km")["titel"] == (
        "Andel som har mer än 2,5 km till närmaste apotek och apoteksombud")
    assert indikatorer.describe("befolkning_stomlinje_tag_1000", "en")["titel"] == (
        "Share of the population living within 1 000 m of a station on the trunk line network "
        "(rail)")
    assert indikatorer.describe("befolkning_stomlinje_tag_1000")["titel"] == (
        "Andel av befolkningen som bor inom 1 000 m från en station på stomlinjenätet (tåg)")


def test_a_ratio_group_without_denominators_is_empty_not_a_sum(table):
    """Mean distance is a ratio (Σ population × km / Σ population): a group whose members
    all lack the denominator must be empty, never the sum of their numerators."""
    rows = table[table["indikator"] == "service_apotek_medelavstand"].copy()
    assert rows["namnare"].notna().all()
    karlstad = rows["kommunkod"] == "1780"
    rows.loc[karlstad, "namnare"] = np.nan
    result = indikatorer.aggregate(rows, pd.Series("Större stad", index=["1780"]))
    assert result["varde"].isna().all() and result["teljare"].isna().all()


def test_a_percentage_with_a_numerator_but_no_denominator_is_refused(table):
    rows = table[table["indikator"] == "andel_i_tatort"].copy()
    rows.loc[rows.index[0], "namnare"] = np.nan
    with pytest.raises(indikatorer.DataError, match="needs its denominator.*andel_i_tatort"):
        indikatorer.check(rows, "test")


def test_tatorter_larger_than_their_kommun_leave_the_split_empty_not_negative(built, data_dir):
    """Nationally a big city's tätort point carries one kommunkod while the tätort spans
    several kommuner (Stockholm); here Karlstad's total is lowered below its tätorter."""
    from data_sources import tatortspunkter
    from layers.befolkning import population_split

    kommuner = built.layer("kommuner").copy()
    kommuner.loc[kommuner["kommunkod"] == "1780", "invanare"] = 1000
    split = population_split(kommuner, tatortspunkter.load(data_dir)).set_index(
        ["kommunkod", "omrade"])["befolkning"]
    assert split[("1780", "hela_kommunen")] == 1000
    assert np.isnan(split[("1780", "tatort")]) and np.isnan(split[("1780", "landsbygd")])
    assert (split.drop("1780", level="kommunkod") >= 0).all()
