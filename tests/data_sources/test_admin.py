"""Boundaries, tätorter, population and classification load from the real files."""

from __future__ import annotations

import pandas as pd
import shapely

from data_sources import (
    befolkning,
    klassning,
    kommuner,
    kommuner_land,
    lan,
    provenance,
    tatorter,
    tatortspunkter,
)
from layers.tatorter import points_outside_kommun
from tests.raw import TATORTER_2020, csv_rows
from tests.raw_geo import geojson_points_3006, gpkg_features

# SCB's official codes and names of the kommuner in Värmlands län (the test oracle).
VARMLAND = {
    "1715": "Kil", "1730": "Eda", "1737": "Torsby", "1760": "Storfors", "1761": "Hammarö",
    "1762": "Munkfors", "1763": "Forshaga", "1764": "Grums", "1765": "Årjäng", "1766": "Sunne",
    "1780": "Karlstad", "1781": "Kristinehamn", "1782": "Filipstad", "1783": "Hagfors",
    "1784": "Arvika", "1785": "Säffle",
}


def test_kommuner_load_with_official_codes_and_names(data_dir):
    frame = kommuner.load(data_dir)
    assert len(frame) == 290
    assert frame.crs.to_epsg() == 3006
    varmland = frame[frame["lanskod"] == "17"]
    assert dict(zip(varmland["kommunkod"], varmland["kommunnamn"], strict=True)) == VARMLAND
    assert frame.geometry.is_valid.all()


def test_lan_17_equals_union_of_its_kommuner(data_dir):
    kommun_union = kommuner.load(data_dir).query("lanskod == '17'").union_all()
    lan17 = lan.load(data_dir).query("lanskod == '17'")
    assert lan17["lansnamn"].item() == "Värmlands län"
    difference_m2 = kommun_union.symmetric_difference(lan17.geometry.item()).area
    assert difference_m2 < 1e5  # below 0.1 km² on a 21 898 km² county


def test_land_outline_excludes_vanern(data_dir):
    legal = kommuner.load(data_dir).set_index("kommunkod")
    land = kommuner_land.load(data_dir).set_index("kommunkod")
    # Hammarö is mostly Vänern water: its land outline is a small part of its legal area.
    assert land.loc["1761"].geometry.area < 0.25 * legal.loc["1761"].geometry.area
    assert land.crs.to_epsg() == 3006


def raw_points_outside_kommun(data_dir) -> dict[str, list[str]]:
    """From the raw files: each tätort point not inside its own kommun's polygon, with the
    kommuner whose polygon holds it (sqlite3 + WKB and json + pyproj, not the loaders)."""
    admin = data_dir / "admin"
    polygons = gpkg_features(admin / "kommuner_sverige_lm1m_2018.gpkg", "kommuner",
                             ("kommunkod",))
    tree = shapely.STRtree([geometry for _, geometry in polygons])
    points = geojson_points_3006(admin / "tatorter_sverige_scb_2020_punkter.geojson",
                                 ("tatortskod", "kommunkod"))
    out = {}
    for tatortskod, kommunkod, point in points:
        holding = sorted(polygons[i][0] for i in tree.query(point, predicate="within"))
        if holding != [kommunkod]:
            out[tatortskod] = holding
    return out


def test_tatort_points_lie_in_their_kommun(data_dir):
    all_kommuner = kommuner.load(data_dir)
    points = tatortspunkter.load(data_dir)
    varmland = points[points["kommunkod"].str.startswith("17")]
    raw = {row["tatortskod"] for row in csv_rows(data_dir / TATORTER_2020)}
    assert set(varmland["tatortskod"]) == raw
    assert points_outside_kommun(varmland, all_kommuner).empty
    # Nationally, the exceptions are border tätorter whose label point lies in a neighbour
    # (SCB assigns a tätort crossing a border to one kommun): the same points as in the raw
    # files, each in exactly one other kommun, which borders its own.
    outside = points_outside_kommun(points, all_kommuner)
    expected = raw_points_outside_kommun(data_dir)
    assert all(len(holding) == 1 for holding in expected.values())
    assert dict(zip(outside["tatortskod"], outside["kommun_by_location"], strict=True)) == {
        code: holding[0] for code, holding in expected.items()}
    assert len(expected) == 5  # Tumba, Göteborg, Frillesås and two Skåne småorter
    polygons = all_kommuner.set_index("kommunkod").geometry
    for row in outside.itertuples():
        assert polygons[row.kommunkod].touches(polygons[row.kommun_by_location])


def test_tatort_polygons_carry_scb_numbers(data_dir):
    frame = tatorter.load(data_dir)
    karlstad = frame[frame["tatort"] == "Karlstad"]
    assert karlstad["tatortsnr"].tolist() == ["5704"]
    assert karlstad["kommunkod"].tolist() == ["1780"]


def test_population_matches_the_source_table(data_dir):
    frame = befolkning.load(data_dir)
    raw = pd.read_csv(data_dir / befolkning.META.files[0].path, dtype={"kommunkod": str})
    merged = frame.merge(raw, on="kommunkod")
    assert len(merged) == 16
    assert (merged["invanare"] == merged["invanare_2025_kolada_n01951"]).all()
    assert set(frame["ar"]) == {"2025"}


def test_skr_kommungrupper_cover_all_kommuner(data_dir):
    frame = klassning.load(data_dir, "skr")
    assert len(frame) == 290
    assert frame.set_index("kommunkod").loc["1780", "klass_kod"] == "B3"
    assert frame["klass"].nunique() == 9


def test_tillvaxtverket_classification_is_missing_without_assignments(data_dir):
    # Only the class names are published here; the assignment table is not supplied.
    assert "tillvaxtverket" not in klassning.available(data_dir)
    assert "skr" in klassning.available(data_dir)


def test_population_provenance_shows_the_year_the_file_names(data_dir, tmp_path):
    """A fetch of another year writes another column name; provenance follows the file."""
    source = data_dir / befolkning.META.files[0].path
    copy = tmp_path / befolkning.META.files[0].path
    copy.parent.mkdir(parents=True)
    text = source.read_text(encoding="utf-8")
    assert "invanare_2025_kolada_n01951" in text.splitlines()[0]
    copy.write_text(text.replace("invanare_2025_", "invanare_2024_", 1), encoding="utf-8")
    assert provenance(befolkning.META, data_dir)["reference_year"] == "2025"
    assert provenance(befolkning.META, tmp_path)["reference_year"] == "2024"
    assert set(befolkning.load(tmp_path)["ar"]) == {"2024"}
