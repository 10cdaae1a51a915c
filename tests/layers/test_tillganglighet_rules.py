"""The indicator rules of the tillganglighet layer on a few hand-made origins (no data
files, no conftest: the fast tests that ``scripts/mutate.py`` runs against
``layers/tillganglighet.py``).

Rows are what :func:`layers.accessibility.accessibility` returns (unreachable origins:
``inf`` km and minutes, ``nabar = False``). Expected values are worked out by hand from
the rules in :func:`layers.tillganglighet.indicators`, not from the code's output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from layers import tillganglighet
from layers.accessibility import NETWORK, STRAIGHT

INF = math.inf


def _access(rows: list[tuple[str, str, float, bool, float, float, str]],
            kategori: str = "apotek") -> pd.DataFrame:
    """Access rows ``(kommunkod, omrade, befolkning, nabar, km, minuter, metod)``."""
    return pd.DataFrame({
        "kommunkod": [r[0] for r in rows], "omrade": [r[1] for r in rows],
        "kategori": kategori, "befolkning": [r[2] for r in rows],
        "nabar": [r[3] for r in rows], "km": [r[4] for r in rows],
        "minuter": [r[5] for r in rows], "metod": [r[6] for r in rows]})


def _rows(frame: pd.DataFrame, kommunkod: str, omrade: str) -> dict[str, tuple]:
    """``{indikator: (varde, enhet, teljare, namnare)}`` of one kommun and area type."""
    part = frame[(frame["kommunkod"] == kommunkod) & (frame["omrade"] == omrade)]
    return {r.indikator: (r.varde, r.enhet, r.teljare, r.namnare) for r in part.itertuples()}


def _indicators(access: pd.DataFrame) -> pd.DataFrame:
    return tillganglighet.indicators(access, thresholds_km=(2.0, 2.5, 6.0),
                                     thresholds_min=(4.0, 9.0), year="2024",
                                     sources={"apotek": "Pipos"})


def _same(actual: dict[str, tuple], expected: dict[str, tuple]) -> None:
    """Equal keys and values (NaN equal to NaN, floats to 1e-9)."""
    assert list(actual) == list(expected)
    for name, values in expected.items():
        for got, want in zip(actual[name], values, strict=True):
            if isinstance(want, str):
                assert got == want, (name, got, want)
            elif math.isnan(want):
                assert isinstance(got, float) and math.isnan(got), (name, got)
            else:
                assert got == pytest.approx(want, rel=1e-9), (name, got, want)


NETWORK_ORIGINS = [
    # tätort: A 100 inv, 2 km / 4 min; B 300 inv, 6 km / 9 min (both reached)
    ("1780", "tatort", 100.0, True, 2.0, 4.0, NETWORK),
    ("1780", "tatort", 300.0, True, 6.0, 9.0, NETWORK),
    # landsbygd: C 50 inv, unreachable
    ("1780", "landsbygd", 50.0, False, INF, INF, NETWORK),
]


def test_network_rows_weigh_by_population_and_count_unreachable_as_beyond():
    """Guards ``_group_rows`` on a road network (mutants: the means over all origins or
    unweighted, ``>`` as ``>=`` at a threshold equal to an origin's value, the unreachable
    not counted as beyond or losing their population, ``medeltid``/``ej_nabar_bef``
    dropped, a mean row for a group that reaches nobody).

    Tätort: reached 100 + 300 = 400; km 100·2 + 300·6 = 2000 (mean 5), minutes
    100·4 + 300·9 = 3100 (mean 7.75); beyond 2 km and 2.5 km: B, 300/400 = 75 %; beyond 6 km:
    nobody (B is at 6, not beyond); beyond 4 min: B (75 %); beyond 9 min: nobody.
    Landsbygd: C unreachable — no mean rows, beyond every threshold (100 %), 50 unreached.
    Hela kommunen: 450 inv, 400 reached (means as tätort); beyond 2 km: 300 + 50 = 350/450;
    beyond 6 km: C only, 50/450.
    """
    frame = _indicators(_access(NETWORK_ORIGINS))
    km, pct, mins, bil = "km (vägnät)", "procent (vägnät)", "minuter (bil)", "procent (bil)"
    p = "service_apotek_"
    nan = float("nan")
    _same(_rows(frame, "1780", "tatort"), {
        p + "medelavstand": (5.0, km, 2000.0, 400.0),
        p + "medeltid": (7.75, mins, 3100.0, 400.0),
        p + "andel_over_2km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_2_5km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_6km": (0.0, pct, 0.0, 400.0),
        p + "andel_over_4min": (75.0, bil, 300.0, 400.0),
        p + "andel_over_9min": (0.0, bil, 0.0, 400.0),
        p + "ej_nabar_bef": (0.0, "invånare", 0.0, nan),
    })
    _same(_rows(frame, "1780", "landsbygd"), {
        p + "andel_over_2km": (100.0, pct, 50.0, 50.0),
        p + "andel_over_2_5km": (100.0, pct, 50.0, 50.0),
        p + "andel_over_6km": (100.0, pct, 50.0, 50.0),
        p + "andel_over_4min": (100.0, bil, 50.0, 50.0),
        p + "andel_over_9min": (100.0, bil, 50.0, 50.0),
        p + "ej_nabar_bef": (50.0, "invånare", 50.0, nan),
    })
    _same(_rows(frame, "1780", "hela_kommunen"), {
        p + "medelavstand": (5.0, km, 2000.0, 400.0),
        p + "medeltid": (7.75, mins, 3100.0, 400.0),
        p + "andel_over_2km": (350 / 450 * 100, pct, 350.0, 450.0),
        p + "andel_over_2_5km": (350 / 450 * 100, pct, 350.0, 450.0),
        p + "andel_over_6km": (50 / 450 * 100, pct, 50.0, 450.0),
        p + "andel_over_4min": (350 / 450 * 100, bil, 350.0, 450.0),
        p + "andel_over_9min": (50 / 450 * 100, bil, 50.0, 450.0),
        p + "ej_nabar_bef": (50.0, "invånare", 50.0, nan),
    })
    assert set(frame["ar"]) == {"2024"} and set(frame["kalla"]) == {"Pipos"}


def test_straight_line_rows_have_no_times_and_say_fagelvagen():
    """Guards the straight-line branch (mutants: ``.all()`` as ``.any()``, time rows or
    ``ej_nabar_bef`` given without a network, the measure label swapped), and
    ``hela_kommunen`` only when both area types have origins (here tätort only).

    Kommun 1780, all straight: 100 inv at 1 km, 300 at 3 km: mean 1000/400 = 2.5; beyond
    2 km and 2.5 km: 300/400; beyond 6 km: nobody. Kommun 1781 mixes one straight origin
    with one on the network, so it counts as a network result (times given).
    """
    access = _access([
        ("1781", "tatort", 10.0, True, 1.0, 2.0, NETWORK),
        ("1781", "tatort", 30.0, True, 3.0, np.nan, STRAIGHT),
        ("1780", "tatort", 100.0, True, 1.0, np.nan, STRAIGHT),
        ("1780", "tatort", 300.0, True, 3.0, np.nan, STRAIGHT),
    ])
    frame = _indicators(access)
    km, pct, p = "km (fågelvägen)", "procent (fågelvägen)", "service_apotek_"
    _same(_rows(frame, "1780", "tatort"), {
        p + "medelavstand": (2.5, km, 1000.0, 400.0),
        p + "andel_over_2km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_2_5km": (75.0, pct, 300.0, 400.0),
        p + "andel_over_6km": (0.0, pct, 0.0, 400.0),
    })
    mixed = _rows(frame, "1781", "tatort")
    assert mixed[p + "medelavstand"][1] == "km (vägnät)"
    assert mixed[p + "ej_nabar_bef"][0] == 0.0 and p + "medeltid" in mixed
    assert set(frame["omrade"]) == {"tatort"}
    # sorted by kommun (the input lists 1781 first)
    assert list(dict.fromkeys(frame["kommunkod"])) == ["1780", "1781"]


def test_a_group_without_population_gives_missing_shares_not_zero():
    """Guards ``_ratio`` (mutant: ``namnare > 0`` as ``>= 0``, a division by zero, or
    ``< 0``, which divides nowhere): an area type whose origins have no inhabitants gets NaN
    shares with their counts, never 0 %."""
    frame = _indicators(_access([("1780", "tatort", 0.0, True, 1.0, 2.0, NETWORK)]))
    rows = _rows(frame, "1780", "tatort")
    varde, _, teljare, namnare = rows["service_apotek_andel_over_2km"]
    assert math.isnan(varde) and teljare == 0.0 and namnare == 0.0
    # nobody reached: no mean rows
    assert "service_apotek_medelavstand" not in rows


def test_a_group_of_one_inhabitant_gets_its_mean_and_shares():
    """Guards the population tests at one inhabitant (mutants: ``reached > 0`` as ``> 1``,
    no mean rows; ``namnare > 0`` as ``> 1`` in ``_ratio``, NaN instead of the value): one
    origin of 1 inhabitant, reached at 3 km / 5 min — mean 3 km, 5 min, 100 % beyond 2 km."""
    frame = _indicators(_access([("1780", "tatort", 1.0, True, 3.0, 5.0, NETWORK)]))
    rows = _rows(frame, "1780", "tatort")
    assert rows["service_apotek_medelavstand"][0] == 3.0
    assert rows["service_apotek_medeltid"][0] == 5.0
    assert rows["service_apotek_andel_over_2km"][0] == 100.0
