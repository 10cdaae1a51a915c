"""The rules of the population grid on a few hand-made 1 km (and 250 m) squares: kommun by
square centre, the tätort/landsbygd allocation, whole persons, origins and sums (no data
files, no conftest: the fast tests that ``scripts/mutate.py`` runs against
``layers/befolkningsruta.py``).

Expected values are worked out by hand from the method in the module docstring. A square of
``P`` persons whose tätort part has area share ``a`` (landsbygd ``1 − a``) and density factor
``k`` gives the tätort ``P·k·a / (k·a + 1 − a)``; for a half square that is ``P·k / (k + 1)``,
so a target ``T`` is met at ``k = T / (P − T)``.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers import befolkningsruta as grid
from layers.settings import GridSettings

SETTINGS = GridSettings()
# South-west corner of the test grid (SWEREF 99 TM, in Värmland); boxes below are in km from it.
X0, Y0 = 400_000, 6_600_000
KM = 1000.0


def _squares(cells: list[tuple[int, int, int]], *, size: int = 1000,
             kommunkod: str = "1701") -> gpd.GeoDataFrame:
    """Squares as :func:`data_sources.befolkningsruta.load` gives them, with ``kommunkod``:
    one per ``(column, row, persons)`` of the grid of side ``size`` m."""
    x = np.array([X0 + c * size for c, _, _ in cells])
    y = np.array([Y0 + r * size for _, r, _ in cells])
    return gpd.GeoDataFrame({
        "rutid_scb": [f"{a:06d}{b:07d}" for a, b in zip(x, y, strict=True)],
        "befolkning": np.array([p for _, _, p in cells], dtype="int64"),
        "storlek_m": np.full(len(cells), size, dtype="int64"),
        "ar": "2024",
        "kommunkod": kommunkod,
    }, geometry=shapely.box(x, y, x + size, y + size), crs=3006)


def _box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box given in km from the grid's corner."""
    return shapely.box(X0 + x0 * KM, Y0 + y0 * KM, X0 + x1 * KM, Y0 + y1 * KM)


def _tatorter(rows: list[tuple[str, str, float | None, shapely.Geometry]],
              kommunkod: str = "1701") -> gpd.GeoDataFrame:
    """A ``tatorter`` layer: ``(tatortsnr, tatort, bef_2020 or None, polygon)`` per row."""
    return gpd.GeoDataFrame({
        "tatortsnr": [r[0] for r in rows],
        "tatort": [r[1] for r in rows],
        "kommunkod": kommunkod,
        "bef_2020": pd.array([r[2] for r in rows], dtype="Int64"),
    }, geometry=[r[3] for r in rows], crs=3006)


def _split(allocation: grid.Allocation) -> dict[tuple[str, str], int]:
    """Persons per ``(rutid_scb, tatort or "")`` of the allocation's parts."""
    return {(p.rutid_scb, p.tatort): int(p.befolkning)
            for p in allocation.parts.itertuples()}


def _id(column: int, row: int, size: int = 1000) -> str:
    """``rutid_scb`` of a square of the test grid."""
    return f"{X0 + column * size:06d}{Y0 + row * size:07d}"


def _fit(allocation: grid.Allocation, tatort: str) -> dict[str, int]:
    """The fit row of one tätort as plain ints."""
    row = allocation.fit.set_index("tatort").loc[tatort]
    return {key: int(row[key]) for key in ("mal", "fordelat", "kapacitet", "skillnad")}


def test_centres_are_the_middle_of_each_square():
    squares = _squares([(0, 0, 1), (2, 1, 1)])
    xy = shapely.get_coordinates(grid.centres(squares.geometry))
    assert xy.tolist() == [[X0 + 500, Y0 + 500], [X0 + 2500, Y0 + 1500]]


def test_a_square_takes_the_kommun_of_its_centre_or_the_nearest_within_the_limit():
    kommuner = gpd.GeoDataFrame({"kommunkod": ["1701", "1702"]},
                                geometry=[_box(0, 0, 1.2, 3), _box(1.2, 0, 3, 3)], crs=3006)
    # centres at x = 0.5, 1.5 (inside), 3.5 (0.5 km east of 1702) and 10.5 km (7.5 km off)
    squares = _squares([(0, 0, 5), (1, 0, 6), (3, 0, 7), (10, 0, 8)]).drop(columns="kommunkod")
    out = grid.assign_kommun(squares, kommuner, settings=SETTINGS)
    assert out["rutid_scb"].tolist() == [_id(0, 0), _id(1, 0), _id(3, 0)]
    assert out["kommunkod"].tolist() == ["1701", "1702", "1702"]
    assert out["kommun_tilldelning"].tolist() == ["centrum_i_polygon", "centrum_i_polygon",
                                                  "narmaste_polygon"]
    assert out["befolkning"].tolist() == [5, 6, 7]
    assert out["kommunkod"].map(type).eq(str).all()
    near = grid.assign_kommun(squares, kommuner, settings=GridSettings(nearest_kommun_max_m=400))
    assert near["rutid_scb"].tolist() == [_id(0, 0), _id(1, 0)]


def test_a_centre_in_overlapping_or_bordering_kommuner_goes_to_one_of_them():
    # 1701 and 1702 overlap over x 0–2 km; 1703 borders 1702 at x = 3.5 km, where the centre
    # of the square in column 3 lies: in no polygon's interior, so the nearest (both at 0 m)
    kommuner = gpd.GeoDataFrame({"kommunkod": ["1701", "1702", "1703"]},
                                geometry=[_box(0, 0, 2, 3), _box(0, 0, 3.5, 3),
                                          _box(3.5, 0, 5, 3)], crs=3006)
    squares = _squares([(0, 0, 5), (3, 0, 6)]).drop(columns="kommunkod")
    out = grid.assign_kommun(squares, kommuner, settings=SETTINGS)
    assert out["rutid_scb"].tolist() == [_id(0, 0), _id(3, 0)]
    assert out["kommunkod"].iloc[0] in {"1701", "1702"}
    assert out["kommunkod"].iloc[1] in {"1702", "1703"}
    assert out["kommun_tilldelning"].tolist() == ["centrum_i_polygon", "narmaste_polygon"]


@pytest.mark.parametrize(("target", "tatort", "landsbygd"), [(80, 80, 20), (20, 20, 80),
                                                             (50, 50, 50)])
def test_a_half_square_tatort_meets_its_target(target, tatort, landsbygd):
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", target, _box(0, 0, 0.5, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): tatort, (_id(0, 0), ""): landsbygd}
    assert _fit(allocation, "Åby") == {"mal": target, "fordelat": tatort, "kapacitet": 100,
                                       "skillnad": tatort - target}


def test_a_tatort_over_two_squares_takes_the_same_density_factor_in_both():
    # half of a 100 and half of a 50 person square, target 100: 150·k/(k+1) = 100, k = 2, so
    # each square is 2/3 tätort: 66.67 | 33.33 and 33.33 | 16.67, by largest remainder
    # 67 | 33 and 33 | 17
    squares = _squares([(0, 0, 100), (0, 1, 50)])
    urban = _tatorter([("0001", "Åby", 100, _box(0, 0, 0.5, 2))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): 67, (_id(0, 0), ""): 33,
                                  (_id(0, 1), "Åby"): 33, (_id(0, 1), ""): 17}
    assert _fit(allocation, "Åby") == {"mal": 100, "fordelat": 100, "kapacitet": 150,
                                       "skillnad": 0}


def test_two_tatorter_sharing_a_square_are_fitted_together():
    # Åby and Öby hold the west and east quarter of one square, Öby also all of a second
    # square (its 10 persons are Öby's whatever the factor): in the first square Åby must
    # take 30 and Öby 50 − 10 = 40, so landsbygd 0.5 / D = 0.3 with D = (k1 + k2)/4 + 1/2,
    # D = 5/3, k1 = 2, k2 = 8/3
    squares = _squares([(0, 0, 100), (1, 0, 10)])
    urban = _tatorter([("0001", "Åby", 30, _box(0, 0, 0.25, 1)),
                       ("0002", "Öby", 50, shapely.union(_box(0.75, 0, 1, 1), _box(1, 0, 2, 1)))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): 30, (_id(0, 0), "Öby"): 40,
                                  (_id(0, 0), ""): 30, (_id(1, 0), "Öby"): 10}
    assert _fit(allocation, "Åby") == {"mal": 30, "fordelat": 30, "kapacitet": 100,
                                       "skillnad": 0}
    assert _fit(allocation, "Öby") == {"mal": 50, "fordelat": 50, "kapacitet": 110,
                                       "skillnad": 0}
    assert allocation.fit.columns.tolist() == grid.FIT_COLUMNS
    assert allocation.fit["tatortsnr"].tolist() == ["0001", "0002"]
    assert allocation.fit["kommunkod"].tolist() == ["1701", "1701"]


def test_a_target_above_the_persons_in_reach_takes_them_all():
    # a quarter of a 100 person square, target 500: the factor climbs until every person is
    # tätort (the ratio bound 10¹² leaves 100·0.75/(0.25·10¹²) ≈ 3·10⁻¹⁰ in landsbygd)
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", 500, _box(0, 0, 0.5, 0.5))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): 100}
    assert _fit(allocation, "Åby") == {"mal": 500, "fordelat": 100, "kapacitet": 100,
                                       "skillnad": -400}


def test_the_density_ratio_stops_at_its_bound():
    # half a square, unreachable target, ratio at most 3: 100·3/(3 + 1) = 75
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", 500, _box(0, 0, 0.5, 1))])
    allocation = grid.allocate(squares, urban, settings=GridSettings(max_density_ratio=3.0))
    assert _split(allocation) == {(_id(0, 0), "Åby"): 75, (_id(0, 0), ""): 25}


def _newton_split(people: float, shares: list[float], targets: list[float], rounds: int, *,
                  clip: float = 2.0) -> list[float]:
    """The persons of each tätort sharing one square after ``rounds`` rounds of the fit,
    worked out from the docstring: tätort t holds the fraction f_t = k_t·a_t / (Σ k·a + 1 −
    Σ a) of the square's P persons; Newton steps on x_t = log k_t of log(allocated_t), whose
    derivative is 1 − f_t; each tätort's step halved from each overshoot of its target on,
    from above or from below, then clipped to ±``clip``; the last round only measures."""
    n = len(shares)
    x, damping, side = [0.0] * n, [1.0] * n, [0.0] * n
    free = 1.0 - min(sum(shares), 1.0)

    def fractions() -> list[float]:
        weights = [a * math.exp(xi) for a, xi in zip(shares, x, strict=True)]
        return [w / (sum(weights) + free) for w in weights]

    for _ in range(rounds - 1):
        f = fractions()
        for t in range(n):
            sign = float(np.sign(targets[t] - people * f[t]))
            damping[t] = damping[t] / 2.0 if sign * side[t] < 0 else damping[t]
            side[t] = sign
            step = damping[t] * math.log(targets[t] / (people * f[t])) / (1.0 - f[t])
            x[t] += max(-clip, min(clip, step))
    return [people * f for f in fractions()]


def _newton(people: float, target: float, rounds: int, *, share: float = 0.5,
            clip: float = 2.0) -> float:
    """The tätort persons of one square shared with landsbygd (:func:`_newton_split` of one
    tätort: f = k·a / (k·a + 1 − a))."""
    return _newton_split(people, [share], [target], rounds, clip=clip)[0]


@pytest.mark.parametrize(("target", "rounds"), [(800, 3), (800, 4), (5000, 2), (5000, 3),
                                                (10, 2), (10, 3), (50, 3), (50, 4),
                                                (50, 5)])
def test_the_fit_takes_newton_steps_of_at_most_e_squared(target, rounds):
    """After a few rounds the fit is where Newton's method is, not anywhere else on the way:
    800 of 1 000 is reached in three steps (0.94, 0.38, 0.07); the first step of target
    5 000 (log 10 / 0.5 = 4.6) and of target 10 (−7.8) is cut to ±2; target 50 is overshot
    at the third round, and the steps after it are halved."""
    squares = _squares([(0, 0, 1000)])
    urban = _tatorter([("0001", "Åby", target, _box(0, 0, 0.5, 1))])
    settings = GridSettings(fit_max_iterations=rounds)
    allocation = grid.allocate(squares, urban, settings=settings)
    expected = round(_newton(1000.0, target, rounds))
    assert _split(allocation) == {(_id(0, 0), "Åby"): expected, (_id(0, 0), ""): 1000 - expected}


@pytest.mark.parametrize(("people", "side_km", "target", "rounds"),
                         [(10, 0.2, 1, 2), (10, 0.1, 5, 2)])
def test_the_fit_steps_a_tatort_holding_under_one_person(people, side_km, target, rounds):
    """A tätort part of 4 % (0.4 of 10 persons) or 1 % (0.1) of a square is fitted like any
    other, its Newton step measured on the fraction of a person it holds."""
    squares = _squares([(0, 0, people)])
    urban = _tatorter([("0001", "Åby", target, _box(0, 0, side_km, side_km))])
    allocation = grid.allocate(squares, urban, settings=GridSettings(fit_max_iterations=rounds))
    expected = round(_newton(people, target, rounds, share=side_km ** 2))
    assert _split(allocation) == {(_id(0, 0), "Åby"): expected,
                                  (_id(0, 0), ""): people - expected}


def test_the_newton_oracle_tells_the_rounds_apart():
    """The cases above differ from one round to the next and from an uncut step."""
    assert round(_newton(1000.0, 800.0, 3)) == 789 and round(_newton(1000.0, 800.0, 4)) == 800
    assert round(_newton(1000.0, 5000.0, 2)) == round(1000 * math.e ** 2 / (1 + math.e ** 2))
    assert round(_newton(1000.0, 5000.0, 2, clip=3.0)) != round(_newton(1000.0, 5000.0, 2))
    assert round(_newton(1000.0, 10.0, 2)) == round(1000 / (1 + math.e ** 2))
    # target 50 is overshot at round 3 (500, 119, 48.1): the next step is halved, to 49.05
    assert round(_newton(1000.0, 50.0, 3)) == 48 and round(_newton(1000.0, 50.0, 4)) == 49
    assert round(_newton(1000.0, 50.0, 20)) == 50
    # 0.4 of a person steps by log 2.5 / 0.96 = 0.95 to 0.98; 0.1 is cut to +2: 0.69
    assert _newton(10.0, 1.0, 2, share=0.04) == pytest.approx(0.977, abs=1e-3)
    assert _newton(10.0, 5.0, 2, share=0.01) == pytest.approx(0.695, abs=1e-3)
    # two halves of a square, 30 | 70: 50 | 50, then full steps overshoot both ways to
    # 15.5 | 84.5; halved, round 3 is 33.2 | 66.8 and round 6 30.4 | 69.6
    assert _newton_split(100.0, [0.5, 0.5], [30, 70], 2) == pytest.approx([15.52, 84.48],
                                                                           abs=0.01)
    assert _newton_split(100.0, [0.5, 0.5], [30, 70], 3) == pytest.approx([33.21, 66.79],
                                                                           abs=0.01)
    assert [round(v) for v in _newton_split(100.0, [0.5, 0.5], [30, 70], 6)] == [30, 70]


@pytest.mark.parametrize(("west", "east", "rounds"), [(45, 55, 3), (30, 70, 3), (30, 70, 4)])
def test_tatorter_sharing_a_square_halve_their_steps_after_an_overshoot_either_way(
        west, east, rounds):
    """Guards the damping rule of two tätorter splitting a square between them: after round
    2 (45 | 55: 40.1 | 59.9) one has overshot its target from above and the other from
    below, and both steps are halved. With only the overshoot from above damped (the
    mutant ``np.sign(target - allocated)`` → ``target // allocated``) round 3 is 47.7 |
    52.3 instead of 45.05 | 54.95, and 30 | 70 is 47.7 | 52.3 instead of 33.2 | 66.8 (round
    4: 30.1 | 69.9 instead of 31.6 | 68.4)."""
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", west, _box(0, 0, 0.5, 1)),
                       ("0002", "Öby", east, _box(0.5, 0, 1, 1))])
    allocation = grid.allocate(squares, urban, settings=GridSettings(fit_max_iterations=rounds))
    aby, oby = _newton_split(100.0, [0.5, 0.5], [west, east], rounds)
    assert round(aby) + round(oby) == 100
    assert _split(allocation) == {(_id(0, 0), "Åby"): round(aby),
                                  (_id(0, 0), "Öby"): round(oby)}


def test_a_sliver_of_a_square_can_take_its_target():
    # a tätort overlapping a 100 person square by 1 m × 0.5 m: it still takes its 10
    # (k ≈ 10/90 / 5·10⁻⁷ ≈ 2·10⁵, far below the 10¹² bound)
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", 10, shapely.box(X0 + 999, Y0, X0 + 1000.5, Y0 + 0.5))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): 10, (_id(0, 0), ""): 90}


@pytest.mark.parametrize(("west", "east"), [(30, 70), (45, 55)])
def test_tatorter_sharing_a_square_without_landsbygd_settle(west, east):
    """Two tätorter splitting a square between them take persons only from each other:
    their full Newton steps would overshoot twice over and swing ever wider (45 | 55 once
    ended 14 | 86); with the steps halved after an overshoot they meet their targets."""
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", west, _box(0, 0, 0.5, 1)),
                       ("0002", "Öby", east, _box(0.5, 0, 1, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): west, (_id(0, 0), "Öby"): east}


def test_overlapping_tatorter_leave_no_landsbygd():
    # two polygons each covering the whole square (shares summing to 2): nothing is
    # landsbygd, and the persons are shared 30 : 70 as the targets ask
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", 30, _box(0, 0, 1, 1)),
                       ("0002", "Öby", 70, _box(0, 0, 1, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): 30, (_id(0, 0), "Öby"): 70}


def test_a_tatort_covering_its_square_whole_keeps_all_its_persons():
    # its square is all tätort whatever the factor: 40 persons against a target of 30; the
    # other tätort's fit is unaffected
    squares = _squares([(0, 0, 40), (1, 0, 100)])
    urban = _tatorter([("0001", "Åby", 30, _box(0, 0, 1, 1)),
                       ("0002", "Öby", 80, _box(1, 0, 1.5, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): 40, (_id(1, 0), "Öby"): 80,
                                  (_id(1, 0), ""): 20}
    assert _fit(allocation, "Åby")["skillnad"] == 10


def test_the_fit_stops_once_every_target_is_within_the_tolerance():
    # Åby: 50.3 % of a 100 person square and 43 % of a 10 person one: the seed, 50.3 + 4.3 =
    # 54.6, is within 0.5 of its 55, so the fit stops there and each square is rounded:
    # 50 | 50 and 4 | 6 (54, one short). Öby touches no square (nothing to fit: 0 of 10).
    squares = _squares([(0, 0, 100), (0, 1, 10)])
    aby = shapely.union(_box(0, 0, 0.503, 1), _box(0, 1, 0.43, 2))
    urban = _tatorter([("0001", "Åby", 55, aby), ("0002", "Öby", 10, _box(5, 5, 6, 6))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), "Åby"): 50, (_id(0, 0), ""): 50,
                                  (_id(0, 1), "Åby"): 4, (_id(0, 1), ""): 6}
    assert _fit(allocation, "Åby") == {"mal": 55, "fordelat": 54, "kapacitet": 110,
                                       "skillnad": -1}
    assert _fit(allocation, "Öby") == {"mal": 10, "fordelat": 0, "kapacitet": 0,
                                       "skillnad": -10}


def test_a_tatort_at_the_ratio_bound_short_of_its_target_does_not_hold_the_fit_up():
    # bound 1: Ärby (half of a square, 50 against 500) can take no more from the start. Åby
    # seeds 50.55 + 3.85 = 54.4 (50.55 % of 100 persons, 38.5 % of 10), within 0.5 of its
    # 54, so the fit stops at once: 51 | 49 and 4 | 6 (55, one over); had it gone on, Åby
    # would have come down to 54.0 (50 + 4)
    squares = _squares([(0, 0, 100), (0, 1, 10), (3, 0, 100)])
    aby = shapely.union(_box(0, 0, 0.5055, 1), _box(0, 1, 0.385, 2))
    urban = _tatorter([("0001", "Åby", 54, aby), ("0003", "Ärby", 500, _box(3, 0, 3.5, 1))])
    allocation = grid.allocate(squares, urban, settings=GridSettings(max_density_ratio=1.0))
    assert _split(allocation) == {(_id(0, 0), "Åby"): 51, (_id(0, 0), ""): 49,
                                  (_id(0, 1), "Åby"): 4, (_id(0, 1), ""): 6,
                                  (_id(3, 0), "Ärby"): 50, (_id(3, 0), ""): 50}


def test_the_ratio_bound_limits_growth_not_shrinking():
    # bound 1: a half square above its target (50 against 20) still comes down to it
    squares = _squares([(0, 0, 100)])
    urban = _tatorter([("0001", "Åby", 20, _box(0, 0, 0.5, 1))])
    allocation = grid.allocate(squares, urban, settings=GridSettings(max_density_ratio=1.0))
    assert _split(allocation) == {(_id(0, 0), "Åby"): 20, (_id(0, 0), ""): 80}


def test_polygons_without_a_2020_tatort_and_edge_contacts_are_landsbygd():
    # Åby has no 2020 tätort; Öby only touches the square's east edge (no area in it)
    squares = _squares([(0, 0, 100), (2, 0, 40)])
    urban = _tatorter([("0001", "Åby", None, _box(0, 0, 0.5, 1)),
                       ("0002", "Öby", 30, _box(1, 0, 2.5, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    assert _split(allocation) == {(_id(0, 0), ""): 100, (_id(2, 0), "Öby"): 30,
                                  (_id(2, 0), ""): 10}
    assert allocation.fit["tatort"].tolist() == ["Öby"]
    assert _fit(allocation, "Öby") == {"mal": 30, "fordelat": 30, "kapacitet": 40,
                                       "skillnad": 0}


def test_parts_are_whole_persons_with_their_own_polygons_sorted_by_square():
    # square (1, 0): a tätort quarter in the middle of the west half; square (0, 0) has
    # no tätort; the tätort takes 30 of 100: its part is the box, landsbygd the rest
    squares = _squares([(1, 0, 100), (0, 0, 7)]).set_axis([5, 3])
    piece = _box(1.25, 0.25, 1.75, 0.75)
    urban = _tatorter([("0001", "Åby", 30, piece)])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    parts = allocation.parts
    assert parts.columns.tolist() == grid.PART_COLUMNS
    assert parts.index.tolist() == [0, 1, 2]
    assert parts[["rutid_scb", "omrade", "tatort", "befolkning"]].values.tolist() == [
        [_id(0, 0), "landsbygd", "", 7], [_id(1, 0), "landsbygd", "", 70],
        [_id(1, 0), "tatort", "Åby", 30]]
    assert parts["tatortsnr"].isna().tolist() == [True, True, False]
    assert parts["tatortsnr"].iloc[2] == "0001"
    assert parts["befolkning"].dtype == "int64"
    assert parts["kommunkod"].tolist() == ["1701"] * 3
    assert parts.crs == "EPSG:3006"
    geoms = parts.geometry.to_numpy()
    assert shapely.equals(geoms[0], squares.geometry.iloc[1])
    assert shapely.equals(geoms[1], shapely.difference(squares.geometry.iloc[0], piece))
    assert shapely.equals(geoms[2], piece)
    assert allocation.squares.index.tolist() == [0, 1]
    assert allocation.squares.columns.tolist() == squares.columns.tolist()
    # the layer names a square's tätorter only, not its landsbygd part
    assert grid.squares_layer(allocation)["tatorter"].tolist() == ["Åby", ""]
    assert allocation.year == "2024"


def test_whole_persons_by_largest_remainder_keep_each_group_total():
    group = np.array([0, 0, 0, 1, 1, 2, 2])
    value = np.array([0.6, 0.7, 0.7, 1.5, 1.5, -0.6, 2.6])
    out = grid._whole(group, value, np.array([2, 3, 2]))
    # group 0: floors 0 0 0, two short, the two largest remainders (.7, .7) get them;
    # group 1: one short, a tie, the first gets it; group 2: a negative value counts as 0
    assert out.tolist() == [0, 1, 1, 2, 1, 0, 2]
    assert out.dtype == "int64"
    # a group starting further in (positions 2–4) where every member gets a unit
    assert grid._whole(np.array([0, 0, 1, 1, 1]), np.array([0.5, 0.5, 0.9, 0.9, 0.9]),
                       np.array([1, 3])).tolist() == [1, 0, 1, 1, 1]
    assert grid._whole(np.array([0, 0]), np.array([2.9999999999, 0.0000000001]),
                       np.array([3])).tolist() == [3, 0]


def test_population_by_area_gives_three_rows_per_kommun():
    parts = pd.DataFrame({"kommunkod": ["1701", "1701", "1701", "1702"],
                          "omrade": ["tatort", "landsbygd", "tatort", "landsbygd"],
                          "befolkning": [10, 4, 5, 3]})
    out = grid.population_by_area(parts, kommunkoder=["1702", "1701", "1799"])
    assert out.columns.tolist() == ["kommunkod", "omrade", "befolkning"]
    assert out.values.tolist() == [
        ["1702", "tatort", 0], ["1702", "landsbygd", 3], ["1702", "hela_kommunen", 3],
        ["1701", "tatort", 15], ["1701", "landsbygd", 4], ["1701", "hela_kommunen", 19],
        ["1799", "tatort", 0], ["1799", "landsbygd", 0], ["1799", "hela_kommunen", 0]]


def test_origins_are_one_point_per_square_and_area_inside_its_part():
    # square (0, 0): a tätort in its middle (landsbygd a ring whose centroid is in the hole);
    # square (1, 0): Åby (west quarter, 30) and Öby (east quarter, 40) share it
    squares = _squares([(0, 0, 50), (1, 0, 100)])
    hole = _box(0.25, 0.25, 0.75, 0.75)
    urban = _tatorter([("0003", "Mitt", 10, hole), ("0001", "Åby", 30, _box(1, 0, 1.25, 1)),
                       ("0002", "Öby", 40, _box(1.75, 0, 2, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    origins = grid.origins(allocation)
    assert origins.columns.tolist() == grid.ORIGIN_COLUMNS and origins.crs == "EPSG:3006"
    a, b = _id(0, 0), _id(1, 0)
    assert origins[["id", "rutid_scb", "kommunkod", "omrade", "tatort", "befolkning",
                    "storlek_m"]].values.tolist() == [
        [f"{a}:landsbygd", a, "1701", "landsbygd", "", 40, 1000],
        [f"{a}:tatort", a, "1701", "tatort", "Mitt", 10, 1000],
        [f"{b}:landsbygd", b, "1701", "landsbygd", "", 30, 1000],
        [f"{b}:tatort", b, "1701", "tatort", "Öby", 70, 1000]]
    points = origins.geometry.to_numpy()
    ring = shapely.difference(squares.geometry.iloc[0], hole)
    assert shapely.contains(ring, points[0])
    assert shapely.equals(points[1], shapely.centroid(hole))
    assert shapely.equals(points[2], shapely.Point(X0 + 1500, Y0 + 500))
    # the tätort part is two quarters: their centroid, the square's centre, is outside them
    assert shapely.contains(shapely.union(_box(1, 0, 1.25, 1), _box(1.75, 0, 2, 1)), points[3])


def test_inside_point_is_the_centroid_unless_it_falls_outside():
    ring = shapely.difference(_box(0, 0, 1, 1), _box(0.25, 0.25, 0.75, 0.75))
    square = _box(0, 0, 1, 1)
    points = grid._inside_point(np.array([square, ring]))
    assert shapely.equals(points[0], shapely.Point(X0 + 500, Y0 + 500))
    assert shapely.contains(ring, points[1])


def test_population_within_weighs_each_part_by_its_area_inside():
    # square (0, 0): 30 tätort in the west half, 70 landsbygd in the east half; the area is
    # the west quarter of the square (half the tätort part) and 0.25 km beyond it in the
    # east half of square (1, 0) (a quarter of its landsbygd part); 1702's square is outside
    squares = pd.concat([_squares([(0, 0, 100), (1, 0, 20)]),
                         _squares([(5, 0, 9)], kommunkod="1702")], ignore_index=True)
    urban = _tatorter([("0001", "Åby", 30, _box(0, 0, 0.5, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    area = shapely.union(_box(0, 0, 0.25, 1), _box(1, 0, 1.25, 1))
    out = grid.population_within(allocation.parts, area)
    assert out.columns.tolist() == ["kommunkod", "omrade", "befolkning"]
    assert out[["kommunkod", "omrade"]].values.tolist() == [["1701", "landsbygd"],
                                                           ["1701", "tatort"]]
    assert out["befolkning"].tolist() == pytest.approx([20 * 0.25, 30 * 0.5])


def test_squares_layer_shows_each_squares_split_density_and_class():
    # 1 km squares of 9, 10, 49, 50, 199, 200, 999 and 1000 persons: per km² the same
    counts = [9, 10, 49, 50, 199, 200, 999, 1000]
    squares = _squares([(i, 0, n) for i, n in enumerate(counts)])
    urban = _tatorter([("0001", "Åby", 5, _box(0, 0, 0.5, 1)),
                       ("0002", "Öby", 5, _box(0.5, 0, 1, 1))])
    allocation = grid.allocate(squares, urban, settings=SETTINGS)
    layer = grid.squares_layer(allocation)
    assert layer.columns.tolist() == ["rutid_scb", "kommunkod", "befolkning", "tatort_bef",
                                      "landsbygd_bef", "tatorter", "per_km2", "tathet",
                                      "storlek_m", "ar", "geometry"]
    assert layer["rutid_scb"].tolist() == [_id(i, 0) for i in range(8)]
    assert layer["tatort_bef"].tolist() == [9] + [0] * 7
    assert layer["landsbygd_bef"].tolist() == [0] + counts[1:]
    assert sorted(layer["tatorter"].iloc[0].split(", ")) == ["Åby", "Öby"]
    assert layer["tatorter"].iloc[1:].tolist() == [""] * 7
    assert layer["per_km2"].tolist() == counts
    assert layer["tathet"].tolist() == ["0-9", "10-49", "10-49", "50-199", "50-199",
                                        "200-999", "200-999", "1000+"]
    assert layer.crs == "EPSG:3006" and layer.index.tolist() == list(range(8))


def test_squares_layer_of_250_m_squares_without_tatorter():
    # 5 persons on 0.0625 km² are 80 per km²; no tätort at all: every square is landsbygd
    squares = _squares([(0, 0, 5), (1, 0, 1)], size=250)
    allocation = grid.allocate(squares, _tatorter([]), settings=SETTINGS)
    layer = grid.squares_layer(allocation)
    assert layer["per_km2"].tolist() == [80.0, 16.0]
    assert layer["tathet"].tolist() == ["50-199", "10-49"]
    assert layer["tatort_bef"].tolist() == [0, 0]
    assert layer["landsbygd_bef"].tolist() == [5, 1]
    assert layer["tatorter"].tolist() == ["", ""]
    assert allocation.fit.empty


def test_the_year_of_an_allocation_is_its_grid_year():
    one = grid.allocate(_squares([(0, 0, 5)]), _tatorter([]), settings=SETTINGS)
    assert one.year == "2024"
    none = grid.allocate(_squares([]), _tatorter([]), settings=SETTINGS)
    assert none.year == ""


def test_the_fit_stops_when_every_tatort_is_exactly_at_the_tolerance():
    """One square of 10 persons, half of it the tätort: the seed round gives the tätort 5
    persons (share 0.5 of weight 1 = 0.5 tätort + 0.5 free). A target of 5.5 is exactly the
    0.5 tolerance away, so the fit stops there and the persons stay 5 (one more round would
    move them towards 5.5)."""
    persons = grid._fit(np.array([10.0]), np.array([0]), np.array([0]), np.array([0.5]),
                        np.array([5.5]), GridSettings())
    assert persons.tolist() == [5.0]
