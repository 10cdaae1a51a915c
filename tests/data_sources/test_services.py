"""Service-point sources: Pipos export, Skolenhetsregistret, Trafikverket stations."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from data_sources import paketombud, pipos, skolor, stationer
from data_sources.errors import DataError
from tests.raw import csv_rows


def test_pipos_pharmacies_have_points_in_every_kommun(data_dir):
    frame = pipos.load(data_dir)
    raw_rows = csv_rows(pipos.META.file(data_dir))
    assert len(frame) == len(raw_rows)
    raw_codes = {row["kommunkod"] for row in raw_rows}
    assert set(frame["kommunkod"]) == raw_codes and len(raw_codes) == 16  # Värmland's 16
    assert set(frame["serviceform"]) == {"Apotek", "Apoteksombud"}
    assert frame.crs.to_epsg() == 3006
    raw = pd.read_csv(pipos.META.file(data_dir))
    first = frame.set_index("id").loc[raw.loc[0, "Serviceplatsid"]].geometry
    assert (first.x, first.y) == (raw.loc[0, "x_sweref99tm"], raw.loc[0, "y_sweref99tm"])


def test_pipos_original_export_form_is_read(data_dir, tmp_path):
    """Pipos' own export has X/Y and no kommunkod: codes come from the kommun names."""
    raw = pd.read_csv(pipos.META.file(data_dir), dtype=str)
    original = raw.drop(columns=["kommunkod", "lon_wgs84", "lat_wgs84"]).rename(
        columns={"x_sweref99tm": "X", "y_sweref99tm": "Y"})
    path = tmp_path / "pipos_apoteksvaror_varmland_2025-11-12.csv"
    original.to_csv(path, index=False)
    frame = pipos.parse(path)
    assert frame["kommunkod"].tolist() == raw["kommunkod"].tolist()


def test_schools_without_coordinates_are_kept_without_geometry(data_dir):
    frame = skolor.load(data_dir)
    raw_rows = csv_rows(data_dir / skolor.META.files[0].path)
    assert len(frame) == len(raw_rows)
    located = [row for row in raw_rows if row["n_sweref99tm"] and row["e_sweref99tm"]]
    assert 0 < frame.geometry.notna().sum() == len(located) < len(raw_rows)
    assert frame["id"].is_unique


def test_stations_include_karlstad(data_dir):
    frame = stationer.load(data_dir).set_index("signatur")
    assert frame.loc["Ks", "namn"] == "Karlstads central"
    assert frame.loc["Ks", "kommunkod"] == "1780"


def test_unknown_pipos_kommun_name_is_an_error(data_dir, tmp_path):
    raw = pd.read_csv(pipos.META.file(data_dir), dtype=str)
    raw = raw.drop(columns=["kommunkod"])
    raw.loc[3, "Kommun"] = "Atlantis kommun"
    path = tmp_path / "pipos_apoteksvaror_x_2025-11-12.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match="Atlantis kommun"):
        pipos.parse(path)


def test_schools_copy_is_read_unchanged(data_dir, tmp_path):
    copy = tmp_path / "skolor.csv"
    shutil.copy(data_dir / skolor.META.files[0].path, copy)
    assert len(skolor.parse(copy)) == len(csv_rows(copy))


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


def test_every_pipos_export_in_the_folder_is_read_with_its_own_date(data_dir, tmp_path):
    """One reader for every Pipos service type: a second export (here the real pharmacy rows
    re-saved as Pipos' own Excel form, X/Y and no kommunkod, under a later export date — a
    test fixture in the publisher's format, not data) is read beside the first."""
    folder = tmp_path / "indicators"
    folder.mkdir()
    shutil.copy(pipos.META.file(data_dir), folder)
    raw = pd.read_csv(pipos.META.file(data_dir), dtype=str).head(5)
    excel = raw.drop(columns=["kommunkod", "lon_wgs84", "lat_wgs84"]).rename(
        columns={"x_sweref99tm": "X", "y_sweref99tm": "Y"})
    excel["Servicetyp"] = "Drivmedel"
    excel[["X", "Y"]] = excel[["X", "Y"]].astype(float)
    excel.to_excel(folder / "pipos_drivmedel_varmland_2026-01-03.xlsx", index=False)
    frame = pipos.load(tmp_path)
    assert len(frame) == len(csv_rows(pipos.META.file(data_dir))) + len(excel)
    assert frame.groupby("servicetyp")["datum"].unique().map(list).to_dict() == {
        "Apoteksvaror": ["2025-11-12"], "Drivmedel": ["2026-01-03"]}
    assert pipos.META.year_of(tmp_path) == "2025-11-12–2026-01-03"
    assert len(pipos.META.present_files(tmp_path)) == 2


def test_two_exports_of_one_service_type_are_an_error(data_dir, tmp_path):
    folder = tmp_path / "indicators"
    folder.mkdir()
    shutil.copy(pipos.META.file(data_dir), folder)
    shutil.copy(pipos.META.file(data_dir), folder / "pipos_apoteksvaror_varmland_2025-12-01.csv")
    with pytest.raises(DataError, match="one export per service type"):
        pipos.load(tmp_path)


def test_paketombud_rows_of_one_shop_become_one_place(data_dir):
    raw = pd.read_csv(data_dir / paketombud.META.files[0].path, dtype=str)
    places = paketombud.load(data_dir)
    assert len(raw) == len(csv_rows(data_dir / paketombud.META.files[0].path))
    assert len(places) == raw.groupby(["X_SWEREF99TM", "Y_SWEREF99TM"]).ngroups < len(raw)
    assert places.crs.to_epsg() == 3006
    first = raw.iloc[0]
    shared = raw[(raw["X_SWEREF99TM"] == first["X_SWEREF99TM"])
                 & (raw["Y_SWEREF99TM"] == first["Y_SWEREF99TM"])]
    row = places.set_index("id").loc[first["DB_ID"]]
    assert row["operatorer"] == ";".join(sorted(set(shared["OPERATÖR"])))
    assert (row.geometry.x, row.geometry.y) == (float(first["X_SWEREF99TM"]),
                                                float(first["Y_SWEREF99TM"]))
    per_kommun = places["kommunkod"].value_counts()
    assert per_kommun.index.nunique() == 16
    assert "unknown" in paketombud.META.publisher


def test_paketombud_without_coordinates_is_named(data_dir, tmp_path):
    raw = pd.read_csv(data_dir / paketombud.META.files[0].path, dtype=str)
    raw.loc[7, "X_SWEREF99TM"] = ""
    path = tmp_path / "ombud.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"X_SWEREF99TM.*row\(s\) 9"):
        paketombud.parse(path)
