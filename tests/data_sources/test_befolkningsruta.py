"""SCB population grid loader: the real national CSV and Värmland GeoPackage of ../shared/data,
SCB's published GeoPackage form (a marked 250 m fixture), and broken copies of the real files."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from data_sources import befolkningsruta, provenance
from data_sources.errors import DataError, MissingDataError
from tests.conftest import FIXTURES

CSV = "population/scb_befolkning_1km_2024_sverige.csv"
GPKG = "population/varmland_befolkning_1km_2024.gpkg"
FIXTURE_250M = FIXTURES / "befolkningsruta" / "befolkning_250m_2024_fixture.gpkg"


@pytest.fixture(scope="module")
def national(data_dir):
    return befolkningsruta.parse(data_dir / CSV)


def test_national_csv_is_preferred_and_its_year_goes_into_provenance(data_dir):
    found = befolkningsruta.candidates(data_dir)
    assert [(g.path, g.layer, g.size_m, g.year, g.squares) for g in found] == [
        (CSV, None, 1000, "2024", 103_464),
        (GPKG, "befolkning_1km_2024", 1000, "2024", 5_779),
    ]
    record = provenance(befolkningsruta.META, data_dir)
    assert record["reference_year"] == "2024"
    assert [f["path"] for f in record["files"]] == [CSV]
    assert len(record["files"][0]["sha256"]) == 64


def test_national_csv_keeps_every_square_and_person(national, grid_csv):
    assert national.crs == "EPSG:3006"
    assert list(national.columns) == befolkningsruta.COLUMNS
    assert len(national) == len(grid_csv) == 103_464
    assert national["befolkning"].sum() == grid_csv["beftotalt"].sum() == 10_560_818
    assert set(national["ar"]) == {"2024"} and set(national["storlek_m"]) == {1000}
    first = national.set_index("rutid_scb").loc["2690006534000"]
    assert first.geometry.equals(shapely.box(269_000, 6_534_000, 270_000, 6_535_000))
    # the centre the source repo stored (EPSG:4326) is the centre of the rebuilt square
    centres = gpd.GeoSeries(national.geometry.centroid).to_crs(4326)
    assert (centres.x - grid_csv["lon_centre"]).abs().max() < 1e-6
    assert (centres.y - grid_csv["lat_centre"]).abs().max() < 1e-6


def test_varmland_geopackage_matches_the_published_polygons_and_the_national_file(
        data_dir, national, grid_csv):
    squares = befolkningsruta.parse(data_dir / GPKG)
    assert len(squares) == 5_779 and squares["befolkning"].sum() == 282_698
    published = gpd.read_file(data_dir / GPKG).set_index("rutid_scb")
    rebuilt = squares.set_index("rutid_scb").geometry
    assert shapely.equals(rebuilt.to_numpy(),
                          published.geometry.reindex(rebuilt.index).to_numpy()).all()
    varmland = grid_csv[grid_csv["lanskod"] == "17"].set_index("rutid_scb")["beftotalt"]
    assert squares.set_index("rutid_scb")["befolkning"].sort_index().equals(
        varmland.sort_index().rename("befolkning"))


def test_scb_geopackage_form_at_250_m(tmp_path):
    squares = befolkningsruta.parse(FIXTURE_250M)
    assert squares.crs == "EPSG:3006"
    assert sorted(squares["befolkning"]) == [3, 5, 7]  # the square with 0 is left out
    assert set(squares["storlek_m"]) == {250} and set(squares["ar"]) == {"2024"}
    square = squares.set_index("rutid_scb").loc["4150006584250"]
    assert square.geometry.equals(shapely.box(415_000, 6_584_250, 415_250, 6_584_500))
    # the year and size are read from the layer name when the file is named otherwise
    renamed = tmp_path / "rutor.gpkg"
    shutil.copy(FIXTURE_250M, renamed)
    assert befolkningsruta.parse(renamed)["befolkning"].sum() == 15


def test_latest_year_first_then_most_squares(tmp_path, data_dir):
    folder = tmp_path / "population"
    folder.mkdir()
    shutil.copy(data_dir / GPKG, folder / "varmland_befolkning_1km_2024.gpkg")
    shutil.copy(FIXTURE_250M, folder / "karlstad_befolkning_250m_2024.gpkg")
    assert [g.size_m for g in befolkningsruta.candidates(tmp_path)] == [1000, 250]
    older = folder / "befolkning_1km_2023.csv"
    older.write_text("rutid_scb,beftotalt\n4130006583000,5\n", encoding="utf-8")
    assert befolkningsruta.preferred(tmp_path).path.endswith("varmland_befolkning_1km_2024.gpkg")
    newer = folder / "befolkning_1km_2025.csv"
    newer.write_text("rutid_scb,beftotalt\n4130006583000,5\n", encoding="utf-8")
    assert befolkningsruta.preferred(tmp_path).year == "2025"
    assert befolkningsruta.load(tmp_path)["befolkning"].tolist() == [5]


def test_no_grid_is_missing_data_with_how_to_get_it(tmp_path):
    assert befolkningsruta.preferred(tmp_path) is None
    assert not befolkningsruta.META.available(tmp_path)
    with pytest.raises(MissingDataError, match="befolkning_1km_2024.gpkg"):
        befolkningsruta.load(tmp_path)


def test_name_without_size_and_year_or_disagreeing_is_named(tmp_path, data_dir):
    plain = tmp_path / "grid.csv"
    plain.write_text("rutid_scb,beftotalt\n4130006583000,5\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"grid.csv: cannot tell .* befolkning_1km_2024"):
        befolkningsruta.parse(plain)
    wrong = tmp_path / "befolkning_1km_2023.gpkg"
    shutil.copy(data_dir / GPKG, wrong)
    with pytest.raises(DataError, match=r"file name says 1000 m squares of 2023 but layer "
                                        r"'befolkning_1km_2024' says 1000 m of 2024"):
        befolkningsruta.parse(wrong)


# --- broken copies of the real files --------------------------------------------------------

def broken_csv(tmp_path, data_dir, edit) -> object:
    """A copy of the national CSV with ``edit(lines)`` applied (line 0 is the header)."""
    lines = (data_dir / CSV).read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "scb_befolkning_1km_2024_sverige.csv"
    path.write_text("".join(edit(lines)), encoding="utf-8")
    return path


def test_truncated_csv_is_named(tmp_path, data_dir):
    raw = (data_dir / CSV).read_bytes()
    path = tmp_path / "befolkning_1km_2024.csv"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="befolkning_1km_2024.csv: the file ends in the middle "
                                        r"of a line \(truncated\?\)"):
        befolkningsruta.parse(path)
    cut = broken_csv(tmp_path, data_dir, lambda lines: [*lines[:-1], "4810007000000,\n"])
    with pytest.raises(DataError, match=r"row\(s\) 103465 lack rutid_scb or beftotalt"):
        befolkningsruta.parse(cut)


def test_truncated_geopackage_is_named_when_found(tmp_path, data_dir):
    folder = tmp_path / "population"
    folder.mkdir()
    (folder / "varmland_befolkning_1km_2024.gpkg").write_bytes(
        (data_dir / GPKG).read_bytes()[:900_000])
    with pytest.raises(DataError, match=r"varmland_befolkning_1km_2024.gpkg: cannot be read "
                                        r"as a GeoPackage \(truncated or damaged\?\)"):
        befolkningsruta.candidates(tmp_path)


def test_wrong_columns_are_named(tmp_path, data_dir):
    title_case = broken_csv(tmp_path, data_dir,
                            lambda lines: [lines[0].replace("beftotalt", "Beftotalt"), *lines[1:]])
    with pytest.raises(DataError, match=r"unknown column layout: missing 'beftotalt' "
                                        r"\('Beftotalt' differ only in case"):
        befolkningsruta.parse(title_case)
    frame = gpd.read_file(data_dir / GPKG).rename(columns={"rutid_scb": "id", "beftotalt": "pop"})
    other = tmp_path / "befolkning_1km_2024.gpkg"
    frame.to_file(other, layer="befolkning_1km_2024", driver="GPKG")
    with pytest.raises(DataError, match=r"layer 'befolkning_1km_2024'\): unknown column layout: "
                                        r"missing 'rutid_scb', 'beftotalt'; expected SCB's"):
        befolkningsruta.parse(other)


def test_misaligned_squares_are_named(tmp_path, data_dir):
    shifted = broken_csv(tmp_path, data_dir, lambda lines: [
        lines[0], lines[1].replace("2690006534000,7,269000", "2690506534000,7,269050"),
        *lines[2:]])
    with pytest.raises(DataError, match=r"south-west corner of a 1000 m square .* off the grid: "
                                        r"'2690506534000' in row\(s\) 2"):
        befolkningsruta.parse(shifted)
    disagree = broken_csv(tmp_path, data_dir, lambda lines: [
        lines[0], lines[1].replace("2690006534000,7,269000", "2690006534000,7,268000"),
        *lines[2:]])
    with pytest.raises(DataError, match=r"'x_sweref99tm_sw', 'y_sweref99tm_sw' disagree with "
                                        r"rutid_scb in row\(s\) 2"):
        befolkningsruta.parse(disagree)
    frame = gpd.read_file(data_dir / GPKG)
    frame.loc[3, "geometry"] = shapely.affinity.translate(frame.geometry[3], 500, 0)
    moved = tmp_path / "befolkning_1km_2024.gpkg"
    frame.to_file(moved, layer="befolkning_1km_2024", driver="GPKG")
    with pytest.raises(DataError, match=rf"feature\(s\) 3 \(rutid_scb '{frame.rutid_scb[3]}'\) "
                                        "are not the 1000 m square their rutid_scb names"):
        befolkningsruta.parse(moved)


def test_duplicated_squares_are_named(tmp_path, data_dir):
    twice = broken_csv(tmp_path, data_dir, lambda lines: [*lines, lines[1]])
    with pytest.raises(DataError, match=r"same square appears more than once .* "
                                        r"'2690006534000' in row\(s\) 2, 103466"):
        befolkningsruta.parse(twice)
    frame = gpd.read_file(data_dir / GPKG)
    doubled = tmp_path / "befolkning_1km_2024.gpkg"
    pd.concat([frame, frame.iloc[[0]]]).to_file(doubled, layer="befolkning_1km_2024",
                                                driver="GPKG")
    with pytest.raises(DataError, match="same square appears more than once"):
        befolkningsruta.parse(doubled)


def test_negative_counts_are_named(tmp_path, data_dir):
    negative = broken_csv(tmp_path, data_dir, lambda lines: [
        lines[0], lines[1].replace("2690006534000,7,", "2690006534000,-7,"), *lines[2:]])
    with pytest.raises(DataError, match=r"'beftotalt' must hold whole numbers ≥ 0; bad value\(s\) "
                                        r"-7 in row\(s\) 2"):
        befolkningsruta.parse(negative)


def test_scb_size_and_reference_date_columns_are_checked(tmp_path):
    frame = gpd.read_file(FIXTURE_250M)
    for column, value, expected in (("rutstorl", 1000, "'rutstorl' must be 250"),
                                    ("referenstid", "20231231", "a date in 2024")):
        path = tmp_path / f"{column}_befolkning_250m_2024.gpkg"
        frame.assign(**{column: value}).to_file(path, layer="befolkning_250m_2024",
                                                driver="GPKG")
        with pytest.raises(DataError, match=expected):
            befolkningsruta.parse(path)
    assert pyogrio.list_layers(FIXTURE_250M)[0][0] == "befolkning_250m_2024"
