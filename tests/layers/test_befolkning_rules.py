"""Population per kommun split into tätort and landsbygd, on hand-made kommuner and tätort
points (no data files, no conftest: the fast tests that ``scripts/mutate.py`` runs against
``layers/befolkning.py``).

``kommuner`` is the ``kommuner`` layer (``kommunkod``, ``invanare`` Int64, empty where the
population table lacks the kommun, ``invanare_ar`` the year as text); the points are SCB's 2020
tätort points (``tatortskod, kommunkod, bef_2020``). Expected values follow the rules of
:func:`layers.befolkning.population_split`: tätort is the sum of the kommun's points, landsbygd
the kommun total minus it, both empty where the points hold more people than the kommun;
kommuner without a total are left out; years ``2020`` for tätort, ``2020/<year>`` for landsbygd.
"""

from __future__ import annotations

import math

import pandas as pd

from layers.befolkning import population_split


def _kommuner(rows: list[tuple]) -> pd.DataFrame:
    """``(kommunkod, invanare or None, invanare_ar)``, as the ``kommuner`` layer holds them."""
    frame = pd.DataFrame(rows, columns=["kommunkod", "invanare", "invanare_ar"])
    return frame.assign(kommunnamn="x", invanare=frame["invanare"].astype("Int64"))


def _points(rows: list[tuple]) -> pd.DataFrame:
    """``(kommunkod, bef_2020)``, one tätort point each."""
    return pd.DataFrame({"tatortskod": [f"T{i}" for i in range(len(rows))],
                         "kommunkod": [r[0] for r in rows], "bef_2020": [r[1] for r in rows]})


def _table(frame: pd.DataFrame) -> list[tuple]:
    return [(k, o, None if math.isnan(b) else b, a) for k, o, b, a in frame.itertuples(index=False)]


def test_tatort_is_the_sum_of_the_points_and_landsbygd_the_rest():
    kommuner = _kommuner([("1780", 1000, "2025"), ("1715", 400, "2025")])
    # 1780: 300 + 200 = 500 in tätort, 1000 - 500 = 500 in landsbygd
    # 1715: no point, so 0 in tätort and all 400 in landsbygd
    # 1880's point is of a kommun outside the table: ignored
    points = _points([("1780", 300), ("1880", 5000), ("1780", 200)])
    out = population_split(kommuner, points)
    assert list(out.columns) == ["kommunkod", "omrade", "befolkning", "ar"]
    assert out["befolkning"].dtype == "float64"
    assert _table(out) == [
        ("1780", "hela_kommunen", 1000.0, "2025"),
        ("1780", "tatort", 500.0, "2020"),
        ("1780", "landsbygd", 500.0, "2020/2025"),
        ("1715", "hela_kommunen", 400.0, "2025"),
        ("1715", "tatort", 0.0, "2020"),
        ("1715", "landsbygd", 400.0, "2020/2025"),
    ]


def test_a_kommun_without_a_total_is_left_out_with_its_points():
    kommuner = _kommuner([("1780", None, None), ("1715", 400, "2024")])
    points = _points([("1780", 300), ("1715", 100)])
    # 1715: 100 in tätort, 300 in landsbygd; the year of its own total (2024)
    assert _table(population_split(kommuner, points)) == [
        ("1715", "hela_kommunen", 400.0, "2024"),
        ("1715", "tatort", 100.0, "2020"),
        ("1715", "landsbygd", 300.0, "2020/2024"),
    ]


def test_more_people_in_the_points_than_in_the_kommun_leaves_both_parts_empty():
    # 1780: 700 + 400 = 1100 > 1000, so landsbygd would be -100: tätort and landsbygd empty,
    # the total stays. 1715: 250 of 250 in tätort, landsbygd exactly 0 (kept, not empty)
    kommuner = _kommuner([("1780", 1000, "2025"), ("1715", 250, "2025")])
    points = _points([("1780", 700), ("1780", 400), ("1715", 250)])
    assert _table(population_split(kommuner, points)) == [
        ("1780", "hela_kommunen", 1000.0, "2025"),
        ("1780", "tatort", None, "2020"),
        ("1780", "landsbygd", None, "2020/2025"),
        ("1715", "hela_kommunen", 250.0, "2025"),
        ("1715", "tatort", 250.0, "2020"),
        ("1715", "landsbygd", 0.0, "2020/2025"),
    ]


def test_one_person_more_in_the_points_is_already_too_many():
    # 1001 in the points of a kommun of 1000: landsbygd -1 < 0, so both parts empty
    kommuner = _kommuner([("1780", 1000, "2025")])
    out = population_split(kommuner, _points([("1780", 1001)]))
    assert _table(out)[1:] == [("1780", "tatort", None, "2020"),
                               ("1780", "landsbygd", None, "2020/2025")]
