"""Numbers in stop_times that Arrow cannot read as numbers fall back to typing that names rows.

stop_times is read with ``stop_sequence``, ``pickup_type`` and ``drop_off_type`` as Arrow
integers; a file that does not fit is read again as text
(:func:`data_sources.gtfs.reader.read_batches`), so real quirks still load and bad values
still name their file line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from data_sources import gtfs
from data_sources.errors import DataError


def test_whole_decimals_and_empty_pickup_types_load(rail_copy: Path, raw) -> None:
    """``3.0`` is sequence 3 and an empty pickup_type is 0, as in the text path."""
    st = raw(rail_copy, "stop_times")
    trip, sequence = st.loc[4, "trip_id"], int(st.loc[4, "stop_sequence"])
    st.loc[4, "stop_sequence"] = f"{sequence}.0"
    st.loc[4, "pickup_type"] = ""
    st.to_csv(rail_copy / "stop_times.txt", index=False)
    stop_times = gtfs.parse(rail_copy).stop_times
    row = stop_times[(stop_times["trip_id"] == trip) & (stop_times["stop_sequence"] == sequence)]
    assert len(row) == 1 and row["pickup_type"].iloc[0] == 0
    assert len(stop_times) == len(st)


@pytest.mark.parametrize("bad", ["x", ""])
def test_a_bad_or_empty_stop_sequence_names_its_line(rail_copy: Path, raw, bad: str) -> None:
    st = raw(rail_copy, "stop_times")
    st.loc[7, "stop_sequence"] = bad
    st.to_csv(rail_copy / "stop_times.txt", index=False)
    # raw row 7 is file line 9 (the header is line 1)
    with pytest.raises(DataError, match=r"stop_sequence.*whole numbers.*row\(s\) 9\b"):
        gtfs.parse(rail_copy)


@pytest.mark.parametrize("column", ["trip_id", "stop_id"])
def test_an_empty_trip_or_stop_id_names_its_line(rail_copy: Path, raw, column: str) -> None:
    """Both ids are required in GTFS: a call of no trip or at no stop is refused, not kept."""
    st = raw(rail_copy, "stop_times")
    st.loc[5, column] = " "
    st.to_csv(rail_copy / "stop_times.txt", index=False)
    with pytest.raises(DataError, match=rf"stop_times.txt: column '{column}' is empty in "
                                        r"row\(s\) 7$"):
        gtfs.parse(rail_copy)
