"""Choropleth classes for an indicator of the real build: every kommun with a value in a
class whose range holds it, missing values kept apart (never class 0 by default)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gisapp.maps.choropleth import PALETTE, classify


def test_real_shares_fall_in_their_class_ranges(built):
    table = built.indicators
    values = table[(table["indikator"] == "andel_i_tatort")].set_index("kommunkod")["varde"]
    classes, ranges = classify(values)
    assert len(ranges) == len(PALETTE)
    assert (classes >= 0).all()
    for value, index in zip(values, classes, strict=True):
        low, high = ranges[index]
        assert low <= value <= high
    assert ranges[0][0] == values.min() and ranges[-1][1] == values.max()


def test_missing_values_get_no_class():
    classes, ranges = classify(pd.Series([10.0, np.nan, 30.0, 20.0]))
    assert classes[1] == -1 and (classes[[0, 2, 3]] >= 0).all()
    assert len(ranges) == 3  # k is capped by the number of distinct values
    assert classify(pd.Series([np.nan, np.nan]))[1] == []
