"""Service-point sources: Pipos export, Skolenhetsregistret, Trafikverket stations."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from data_sources import pipos, skolor, stationer
from data_sources.errors import DataError


def test_pipos_pharmacies_have_points_in_every_kommun(data_dir):
    frame = pipos.load(data_dir)
    assert len(frame) == 70
    assert frame["kommunkod"].nunique() == 16
    assert set(frame["serviceform"]) == {"Apotek", "Apoteksombud"}
    assert frame.crs.to_epsg() == 3006
    raw = pd.read_csv(data_dir / pipos.META.files[0].path)
    first = frame.set_index("id").loc[raw.loc[0, "Serviceplatsid"]].geometry
    assert (first.x, first.y) == (raw.loc[0, "x_sweref99tm"], raw.loc[0, "y_sweref99tm"])


def test_pipos_original_export_form_is_read(data_dir, tmp_path):
    """Pipos' own export has X/Y and no kommunkod: codes come from the kommun names."""
    raw = pd.read_csv(data_dir / pipos.META.files[0].path, dtype=str)
    original = raw.drop(columns=["kommunkod", "lon_wgs84", "lat_wgs84"]).rename(
        columns={"x_sweref99tm": "X", "y_sweref99tm": "Y"})
    path = tmp_path / "pipos_export.csv"
    original.to_csv(path, index=False)
    frame = pipos.parse(path)
    assert frame["kommunkod"].tolist() == raw["kommunkod"].tolist()


def test_schools_without_coordinates_are_kept_without_geometry(data_dir):
    frame = skolor.load(data_dir)
    assert len(frame) == 263
    assert frame.geometry.notna().sum() == 50
    assert frame["id"].is_unique


def test_stations_include_karlstad(data_dir):
    frame = stationer.load(data_dir).set_index("signatur")
    assert frame.loc["Ks", "namn"] == "Karlstads central"
    assert frame.loc["Ks", "kommunkod"] == "1780"


def test_unknown_pipos_kommun_name_is_an_error(data_dir, tmp_path):
    raw = pd.read_csv(data_dir / pipos.META.files[0].path, dtype=str)
    raw = raw.drop(columns=["kommunkod"])
    raw.loc[3, "Kommun"] = "Atlantis kommun"
    path = tmp_path / "pipos.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match="Atlantis kommun"):
        pipos.parse(path)


def test_schools_copy_is_read_unchanged(data_dir, tmp_path):
    copy = tmp_path / "skolor.csv"
    shutil.copy(data_dir / skolor.META.files[0].path, copy)
    assert len(skolor.parse(copy)) == 263


def test_school_coordinates_that_do_not_parse_are_named_not_dropped(data_dir, tmp_path):
    raw = pd.read_csv(data_dir / skolor.META.files[0].path, dtype=str)
    located = raw.index[raw["e_sweref99tm"].notna()][:3]
    raw.loc[located, "e_sweref99tm"] = raw.loc[located, "e_sweref99tm"].str.replace(".", ",")
    raw.loc[located[0], "e_sweref99tm"] = "4 10 500,5"  # spaces and a decimal comma
    path = tmp_path / "skolor.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"must both be numbers.*row\(s\) "
                                        f"{located[0] + 2}"):
        skolor.parse(path)
