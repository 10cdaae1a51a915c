"""RINF loader: the real sections and operational points; bad rows are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from data_sources import SOURCES, rinf
from data_sources.errors import DataError, MissingDataError


@pytest.fixture
def rinf_copy(tmp_path: Path, data_dir: Path) -> Path:
    for path in (rinf.POINTS, rinf.SECTIONS):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data_dir / path, tmp_path / path)
    return tmp_path


def test_registered_and_available(data_dir: Path) -> None:
    assert SOURCES["rinf"].available(data_dir)


def test_tracks_of_a_section_are_one_row(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / rinf.SECTIONS, dtype=str)
    tracks = raw[raw["Section Of Line"] == "Algutsgården-Alingsås"]
    loaded = rinf.load(data_dir).sections.set_index("section").loc["Algutsgården-Alingsås"]
    assert loaded["spar"] == len(tracks) == 2 and loaded["langd_m"] == 10_524.0


def test_a_length_that_is_not_km_is_named(rinf_copy: Path) -> None:
    raw = pd.read_csv(rinf_copy / rinf.SECTIONS, dtype=str)
    raw.loc[4, "Length"] = "4543 m"
    raw.to_csv(rinf_copy / rinf.SECTIONS, index=False)
    with pytest.raises(DataError, match=r"'Length'.*'4543 m'.*row\(s\) 6"):
        rinf.load(rinf_copy)


def test_a_section_to_an_unknown_point_is_named(rinf_copy: Path) -> None:
    raw = pd.read_csv(rinf_copy / rinf.SECTIONS, dtype=str)
    raw.loc[0, "End Unique OP ID"] = "SEXYZ"
    raw.to_csv(rinf_copy / rinf.SECTIONS, index=False)
    with pytest.raises(DataError, match=r"'SEXYZ' in row\(s\) 2 not found in"):
        rinf.load(rinf_copy)


def test_missing_files_are_missing_data(tmp_path: Path) -> None:
    with pytest.raises(MissingDataError):
        rinf.load(tmp_path)
