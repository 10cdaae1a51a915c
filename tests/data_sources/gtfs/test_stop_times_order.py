"""stop_times ids and order: one sorted categorical per id column, rows by trip and sequence.

Guards the run-based sort of :func:`data_sources.gtfs.stop_times._trip_order` (feeds list a
trip's calls together, so only the runs are sorted) and its row-by-row fallback.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from data_sources import gtfs
from data_sources.gtfs.stop_times import _codes, _sorted_categorical, _trip_order


@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 5)), max_size=40))
def test_trip_order_is_a_stable_sort_by_trip_then_sequence(rows) -> None:
    """Any file order: the same permutation as a stable lexsort (ties keep file order)."""
    trip = np.array([r[0] for r in rows], dtype=np.int64)
    sequence = np.array([r[1] for r in rows], dtype=np.int32)
    assert _trip_order(trip, sequence).tolist() == np.lexsort((sequence, trip)).tolist()


def _expected_order(raw_stop_times: pd.DataFrame) -> list[tuple[str, int]]:
    """(trip_id, stop_sequence) of the raw rows sorted with plain Python."""
    return sorted(zip(raw_stop_times["trip_id"], raw_stop_times["stop_sequence"].astype(int),
                      strict=True))


def _parsed_order(folder: Path) -> list[tuple[str, int]]:
    stop_times = gtfs.parse(folder).stop_times
    return list(zip(stop_times["trip_id"].astype(str), stop_times["stop_sequence"],
                    strict=True))


def test_shuffled_and_split_trips_are_sorted(rail_copy: Path, raw) -> None:
    """Rows shuffled, and trips split into several runs, sort like the raw rows in Python."""
    raw_st = raw(rail_copy, "stop_times")
    expected = _expected_order(raw_st)
    reversed_trips = raw_st.iloc[::-1]  # every trip one run, its calls in reverse
    reversed_trips.to_csv(rail_copy / "stop_times.txt", index=False)
    assert _parsed_order(rail_copy) == expected
    halves = pd.concat([raw_st.iloc[::2], raw_st.iloc[1::2]])  # each trip in two runs
    halves.to_csv(rail_copy / "stop_times.txt", index=False)
    assert _parsed_order(rail_copy) == expected
    trips_shuffled = raw_st.sort_values("trip_id", key=lambda t: t.str[::-1], kind="stable")
    trips_shuffled.to_csv(rail_copy / "stop_times.txt", index=False)  # runs out of text order
    assert _parsed_order(rail_copy) == expected


def test_ids_of_several_blocks_become_one_sorted_categorical() -> None:
    """Blocks with their own dictionaries: the same id spelled ``539.0``, `` 539`` or
    ``539`` in different blocks is one category; empty cells are missing; categories sort
    as Python sorts text."""
    texts = [["b", "539.0", None, "a"], [" 539", "c", "b"], [None], ["539", "a"]]
    blocks = [pc.dictionary_encode(pa.array(block, pa.string())) for block in texts]
    ids = _sorted_categorical(*_codes(blocks))
    cells = [t for block in texts for t in block]
    expected = [None if t is None else t.strip().removesuffix(".0") for t in cells]
    assert list(ids.categories) == sorted({e for e in expected if e is not None})
    assert [None if pd.isna(v) else v for v in ids] == expected
