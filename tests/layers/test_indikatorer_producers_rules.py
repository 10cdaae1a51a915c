"""The producers and the contract check of the indicator table on a few hand-made rows (no
data files, no conftest: with ``test_indikatorer_rules.py`` the fast tests that
``scripts/mutate.py`` runs against ``layers/indikatorer.py``).

Inputs have the columns the loaders and pipelines hand over: ``population_split``'s
``kommunkod, omrade, befolkning, ar``; the SCB kommun panel's ``kommunkod, matar,
folkmangd, andel_*`` (shares 0–1); PTS broadband rows ``kommunkod, ar, mottagare, omrade,
hastighet, antal, andel, med_tillgang`` (andel in percent, med_tillgang = antal × andel /
100, as ``data_sources.bredband`` computes it). The kommunkoder are real Värmland codes, the
numbers are made up for the rules and worked out by hand in the comments.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from data_sources.errors import DataError
from layers import indikatorer
from layers.indikator_namn import pattern_title

NAN = math.nan
COLUMNS = ["kommunkod", "omrade", "indikator", "varde", "enhet", "teljare", "namnare", "ar",
           "kalla"]


def _rows(frame: pd.DataFrame) -> dict[tuple, tuple]:
    """``(kommunkod, omrade, indikator) → (varde, enhet, teljare, namnare, ar, kalla)``, NaN as
    None, values rounded to 6 decimals; asserts the keys are unique."""
    def value(v):
        return None if pd.isna(v) else (round(float(v), 6) if isinstance(v, float) else v)
    out = {(r.kommunkod, r.omrade, r.indikator): tuple(value(getattr(r, c)) for c in COLUMNS[3:])
           for r in frame.itertuples(index=False)}
    assert len(out) == len(frame)
    return out


def _contract_rows(**changes) -> pd.DataFrame:
    """Two valid rows (a count and a share) in a shuffled column order with an extra column
    and a non-default index; ``changes`` overwrite columns."""
    frame = pd.DataFrame({
        "extra": ["x", "y"], "kalla": ["SCB", "SCB"], "ar": ["2024", "2024"],
        "namnare": [NAN, 200.0], "teljare": [150.0, 50.0], "enhet": ["invånare", "procent"],
        "varde": [150.0, 25.0], "indikator": ["befolkning", "andel_x"],
        "omrade": ["tatort", "hela_kommunen"], "kommunkod": ["1780", "1780"]}, index=[7, 3])
    return frame.assign(**changes)


def test_check_keeps_the_contract_columns_in_order_with_a_fresh_index():
    out = indikatorer.check(_contract_rows(), "test")
    assert out.columns.tolist() == COLUMNS
    assert out.index.tolist() == [0, 1]
    assert out["indikator"].tolist() == ["befolkning", "andel_x"]


def test_check_names_the_missing_columns_and_the_producer():
    frame = _contract_rows().drop(columns=["ar", "kalla"])
    with pytest.raises(DataError) as error:
        indikatorer.check(frame, "bredband")
    assert str(error.value) == "indicator rows from bredband: missing column(s) ['ar', 'kalla']"


def test_check_refuses_an_unknown_omrade():
    frame = _contract_rows(omrade=["smaort", "tatort"])
    with pytest.raises(DataError) as error:
        indikatorer.check(frame, "pts")
    assert str(error.value) == ("indicator rows from pts: omrade must be one of ('tatort', "
                                "'landsbygd', 'hela_kommunen'), got ['smaort']")


def test_check_refuses_a_percentage_with_a_numerator_but_no_denominator():
    # the share row keeps 50 persons but loses its 200: it could never be weighed; the count
    # row (invånare) needs no denominator
    frame = _contract_rows(namnare=[NAN, NAN])
    with pytest.raises(DataError) as error:
        indikatorer.check(frame, "panel")
    assert str(error.value) == ("indicator rows from panel: a percentage with a numerator "
                                "needs its denominator, missing for ['andel_x']")


def test_check_accepts_a_share_without_numbers_and_a_ratio_unit_without_a_denominator():
    # PTS' share-only rows: varde alone (teljare and namnare empty); a km mean with a
    # numerator and no denominator is not a percentage
    frame = _contract_rows(teljare=[NAN, NAN], namnare=[NAN, NAN],
                           enhet=["km", "procent (hushåll)"])
    assert indikatorer.check(frame, "pts")["varde"].tolist() == [150.0, 25.0]


def test_combine_checks_each_producer_and_skips_empty_parts():
    empty = pd.DataFrame(columns=COLUMNS)
    out = indikatorer.combine({"a": _contract_rows(), "b": empty, "c": _contract_rows()})
    assert out.columns.tolist() == COLUMNS and out.index.tolist() == [0, 1, 2, 3]
    assert indikatorer.combine({"b": empty}).columns.tolist() == COLUMNS
    assert indikatorer.combine({"b": empty}).empty
    with pytest.raises(DataError, match="^indicator rows from broken: missing column"):
        indikatorer.combine({"a": _contract_rows(), "broken": _contract_rows().drop(
            columns=["ar"])})


def test_the_catalogue_labels_come_from_the_messages_in_both_languages():
    # messages/sv.po and en.po: befolkning has a title and a note, the broadband indicator a
    # title only
    befolkning = indikatorer.Indikator.of("befolkning", "invånare")
    assert (befolkning.title_sv, befolkning.title_en, befolkning.enhet) == (
        "Folkmängd", "Population", "invånare")
    assert befolkning.note_sv.startswith("SCB:s registersiffra för kommunen.")
    assert befolkning.note_en.startswith("SCB's register total.")
    bredband = indikatorer.Indikator.of("bredband_100mbit_hushall", "procent")
    assert (bredband.title_sv, bredband.title_en, bredband.note_sv, bredband.note_en) == (
        "Hushåll med tillgång till ≥ 100 Mbit/s", "Households with access to ≥ 100 Mbit/s",
        "", "")


def test_the_catalogue_entries_cannot_be_changed():
    with pytest.raises(AttributeError):
        indikatorer.CATALOGUE["befolkning"].enhet = "procent"


def test_the_catalogue_has_every_produced_indicator_with_its_unit():
    assert indikatorer.BREDBAND_IDS == (
        "bredband_100mbit_hushall", "bredband_100mbit_arbetsstallen",
        "bredband_1gbit_hushall", "bredband_1gbit_arbetsstallen")
    assert {i: e.enhet for i, e in indikatorer.CATALOGUE.items()} == {
        "befolkning": "invånare", "andel_i_tatort": "procent",
        "befolkning_ruta": "invånare", "andel_eftergymnasial_16_74": "procent",
        "andel_0_19": "procent", "andel_75_plus": "procent",
        **{i: "procent" for i in indikatorer.BREDBAND_IDS}}


def test_describe_gives_the_labels_in_the_language_asked():
    assert indikatorer.describe("befolkning")["titel"] == "Folkmängd"
    english = indikatorer.describe("befolkning", "en")
    assert english["id"] == "befolkning" and english["titel"] == "Population"
    assert english["enhet"] == "invånare" and english["not"].startswith("SCB's register")
    assert indikatorer.describe("befolkning", "sv")["not"].startswith("SCB:s registersiffra")


def test_describe_falls_back_to_the_id_patterns_then_to_the_id():
    stomlinje = "befolkning_stomlinje_tag_1000"
    assert pattern_title(stomlinje, "en") not in (None, stomlinje)
    assert indikatorer.describe(stomlinje, "en") == {
        "id": stomlinje, "titel": pattern_title(stomlinje, "en"), "enhet": "", "not": ""}
    assert indikatorer.describe("okand_indikator") == {
        "id": "okand_indikator", "titel": "okand_indikator", "enhet": "", "not": ""}


# population_split of two kommuner (Karlstad listed after Torsby); Karlstad's tätort share
# is left empty, as population_split leaves it when the tätorter exceed the kommun
SPLIT = pd.DataFrame(
    [("1737", "hela_kommunen", 11500.0, "2024"), ("1737", "tatort", 6900.0, "2020"),
     ("1737", "landsbygd", 4600.0, "2020/2024"),
     ("1780", "hela_kommunen", 95000.0, "2023"), ("1780", "tatort", NAN, "2020"),
     ("1780", "landsbygd", NAN, "2020/2023")],
    columns=["kommunkod", "omrade", "befolkning", "ar"], index=[4, 5, 6, 1, 2, 3])


def test_population_rows_are_counts_with_each_parts_year():
    out = indikatorer.population_rows(SPLIT, kalla="SCB")
    assert out.columns.tolist() == COLUMNS
    assert _rows(out) == {
        ("1737", "hela_kommunen", "befolkning"): (11500.0, "invånare", 11500.0, None, "2024",
                                                  "SCB"),
        ("1737", "tatort", "befolkning"): (6900.0, "invånare", 6900.0, None, "2020", "SCB"),
        ("1737", "landsbygd", "befolkning"): (4600.0, "invånare", 4600.0, None, "2020/2024",
                                              "SCB"),
        ("1780", "hela_kommunen", "befolkning"): (95000.0, "invånare", 95000.0, None, "2023",
                                                  "SCB"),
        ("1780", "tatort", "befolkning"): (None, "invånare", None, None, "2020", "SCB"),
        ("1780", "landsbygd", "befolkning"): (None, "invånare", None, None, "2020/2023",
                                              "SCB")}


def test_the_tatort_share_is_tatort_over_the_whole_kommun_with_the_landsbygd_year():
    # Torsby 6 900 / 11 500 = 60 %; Karlstad's tätort is empty, so its share is empty
    out = indikatorer.tatort_share_rows(SPLIT, kalla="SCB")
    assert out.columns.tolist() == COLUMNS
    assert out["kommunkod"].tolist() == ["1737", "1780"]
    assert _rows(out) == {
        ("1737", "hela_kommunen", "andel_i_tatort"): (60.0, "procent", 6900.0, 11500.0,
                                                      "2020/2024", "SCB"),
        ("1780", "hela_kommunen", "andel_i_tatort"): (None, "procent", None, 95000.0,
                                                      "2020/2023", "SCB")}


def test_a_share_over_zero_persons_is_empty_and_other_units_are_not_scaled():
    # 0/0 and 5/0 are empty (never 0 or ∞); 30/4 and 1/1 are values
    frame = pd.DataFrame({"kommunkod": ["1737", "1780", "1715", "1730"], "omrade": "tatort",
                          "teljare": [0, 30, 5, 1], "namnare": [0, 4, 0, 1], "ar": "2024",
                          "kalla": "x"})
    shares = indikatorer._share_rows(frame, "andel_x")
    assert shares["enhet"].tolist() == ["procent"] * 4
    assert shares["varde"].isna().tolist() == [True, False, True, False]
    assert shares["varde"].iloc[1] == 750.0  # 100 × 30 / 4
    assert shares["varde"].iloc[3] == 100.0
    assert indikatorer._share_rows(frame, "medel_km", "km")["varde"].iloc[1] == 7.5


def test_grid_population_rows_carry_the_grid_year_and_source():
    sums = pd.DataFrame({"kommunkod": ["1737", "1737"], "omrade": ["tatort", "landsbygd"],
                         "befolkning": [7012, 4488]})
    out = indikatorer.grid_population_rows(sums, ar="2024", kalla="SCB befolkningsruta")
    assert _rows(out) == {
        ("1737", "tatort", "befolkning_ruta"): (7012.0, "invånare", 7012, None, "2024",
                                                "SCB befolkningsruta"),
        ("1737", "landsbygd", "befolkning_ruta"): (4488.0, "invånare", 4488, None, "2024",
                                                   "SCB befolkningsruta")}


def test_panel_shares_are_weighted_by_the_population_of_each_year():
    # Torsby 2021: 12 000 people, 25 % post-secondary → 3 000 / 12 000; 18 % aged 0–19 →
    # 2 160. Arvika (not asked for) is left out; the panel has no 75+ column
    panel = pd.DataFrame({
        "kommunkod": ["1737", "1737", "1784"], "matar": ["2017", "2021", "2021"],
        "folkmangd": [12500, 12000, 26000], "andel_eftergymnasial": [0.2, 0.25, 0.3],
        "andel_0_19": [0.2, 0.18, 0.22]})
    out = indikatorer.panel_rows(panel, kommunkoder=["1737"], kalla="panel")
    assert out.columns.tolist() == COLUMNS and out.index.tolist() == list(range(6))
    assert out["indikator"].tolist() == ["andel_eftergymnasial_16_74"] * 2 + [
        "andel_0_19"] * 2 + ["befolkning"] * 2
    assert out["ar"].tolist() == ["2017", "2021"] * 3
    assert set(out["omrade"]) == {"hela_kommunen"} and set(out["kalla"]) == {"panel"}
    rows = out.set_index(["indikator", "ar"])
    assert rows.loc[("andel_eftergymnasial_16_74", "2021"), ["varde", "teljare", "namnare"]
                    ].tolist() == pytest.approx([25.0, 3000.0, 12000.0])
    assert rows.loc[("andel_0_19", "2017"), ["varde", "teljare", "namnare"]].tolist() == (
        pytest.approx([20.0, 2500.0, 12500.0]))
    befolkning = rows.loc[("befolkning", "2021")]
    assert befolkning["varde"] == 12000.0 and befolkning["teljare"] == 12000.0
    assert pd.isna(befolkning["namnare"]) and befolkning["enhet"] == "invånare"


def test_latest_keeps_each_series_last_year_in_the_tables_order():
    # Torsby's befolkning 2022, 2024, 2023: 2024 is kept; two 2024 rows of the share: the
    # later one (stable); Karlstad's one row stays; the rows keep the table's order
    table = pd.DataFrame({
        "kommunkod": ["1737", "1780", "1737", "1737", "1737", "1737"],
        "omrade": "hela_kommunen",
        "indikator": ["befolkning", "befolkning", "befolkning", "befolkning", "andel_x",
                      "andel_x"],
        "ar": ["2022", "2023", "2024", "2023", "2024", "2024"],
        "varde": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}, index=[10, 11, 12, 13, 14, 15])
    out = indikatorer.latest(table)
    assert out.index.tolist() == [11, 12, 15]
    assert out["varde"].tolist() == [2.0, 3.0, 6.0]
    empty = table.iloc[:0]
    assert indikatorer.latest(empty) is empty


def _pts(rows: list[tuple]) -> pd.DataFrame:
    """PTS rows ``(kommunkod, ar, mottagare, omrade, hastighet, antal, andel)`` with
    ``med_tillgang = antal × andel / 100`` as the loader computes it."""
    frame = pd.DataFrame(rows, columns=["kommunkod", "ar", "mottagare", "omrade", "hastighet",
                                        "antal", "andel"])
    return frame.assign(med_tillgang=frame["antal"] * frame["andel"] / 100.0)


BREDBAND = _pts([
    # Karlstad, counts for all three parts: tätort 900/1 000, landsbygd (100 + 60)/(200 +
    # 300) = 32 %, whole kommun 1 060/1 500 = 70.67 %; its 2023 rows are an older year
    ("1780", "2024", "hushall", "tatort", "100mbit", 1000, 90.0),
    ("1780", "2024", "hushall", "smaort", "100mbit", 200, 50.0),
    ("1780", "2024", "hushall", "utanfor", "100mbit", 300, 20.0),
    ("1780", "2023", "hushall", "tatort", "100mbit", 1000, 10.0),
    ("1780", "2023", "hushall", "smaort", "100mbit", 200, 10.0),
    ("1780", "2023", "hushall", "utanfor", "100mbit", 300, 10.0),
    # Torsby, utanför has households but a blank share: landsbygd and the whole kommun are
    # partial and left out; tätort 300/400 = 75 %
    ("1737", "2024", "hushall", "tatort", "100mbit", 400, 75.0),
    ("1737", "2024", "hushall", "smaort", "100mbit", 100, 40.0),
    ("1737", "2024", "hushall", "utanfor", "100mbit", 50, NAN),
    # Hammarö, a blank share over zero households counts as none: landsbygd 10/10 = 100 %,
    # whole (45 + 10 + 0)/100 = 55 %, tätort 45/90 = 50 %
    ("1761", "2024", "hushall", "tatort", "100mbit", 90, 50.0),
    ("1761", "2024", "hushall", "smaort", "100mbit", 10, 100.0),
    ("1761", "2024", "hushall", "utanfor", "100mbit", 0, NAN),
    # Kil, PTS' own total with counts wins over the parts' sum: 90/150 = 60 % (not 93/150)
    ("1715", "2024", "hushall", "tatort", "100mbit", 100, 80.0),
    ("1715", "2024", "hushall", "smaort", "100mbit", 20, 50.0),
    ("1715", "2024", "hushall", "utanfor", "100mbit", 30, 10.0),
    ("1715", "2024", "hushall", "totalt", "100mbit", 150, 60.0),
    # Eda, PTS' workbook without counts: tätort 85 % and whole kommun 70 % as shares only;
    # landsbygd (two shares) is left out
    ("1730", "2024", "hushall", "tatort", "100mbit", NAN, 85.0),
    ("1730", "2024", "hushall", "smaort", "100mbit", NAN, 40.0),
    ("1730", "2024", "hushall", "utanfor", "100mbit", NAN, 10.0),
    ("1730", "2024", "hushall", "totalt", "100mbit", NAN, 70.0),
    # Grums, counted parts and a share-only total: the counted sum 20/40 = 50 % wins over
    # the bare 55 %; landsbygd (5 + 5)/(10 + 20) = 33.33 %, tätort 10/10 = 100 %
    ("1764", "2024", "hushall", "tatort", "100mbit", 10, 100.0),
    ("1764", "2024", "hushall", "smaort", "100mbit", 10, 50.0),
    ("1764", "2024", "hushall", "utanfor", "100mbit", 20, 25.0),
    ("1764", "2024", "hushall", "totalt", "100mbit", NAN, 55.0),
    # Forshaga, småort has no households and PTS still gives a share: counted as none with
    # access, landsbygd 25/50 = 50 %, whole (90 + 0 + 25)/150 = 76.67 %
    ("1763", "2024", "hushall", "tatort", "100mbit", 100, 90.0),
    ("1763", "2024", "hushall", "smaort", "100mbit", 0, 0.0),
    ("1763", "2024", "hushall", "utanfor", "100mbit", 50, 50.0),
    # Karlstad's workplaces at 1 Gbit/s: latest year 2023 (its own, not the households')
    ("1780", "2023", "arbetsstallen", "tatort", "1gbit", 50, 40.0),
    # Arvika is not asked for
    ("1784", "2024", "hushall", "tatort", "100mbit", 500, 99.0),
])
KOMMUNER = ["1780", "1737", "1761", "1715", "1730", "1764", "1763"]


def test_broadband_rows_weigh_counted_parts_and_keep_bare_shares_unweighted():
    out = indikatorer.broadband_rows(BREDBAND, kommunkoder=KOMMUNER, kalla="PTS")
    assert out.columns.tolist() == COLUMNS and out.index.tolist() == list(range(len(out)))
    h = "bredband_100mbit_hushall"
    assert _rows(out) == {
        ("1780", "tatort", h): (90.0, "procent", 900.0, 1000, "2024", "PTS"),
        ("1780", "landsbygd", h): (32.0, "procent", 160.0, 500, "2024", "PTS"),
        ("1780", "hela_kommunen", h): (70.666667, "procent", 1060.0, 1500, "2024", "PTS"),
        ("1737", "tatort", h): (75.0, "procent", 300.0, 400, "2024", "PTS"),
        ("1761", "tatort", h): (50.0, "procent", 45.0, 90, "2024", "PTS"),
        ("1761", "landsbygd", h): (100.0, "procent", 10.0, 10, "2024", "PTS"),
        ("1761", "hela_kommunen", h): (55.0, "procent", 55.0, 100, "2024", "PTS"),
        ("1715", "tatort", h): (80.0, "procent", 80.0, 100, "2024", "PTS"),
        ("1715", "landsbygd", h): (26.0, "procent", 13.0, 50, "2024", "PTS"),
        ("1715", "hela_kommunen", h): (60.0, "procent", 90.0, 150, "2024", "PTS"),
        ("1730", "tatort", h): (85.0, "procent", None, None, "2024", "PTS"),
        ("1730", "hela_kommunen", h): (70.0, "procent", None, None, "2024", "PTS"),
        ("1764", "tatort", h): (100.0, "procent", 10.0, 10, "2024", "PTS"),
        ("1764", "landsbygd", h): (33.333333, "procent", 10.0, 30, "2024", "PTS"),
        ("1764", "hela_kommunen", h): (50.0, "procent", 20.0, 40, "2024", "PTS"),
        ("1763", "tatort", h): (90.0, "procent", 90.0, 100, "2024", "PTS"),
        ("1763", "landsbygd", h): (50.0, "procent", 25.0, 50, "2024", "PTS"),
        ("1763", "hela_kommunen", h): (76.666667, "procent", 115.0, 150, "2024", "PTS"),
        ("1780", "tatort", "bredband_1gbit_arbetsstallen"): (40.0, "procent", 20.0, 50,
                                                             "2023", "PTS")}


def test_broadband_rows_of_no_asked_kommun_are_an_empty_table():
    out = indikatorer.broadband_rows(BREDBAND, kommunkoder=["1766"], kalla="PTS")
    assert out.empty and out.columns.tolist() == COLUMNS
