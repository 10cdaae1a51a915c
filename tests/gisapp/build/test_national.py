"""The whole-country build (``--lan all``) of the real data: kommuner, grid totals, län pages.

The national build takes about 11 s here (``scripts/bench_build.py``), so it is built once
per session (``national_dir``) and every test reads it. Expected figures come from the raw
files: the kommun count from the boundary GeoPackage read with sqlite3, the population per
län and of the country from the grid CSV read with the ``csv`` module.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from data_sources.errors import DataError
from gisapp import create_app
from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import Build, FileStore
from layers.region import lan_codes
from layers.settings import PipelineSettings

BOUNDARIES = "admin/kommuner_sverige_lm1m_2018.gpkg"
GRID = "population/scb_befolkning_1km_2024_sverige.csv"


@pytest.fixture(scope="session")
def national_dir(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Path:
    """A build directory holding one national build of the real data."""
    root = tmp_path_factory.mktemp("national")
    run_build(DataDir(data_dir, "test"), FileStore(root), PipelineSettings(lanskod="all"),
              progress=lambda line: None)
    return root


@pytest.fixture(scope="session")
def national(national_dir: Path) -> Build:
    """The national build."""
    build = FileStore(national_dir).current()
    assert build is not None
    return build


@pytest.fixture
def national_client(national_dir: Path):
    """A test client serving the national build."""
    return create_app({"BUILD_DIR": str(national_dir), "TESTING": True}).test_client()


@pytest.fixture(scope="session")
def raw_grid(data_dir: Path) -> tuple[Counter, Counter]:
    """Persons and squares per länskod, summed from the raw grid CSV (its own län column)."""
    persons, squares = Counter(), Counter()
    with (data_dir / GRID).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            persons[row["lanskod"]] += int(row["beftotalt"])
            squares[row["lanskod"]] += 1
    return persons, squares


def test_national_build_has_every_kommun_of_the_boundary_file(national, data_dir):
    with sqlite3.connect(data_dir / BOUNDARIES) as db:
        codes = {c for (c,) in db.execute("SELECT kommunkod FROM kommuner")}
        lan = {c for (c,) in db.execute("SELECT DISTINCT lanskod FROM kommuner")}
    assert len(codes) == 290
    assert set(national.kommuner) == codes
    assert set(national.layer("kommuner")["kommunkod"]) == codes
    region = national.manifest["region"]
    assert region["nationell"] is True and region["lanskod"] == "SE"
    assert {entry["lanskod"] for entry in region["lan"]} == lan
    assert len(national.layer("lan")) == 21


def test_grid_population_per_lan_equals_the_raw_grid(national, raw_grid, data_dir):
    persons, squares = raw_grid
    layer = national.layer("befolkning")
    assert len(layer) == sum(squares.values()) == 103_464
    built = layer.groupby(layer["kommunkod"].str[:2])["befolkning"].sum()
    assert {k: int(v) for k, v in built.items()} == dict(persons)


def test_indicator_table_has_lan_and_riket_levels(national_client, raw_grid):
    persons, _ = raw_grid
    answer = national_client.get("/api/indikatorer?indikator=befolkning_ruta").get_json()
    whole = [r for r in answer["lan"] if r["omrade"] == "hela_kommunen"]
    names = {r["grupp"]: r["teljare"] for r in whole}
    assert len(names) == 21
    assert names["Värmlands län"] == persons["17"]
    assert names["Stockholms län"] == persons["01"]
    riket = [r for r in answer["riket"] if r["omrade"] == "hela_kommunen"]
    assert [(r["grupp"], r["teljare"]) for r in riket] == [("Sverige", sum(persons.values()))]
    assert riket[0]["kommuner_i_gruppen"] == 290
    assert "SCB" in riket[0]["kalla"]  # provenance travels with the aggregate


def test_riket_share_is_a_ratio_of_sums_not_a_mean_of_shares(national_client):
    answer = national_client.get("/api/indikatorer?indikator=andel_i_tatort").get_json()
    rows = [r for r in answer["rader"] if r["omrade"] == "hela_kommunen"]
    riket = next(r for r in answer["riket"] if r["omrade"] == "hela_kommunen")
    ratio = 100 * sum(r["teljare"] for r in rows) / sum(r["namnare"] for r in rows)
    mean = sum(r["varde"] for r in rows) / len(rows)
    assert riket["varde"] == pytest.approx(ratio)
    assert abs(riket["varde"] - mean) > 5  # the unweighted mean is far off (small kommuner)


def test_lan_page_answers_with_its_kommuner_and_riket(national_client, national):
    page = national_client.get("/lan/17")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Värmlands län" in html and "Riket" in html
    varmland = [k for k in national.kommuner if k.startswith("17")]
    assert len(varmland) == 16
    assert all(f'href="/kommun/{k}?sprak=sv"' in html for k in varmland)
    assert 'href="/kommun/0180?sprak=sv"' not in html  # Stockholm is another län's


@pytest.mark.parametrize("code", ["99", "1", "<script>alert(1)",
                                  "%3Cimg%20src=x%20onerror=alert(1)%3E", "17%27--"])
def test_unknown_or_hostile_lan_is_a_swedish_404_naming_it(national_client, code):
    page = national_client.get(f"/lan/{code}")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Länet finns inte i bygget" in html
    assert "<script>alert" not in html and "<img" not in html
    assert 'href="/lan/17?sprak=sv"' in html


def test_kommun_page_of_a_national_build_compares_with_its_own_lan(national_client):
    html = national_client.get("/kommun/1780").get_data(as_text=True)
    assert '<th class="num">Värmlands län</th>' in html


def test_region_codes_are_parsed_and_checked():
    known = ["01", "03", "17"]
    assert lan_codes("all", known) == ("01", "03", "17")
    assert lan_codes("SE", known) == ("01", "03", "17")
    assert lan_codes("17,03", known) == ("03", "17")
    with pytest.raises(DataError, match="'99' is not in the län boundaries"):
        lan_codes("17,99", known)
    with pytest.raises(DataError, match="expected a 2-digit länskod"):
        lan_codes("17;drop", known)


def test_regional_service_sources_are_measured_only_in_their_lan(national, raw_grid):
    # Pipos' and the parcel compilation's points are Värmland's only: no Skåne square may
    # get a distance to a Värmland pharmacy
    _, squares = raw_grid
    for layer_id in ("tillganglighet_apotek", "tillganglighet_post"):
        frame = national.layer(layer_id)
        assert len(frame) == squares["17"]
    notes = national.manifest["layers"]["tillganglighet"]["notes"]
    assert any("bara i län 17" in note for note in notes)


def test_national_build_reads_the_national_rail_feeds(national):
    names = {s["name"] for s in national.manifest["layers"]["hallplatser"]["sources"]}
    assert "gtfs_rail_national" in names
    assert "gtfs_rail" not in names  # the Värmland subset holds only trips via Värmland


def test_cli_names_a_malformed_region(capsys, tmp_path, data_dir):
    from gisapp import cli

    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path),
                     "--lan", "Värmland"]) == 1
    assert "--lan: expected a 2-digit länskod" in capsys.readouterr().err


def test_pages_of_a_national_build_link_every_lan_page(national_client, data_dir):
    """The region selector: the map and the indicator pages link each län's page."""
    with sqlite3.connect(data_dir / "admin/lan_sverige_lm1m_2018.gpkg") as db:
        lan = dict(db.execute("SELECT lanskod, lansnamn FROM lan"))
    for path in ("/", "/kommun/1780", "/lan/01", "/jamfor"):
        html = national_client.get(path).get_data(as_text=True)
        links = re.findall(r'<a href="/lan/(\d\d)\?sprak=sv">([^<]+)</a>', html)
        assert dict(links) == lan, path


def test_a_one_lan_build_has_no_region_selector(client):
    """Värmland alone: no list of one län."""
    assert 'href="/lan/' not in client.get("/").get_data(as_text=True)
