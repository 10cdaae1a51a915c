"""Shared by the GTFS tests: raw tables read with plain pandas, a writable real feed copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from data_sources import gtfs


def _raw(folder: Path, table: str) -> pd.DataFrame:
    """A raw GTFS table read with plain pandas, every column as text."""
    return pd.read_csv(folder / f"{table}.txt", dtype=str, keep_default_na=False)


@pytest.fixture
def raw():
    """``raw(folder, table)``: a GTFS table read with plain pandas, independent of the reader."""
    return _raw


@pytest.fixture
def rail_copy(tmp_path: Path, data_dir: Path) -> Path:
    """A writable copy of the real Värmland rail feed folder."""
    target = tmp_path / "feed"
    shutil.copytree(data_dir / gtfs.RAIL_DIR, target)
    return target
