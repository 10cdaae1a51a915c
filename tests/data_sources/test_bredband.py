"""PTS broadband loader: the documented CSV schema, tested on a marked fixture (no real PTS file
is in the development data), and every named error on a broken copy of it."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources import bredband
from data_sources.errors import DataError, MissingDataError
from tests.conftest import FIXTURES

FIXTURE = FIXTURES / "bredband" / "bredband_pts_kommun_fixture.csv"


def broken(tmp_path, edit) -> object:
    """Write an edited copy of the fixture (read as text) and return its path.

    ``edit`` changes the frame in place, or returns a new frame.
    """
    frame = pd.read_csv(FIXTURE, dtype=str)
    edited = edit(frame)
    frame = frame if edited is None else edited
    path = tmp_path / "bredband.csv"
    frame.to_csv(path, index=False)
    return path


def test_fixture_in_documented_format_loads():
    frame = bredband.parse(FIXTURE)
    assert list(frame.columns) == [*bredband.COLUMNS, "med_tillgang"]
    assert len(frame) == 2 * 2 * 3 * 2  # kommuner × mottagare × områden × hastigheter
    row = frame.set_index(list(bredband.KEY)).loc[("1780", "2024", "hushall", "tatort", "1gbit")]
    assert row["andel"] == pytest.approx(97.0)  # "97,0" with a decimal comma
    assert row["med_tillgang"] == pytest.approx(40_000 * 0.97)
    assert frame["kommunkod"].dtype == "string"


def test_missing_file_is_missing_data_not_zero(tmp_path):
    with pytest.raises(MissingDataError, match="bredband_pts_kommun.csv: file not found"):
        bredband.load(tmp_path)


def test_missing_column_is_named(tmp_path):
    path = broken(tmp_path, lambda f: f.drop(columns="antal"))
    with pytest.raises(DataError, match=r"bredband.csv: missing column\(s\) 'antal'"):
        bredband.parse(path)


def test_share_above_100_percent_is_named(tmp_path):
    def edit(frame):
        frame.loc[3, "andel"] = "100,5"

    with pytest.raises(DataError, match=r"column 'andel' must be a share in percent between 0 "
                                        r"and 100; bad value\(s\) '100,5' in row\(s\) 5"):
        bredband.parse(broken(tmp_path, edit))


def test_unknown_kommunkod_is_named(tmp_path):
    def edit(frame):
        frame.loc[0, "kommunkod"] = "1799"

    with pytest.raises(DataError, match="'kommunkod' holds code.* not Swedish kommuner: '1799'"):
        bredband.parse(broken(tmp_path, edit))


def test_unknown_category_and_duplicate_rows_are_named(tmp_path):
    def wrong_speed(frame):
        frame.loc[1, "hastighet"] = "10gbit"

    with pytest.raises(DataError, match=r"column 'hastighet' must be one of .* '10gbit'"):
        bredband.parse(broken(tmp_path, wrong_speed))

    def duplicate(frame):
        frame.loc[1] = frame.loc[0]

    with pytest.raises(DataError, match="must be unique; duplicated: '1780/2024/hushall/tatort/"
                                        "100mbit'"):
        bredband.parse(broken(tmp_path, duplicate))
