"""The aggregation rules of the indicator table on a few hand-made rows (no data files, no
conftest: the fast tests that ``scripts/mutate.py`` runs against ``layers/indikatorer.py``).

Expected values are worked out by hand from the contract in :func:`layers.indikatorer.aggregate`
(Σ teljare / Σ namnare, never a mean of ``varde``; a group lacking a member is empty).
"""

from __future__ import annotations

import math

import pandas as pd

from layers import indikatorer

NAN = math.nan

# (kommunkod, omrade, indikator, enhet, teljare, namnare, ar, kalla)
ROWS = [
    ("01", "tatort", "befolkning", "invånare", 100.0, NAN, "2024", "SCB"),
    ("02", "tatort", "befolkning", "invånare", 50.0, NAN, "2023", "SCB"),
    ("01", "hela_kommunen", "andel_x", "procent", 30.0, 60.0, "2024", "A"),
    ("02", "hela_kommunen", "andel_x", "procent", 10.0, 40.0, "2024", "B"),
    ("01", "hela_kommunen", "medel_km", "km", 20.0, 4.0, "2024", "A"),
    ("02", "hela_kommunen", "medel_km", "km", 10.0, 6.0, "2024", "A"),
    ("03", "hela_kommunen", "andel_x", "procent", 5.0, 10.0, "2024", "A"),
    ("03", "hela_kommunen", "medel_km", "km", 2.0, NAN, "2024", "A"),
    ("05", "hela_kommunen", "andel_x", "procent", 1.0, 2.0, "2024", "A"),
    ("06", "hela_kommunen", "andel_x", "procent", 3.0, NAN, "2024", "A"),
    ("05", "tatort", "befolkning", "invånare", 7.0, NAN, "2024", "SCB"),
    ("06", "tatort", "befolkning", "invånare", NAN, NAN, "2024", "SCB"),
    ("05", "hela_kommunen", "medel_km", "km", 2.0, NAN, "2024", "A"),
    ("06", "hela_kommunen", "medel_km", "km", 3.0, NAN, "2024", "A"),
    ("07", "hela_kommunen", "andel_x", "procent", 0.0, 0.0, "2024", "A"),
    ("09", "tatort", "befolkning", "invånare", 1000.0, NAN, "2024", "SCB"),
    ("08", "hela_kommunen", "andel_x", "procent", NAN, NAN, "2024", "A"),
    ("10", "hela_kommunen", "medel_km", "km", 5.0, 0.0, "2024", "A"),
    ("11", "hela_kommunen", "andel_x", "procent", 1.0, 1.0, "2024", "A"),
]
GROUPS = pd.Series({"01": "A", "02": "A", "03": "B", "04": "B", "05": "C", "06": "C",
                    "07": "D", "08": "E", "10": "F", "11": "G"})


def _table(rows: list[tuple]) -> pd.DataFrame:
    """Indicator rows in :data:`layers.indikatorer.COLUMNS` (``varde`` left empty)."""
    frame = pd.DataFrame(rows, columns=["kommunkod", "omrade", "indikator", "enhet", "teljare",
                                        "namnare", "ar", "kalla"])
    return frame.assign(varde=NAN)[indikatorer.COLUMNS]


def _row(out: pd.DataFrame, grupp: str, indikator: str) -> pd.Series:
    """The one aggregate row of ``grupp`` and ``indikator``."""
    part = out[(out["grupp"] == grupp) & (out["indikator"] == indikator)]
    assert len(part) == 1
    return part.iloc[0]


def _numbers(row: pd.Series) -> tuple[float, float, float]:
    """``varde, teljare, namnare`` of an aggregate row as floats."""
    return float(row["varde"]), float(row["teljare"]), float(row["namnare"])


def test_scale_is_100_for_percent_units_only():
    assert indikatorer.scale("procent") == 100.0
    assert indikatorer.scale("procent (av hushållen)") == 100.0
    assert indikatorer.scale("km") == 1.0
    assert indikatorer.scale("invånare") == 1.0


def test_counts_sum_numerators_and_join_years_and_sources():
    out = indikatorer.aggregate(_table(ROWS), GROUPS)
    row = _row(out, "A", "befolkning")
    assert row["omrade"] == "tatort" and row["enhet"] == "invånare"
    assert _numbers(row)[:2] == (150.0, 150.0) and math.isnan(_numbers(row)[2])
    assert row["ar"] == "2023/2024" and row["kalla"] == "SCB"
    assert row["antal_kommuner"] == 2 and row["kommuner_i_gruppen"] == 2


def test_shares_are_sum_over_sum_not_a_mean_of_values():
    out = indikatorer.aggregate(_table(ROWS), GROUPS)
    row = _row(out, "A", "andel_x")  # 40 / 100, not the mean of 50 % and 25 %
    assert _numbers(row) == (40.0, 40.0, 100.0)
    assert row["ar"] == "2024" and row["kalla"] == "A; B"
    km = _row(out, "A", "medel_km")  # a ratio without a percent unit: 30 / 10, scale 1
    assert _numbers(km) == (3.0, 30.0, 10.0)


def test_a_group_missing_a_member_or_a_number_is_empty():
    out = indikatorer.aggregate(_table(ROWS), GROUPS)
    missing_member = _row(out, "B", "andel_x")  # 04 has no row
    missing_member_and_denominator = _row(out, "B", "medel_km")  # and 03 has no denominator
    assert missing_member["antal_kommuner"] == 1 and missing_member["kommuner_i_gruppen"] == 2
    missing_denominator = _row(out, "C", "andel_x")
    missing_numerator = _row(out, "C", "befolkning")
    all_lack_denominators = _row(out, "C", "medel_km")  # a ratio elsewhere in the table
    lacks_both = _row(out, "E", "andel_x")  # neither number of its one member
    for row in (missing_member, missing_member_and_denominator, missing_denominator,
                missing_numerator, all_lack_denominators, lacks_both):
        assert all(math.isnan(v) for v in _numbers(row)), row["indikator"]


def test_a_zero_denominator_gives_an_empty_value_with_its_sums():
    out = indikatorer.aggregate(_table(ROWS), GROUPS)
    varde, teljare, namnare = _numbers(_row(out, "D", "andel_x"))
    assert math.isnan(varde) and (teljare, namnare) == (0.0, 0.0)
    # a numerator over a zero denominator is no value either (not inf)
    varde, teljare, namnare = _numbers(_row(out, "F", "medel_km"))
    assert math.isnan(varde) and (teljare, namnare) == (5.0, 0.0)


def test_a_denominator_of_one_is_a_value():
    row = _row(indikatorer.aggregate(_table(ROWS), GROUPS), "G", "andel_x")
    assert _numbers(row) == (100.0, 1.0, 1.0)


def test_kommuner_outside_the_groups_are_left_out():
    out = indikatorer.aggregate(_table(ROWS), GROUPS)
    assert list(out.columns) == indikatorer.AGGREGATE_COLUMNS
    assert set(out["grupp"]) == {"A", "B", "C", "D", "E", "F", "G"}
    assert len(out) == 12
    empty = indikatorer.aggregate(_table([r for r in ROWS if r[0] == "09"]), GROUPS)
    assert empty.empty and list(empty.columns) == indikatorer.AGGREGATE_COLUMNS


def test_rows_come_sorted_by_group_area_and_indicator():
    out = indikatorer.aggregate(_table(ROWS), GROUPS)
    assert list(zip(out["grupp"], out["omrade"], out["indikator"], strict=True)) == [
        ("A", "hela_kommunen", "andel_x"), ("A", "hela_kommunen", "medel_km"),
        ("A", "tatort", "befolkning"), ("B", "hela_kommunen", "andel_x"),
        ("B", "hela_kommunen", "medel_km"),
        ("C", "hela_kommunen", "andel_x"), ("C", "hela_kommunen", "medel_km"),
        ("C", "tatort", "befolkning"), ("D", "hela_kommunen", "andel_x"),
        ("E", "hela_kommunen", "andel_x"), ("F", "hela_kommunen", "medel_km"),
        ("G", "hela_kommunen", "andel_x")]
