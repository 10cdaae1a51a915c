"""SCB kommun panel (post-secondary education, ages 16–74) on the real file."""

from __future__ import annotations

import pandas as pd
import pytest

from data_sources import kommunpanel
from data_sources.errors import DataError


def test_panel_reads_every_kommun_and_year_with_measurement_year(data_dir):
    frame = kommunpanel.load(data_dir)
    raw = pd.read_csv(data_dir / kommunpanel.META.files[0].path, dtype={"municip_code": str})
    assert len(frame) == len(raw) == 96
    assert frame["kommunkod"].nunique() == 16
    row = frame[(frame["kommunkod"] == "1780") & (frame["panelar"] == 2022)].iloc[0]
    source = raw[(raw["municip_code"] == "1780") & (raw["year"] == 2022)].iloc[0]
    assert row["andel_eftergymnasial"] == source["share_tertiary_school"]
    assert row["folkmangd"] == source["pop"]
    assert row["matar"] == "2021"  # panel year t measures 31 December of t − 1


def test_share_outside_0_1_is_named(tmp_path, data_dir):
    raw = pd.read_csv(data_dir / kommunpanel.META.files[0].path, dtype={"municip_code": str})
    raw.loc[7, "share_tertiary_school"] = 23.5  # a percent where a share is expected
    path = tmp_path / "panel.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"'share_tertiary_school' must be a share between 0 and "
                                        r"1; bad value\(s\) 23.5 in row\(s\) 9"):  # file line
        kommunpanel.parse(path)
