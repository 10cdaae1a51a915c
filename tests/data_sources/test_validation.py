"""Every validation error, produced by feeding a broken copy of a real file."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon

from data_sources import befolkning, kommuner, tatortspunkter
from data_sources.errors import DataError, MissingDataError

BOWTIE = Polygon([(400_000, 6_600_000), (410_000, 6_610_000), (410_000, 6_600_000),
                  (400_000, 6_610_000)])


@pytest.fixture(scope="module")
def real_kommuner(data_dir) -> gpd.GeoDataFrame:
    """The real Lantmäteriet kommun file, as read straight from disk."""
    return gpd.read_file(data_dir / kommuner.META.files[0].path, layer="kommuner")


def write_gpkg(frame: gpd.GeoDataFrame, tmp_path, name="kommuner.gpkg"):
    """Write a (broken) copy of the kommun GeoPackage and return its path."""
    path = tmp_path / name
    frame.to_file(path, layer="kommuner", driver="GPKG")
    return path


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(MissingDataError, match="kommuner_sverige_lm1m_2018.gpkg: file not found"):
        kommuner.load(tmp_path)


def test_unreadable_file(tmp_path, data_dir):
    path = tmp_path / "kommuner.gpkg"
    path.write_bytes((data_dir / kommuner.META.files[0].path).read_bytes()[:5000])
    with pytest.raises(DataError, match="kommuner.gpkg: cannot be read"):
        kommuner.parse(path)


def test_unreadable_csv(tmp_path, data_dir):
    path = tmp_path / "befolkning.csv"
    path.write_bytes((data_dir / befolkning.META.files[0].path).read_bytes().replace(
        "Årjäng".encode(), "Årjäng".encode("latin-1")))
    with pytest.raises(DataError, match="cannot be read as a UTF-8 CSV"):
        befolkning.parse(path)


def test_missing_column(tmp_path, real_kommuner):
    path = write_gpkg(real_kommuner.drop(columns="lansnamn"), tmp_path)
    with pytest.raises(DataError, match=r"missing column\(s\) 'lansnamn'"):
        kommuner.parse(path)


def test_kommunkod_must_be_four_digit_text(tmp_path, data_dir):
    raw = pd.read_csv(data_dir / befolkning.META.files[0].path, dtype=str)
    raw.loc[2, "kommunkod"] = "173"  # a code that lost a digit
    path = tmp_path / "befolkning.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"4-digit kommunkoder.*'173'.*row\(s\) 4"):  # file line 4
        befolkning.parse(path)


def test_kommunkod_must_be_a_real_kommun(tmp_path, data_dir):
    raw = pd.read_csv(data_dir / befolkning.META.files[0].path, dtype=str)
    raw.loc[5, "kommunkod"] = "1799"
    path = tmp_path / "befolkning.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"not Swedish kommuner: '1799' in row\(s\) 7"):
        befolkning.parse(path)


def test_invalid_geometry_names_the_kommun(tmp_path, real_kommuner):
    broken = real_kommuner.copy()
    broken.loc[broken["kommunkod"] == "1780", "geometry"] = BOWTIE
    with pytest.raises(DataError,
                       match=r"invalid geometry for kommunkod '1780'.*Self-intersection"):
        kommuner.parse(write_gpkg(broken, tmp_path))


def test_empty_geometry_names_the_kommun(tmp_path, real_kommuner):
    broken = real_kommuner.copy()
    broken.loc[broken["kommunkod"] == "1715", "geometry"] = None
    with pytest.raises(DataError, match="empty or missing geometry for kommunkod '1715'"):
        kommuner.parse(write_gpkg(broken, tmp_path))


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_absent_crs(tmp_path, real_kommuner):
    path = write_gpkg(real_kommuner.set_crs(None, allow_override=True), tmp_path)
    with pytest.raises(DataError, match="no coordinate reference system; expected EPSG:3006"):
        kommuner.parse(path)


def test_crs_other_than_the_publishers(tmp_path, real_kommuner):
    path = write_gpkg(real_kommuner.to_crs(3857), tmp_path)
    with pytest.raises(DataError, match="CRS is EPSG:3857, expected EPSG:3006"):
        kommuner.parse(path)


def test_mislabelled_crs_is_caught_by_location(tmp_path, real_kommuner):
    """A GeoPackage declaring SWEREF 99 TM that actually holds lon/lat degrees."""
    lonlat = real_kommuner.to_crs(4326).set_crs(3006, allow_override=True)
    with pytest.raises(DataError, match="fall outside Sweden.*is the declared CRS wrong"):
        kommuner.parse(write_gpkg(lonlat, tmp_path))


def test_duplicated_ids(tmp_path, data_dir):
    source = data_dir / tatortspunkter.META.files[0].path
    frame = gpd.read_file(source)
    frame.loc[10, "tatortskod"] = frame.loc[11, "tatortskod"]
    path = tmp_path / "tatorter.geojson"
    frame.to_file(path, driver="GeoJSON")
    duplicated = frame.loc[11, "tatortskod"]
    with pytest.raises(DataError, match=f"must be unique; duplicated: '{duplicated}'"):
        tatortspunkter.parse(path)


def test_unbroken_copy_still_loads(tmp_path, data_dir):
    copy = tmp_path / "kommuner.gpkg"
    shutil.copy(data_dir / kommuner.META.files[0].path, copy)
    assert len(kommuner.parse(copy)) == 290
