"""One layer per service category: the real build's grid squares shaded by distance class."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from layers import tillganglighet_ruta


@pytest.mark.parametrize("kategori", ["apotek", "post"])
def test_each_square_holds_its_parts_population_weighted_distance(built, grid_csv, kategori):
    squares = built.layer(f"tillganglighet_{kategori}").set_index("rutid_scb")
    varmland = grid_csv[grid_csv["lanskod"] == "17"].set_index("rutid_scb")
    assert set(squares.index) == set(varmland.index)
    assert squares["befolkning"].sum() == varmland["beftotalt"].sum()
    parts = pd.DataFrame(built.layer("tillganglighet").drop(columns="geometry"))
    parts = parts[parts["kategori"] == kategori]
    parts["w"] = parts["km"] * parts["befolkning"]
    sums = parts.groupby("rutid_scb")[["w", "befolkning"]].sum()
    expected = (sums["w"] / sums["befolkning"]).round(2)
    assert np.allclose(squares.loc[expected.index, "km"], expected, atol=0.006)
    # straight-line here (no road network): classes by km with the legend's breaks
    assert (squares["metod"] == "fågelvägen").all() and squares["minuter"].isna().all()
    klass = np.select([squares["km"] < 5, squares["km"] < 10, squares["km"] < 20,
                       squares["km"] < 30], ["0_5", "5_10", "10_20", "20_30"], "over_30")
    assert (squares["klass"] == klass).all()
    first = squares.iloc[0]
    x, y = int(first.name[:6]), int(first.name[6:])
    assert first.geometry.bounds == (x, y, x + 1000, y + 1000)


def test_categories_without_points_are_missing_with_the_reason(built):
    missing = built.manifest["missing"]
    assert "tillganglighet_apotek" not in missing
    assert "Pipos-export (Dagligvaror)" in missing["tillganglighet_dagligvaror"]
    assert "saknar koordinater" in missing["tillganglighet_grundskola"]
    ids = {spec.id for spec in tillganglighet_ruta.SPECS}
    assert ids == {f"tillganglighet_{k}" for k in
                   ("dagligvaror", "apotek", "vardcentral", "grundskola", "gymnasieskola",
                    "drivmedel", "post", "bankomat", "bibliotek")}


def test_an_unreachable_part_makes_the_square_unreachable():
    rows = pd.DataFrame({"rutid_scb": ["4000006500000"] * 2, "kommunkod": "1780",
                         "kategori": "apotek", "befolkning": [10, 0],
                         "km": [3.0, np.inf], "minuter": [4.0, np.inf],
                         "nabar": [True, False], "metod": "vägnät"})
    out = tillganglighet_ruta.build(rows, kategori="apotek", size_m=1000.0)
    assert out["klass"].tolist() == ["ej_nabar"] and np.isinf(out["km"]).all()
    rows.loc[1, ["km", "minuter", "nabar"]] = [9.0, 12.0, True]
    out = tillganglighet_ruta.build(rows, kategori="apotek", size_m=1000.0)
    assert out["km"].tolist() == [3.0]  # the empty part weighs (almost) nothing
    assert out["klass"].tolist() == ["0_5"]  # by car time along a network
