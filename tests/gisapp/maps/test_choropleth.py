"""Choropleth classes for an indicator of the real build: every kommun with a value in a
class whose range holds it, missing values kept apart (never class 0 by default)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gisapp.maps.choropleth import PALETTE, classify, range_labels, readable_step


def test_real_shares_fall_in_their_class_ranges(built):
    table = built.indicators
    values = table[(table["indikator"] == "andel_i_tatort")].set_index("kommunkod")["varde"]
    classes, ranges = classify(values)
    assert 2 <= len(ranges) <= len(PALETTE)
    assert (classes >= 0).all()
    for value, index in zip(values, classes, strict=True):
        low, high = ranges[index]
        assert low <= value <= high
    assert ranges[0][0] <= values.min() and ranges[-1][1] >= values.max()


def _assert_readable(values: pd.Series) -> None:
    classes, ranges = classify(values)
    labels = range_labels(ranges)
    step = readable_step(values.dropna().to_numpy())
    assert len(set(labels)) == len(labels), labels  # no repeated class
    counts = np.bincount(classes[classes >= 0], minlength=len(ranges))
    assert (counts > 0).all(), (labels, counts)  # no empty class
    for low, high in ranges:  # bounds are round numbers
        assert abs(low / step - round(low / step)) < 1e-6
        assert abs(high / step - round(high / step)) < 1e-6
    for value, index in zip(values.dropna(), classes[classes >= 0], strict=True):
        low, high = ranges[index]
        assert (low < value or index == 0) and value <= high


def test_breaks_of_a_mostly_zero_indicator_are_neither_empty_nor_repeated():
    # the bug of the issue: "0,0–0,0" then "0,0–19,1" with many kommuner at 0
    _assert_readable(pd.Series([0.0] * 9 + [19.13, 35.2, 40.0, 60.21, 12.3, 5.0, 7.7]))


def test_breaks_of_every_real_indicator_are_readable(built):
    table = built.indicators
    whole = table[(table["omrade"] == "hela_kommunen") & table["varde"].notna()]
    for _, rows in whole.groupby("indikator"):
        _assert_readable(rows.drop_duplicates("kommunkod")["varde"].astype("float64"))


def test_missing_values_get_no_class():
    classes, ranges = classify(pd.Series([10.0, np.nan, 30.0, 20.0]))
    assert classes[1] == -1 and (classes[[0, 2, 3]] >= 0).all()
    assert len(ranges) == 3  # k is capped by the number of distinct values
    assert classify(pd.Series([np.nan, np.nan]))[1] == []
