"""Property tests of numerator/denominator aggregation (``layers.indikatorer.aggregate``) on
any indicator table over Värmland's kommunkoder and any grouping of them, against sums
computed here row by row:

- a complete group's ``teljare`` and ``namnare`` are the sums of its members' (for a count,
  ``namnare`` empty and ``varde = teljare``; for a share, ``varde = 100 × teljare / namnare``);
- the parts add up to the whole: the groups' numerators and denominators sum to the län's;
- a group with a member lacking its row or its numerator shows no value (never a partial sum).

Guards among others: a share averaged over members instead of Σ teljare / Σ namnare, a
missing member summed as zero, groups mixed up, the percent scale lost.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers import indikatorer

KOMMUNKODER = ("1715", "1730", "1737", "1760", "1761", "1762", "1763", "1764", "1765", "1766",
               "1780", "1781", "1782", "1783", "1784", "1785")
INDICATORS = (("andel_x", "procent"), ("antal_y", "antal"))


@st.composite
def member_rows(draw) -> list[dict]:
    """Indicator rows: per kommun and indicator maybe absent, maybe without a numerator."""
    rows = []
    for kod in KOMMUNKODER:
        for indikator, enhet in INDICATORS:
            if draw(st.integers(0, 9)) == 0:  # about one row in ten absent
                continue
            teljare = float(draw(st.integers(0, 200_000)))
            if draw(st.integers(0, 19)) == 0:
                teljare = math.nan
            namnare = (teljare if not math.isnan(teljare) else 0.0) + draw(st.integers(0, 200_000))
            share = enhet == "procent"
            rows.append({"kommunkod": kod, "omrade": "hela_kommunen", "indikator": indikator,
                         "varde": (100 * teljare / namnare if share and namnare else teljare),
                         "enhet": enhet, "teljare": teljare,
                         "namnare": float(namnare) if share else math.nan,
                         "ar": "2024", "kalla": "SCB"})
    return rows


def _table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=indikatorer.COLUMNS).astype(
        {"teljare": "float64", "namnare": "float64", "varde": "float64"})


def _expected(rows: list[dict], members: list[str], indikator: str) -> tuple | None:
    """Σ teljare, Σ namnare of ``members`` for ``indikator``; None when one is missing."""
    mine = {r["kommunkod"]: r for r in rows if r["indikator"] == indikator}
    if any(kod not in mine or math.isnan(mine[kod]["teljare"]) for kod in members):
        return None
    return (sum(mine[kod]["teljare"] for kod in members),
            sum(mine[kod]["namnare"] for kod in members))


@given(rows=member_rows(), labels=st.lists(st.sampled_from("ABC"), min_size=16, max_size=16))
def test_group_values_are_sums_of_their_members(rows, labels):
    groups = pd.Series(labels, index=list(KOMMUNKODER))
    out = indikatorer.aggregate(_table(rows), groups)
    assert set(zip(out["grupp"], out["indikator"], strict=True)) == {
        (g, r["indikator"]) for r in rows for g in [groups[r["kommunkod"]]]}
    for row in out.itertuples():
        members = [k for k in KOMMUNKODER if groups[k] == row.grupp]
        assert row.kommuner_i_gruppen == len(members)
        expected = _expected(rows, members, row.indikator)
        if expected is None:
            assert np.isnan(row.varde) and np.isnan(row.teljare) and np.isnan(row.namnare)
            continue
        teljare, namnare = expected
        assert row.teljare == pytest.approx(teljare)
        if row.enhet == "antal":
            assert np.isnan(row.namnare) and row.varde == pytest.approx(teljare)
        else:
            assert row.namnare == pytest.approx(namnare)
            if namnare > 0:
                assert row.varde == pytest.approx(100 * teljare / namnare)
            else:
                assert np.isnan(row.varde)


@given(rows=member_rows(), labels=st.lists(st.sampled_from("ABCD"), min_size=16, max_size=16))
def test_the_groups_add_up_to_the_lan(rows, labels):
    table = _table(rows)
    parts = indikatorer.aggregate(table, pd.Series(labels, index=list(KOMMUNKODER)))
    whole = indikatorer.aggregate(table, pd.Series("Värmlands län", index=list(KOMMUNKODER)))
    for indikator, _ in INDICATORS:
        lan = whole[whole["indikator"] == indikator]
        mine = parts[parts["indikator"] == indikator]
        if lan.empty or lan["teljare"].isna().all():
            continue  # the län is partial, so at least one group is too
        assert mine["teljare"].notna().all() and len(mine) == len(set(labels))
        assert mine["teljare"].sum() == pytest.approx(lan["teljare"].item())
        if indikator == "andel_x":
            assert mine["namnare"].sum() == pytest.approx(lan["namnare"].item())
