"""Server-rendered maps and the kommunblad: PNG of the asked size, PDFs whose text names the
kommun, its sources ("Källa") and the build's years, figures from the raw files, and 400s
naming the bad parameter."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from tests.system_tools import required_in_ci

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PDFTOTEXT = shutil.which("pdftotext")
needs_poppler = required_in_ci(PDFTOTEXT is not None, "pdftotext (Debian poppler-utils)")


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return out.replace("\u00a0", " ")


def _years(built, layer_ids) -> set[str]:
    """Reference years of the layers' sources, read from the build manifest."""
    years = set()
    for layer_id in layer_ids:
        for source in built.manifest["layers"][layer_id]["sources"]:
            years.update(re.findall(r"(?:19|20)\d{2}", str(source["reference_year"]))[:1])
    return years


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_has_the_asked_size(client):
    response = client.get("/karta.png?format=a4&dpi=100")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert _png_size(response.data) == (1169, 827)  # A4 landscape, 11.69 × 8.27 in at 100 dpi
    a3 = client.get("/karta.png?format=a3&dpi=60&kommun=1784&lager=kommuner,tatorter")
    assert _png_size(a3.data) == (992, 701)


def test_png_is_cached_per_build_and_parameters(client):
    first = client.get("/karta.png?dpi=80&kommun=1737")
    again = client.get("/karta.png?dpi=80&kommun=1737")
    assert first.data == again.data and first.headers["ETag"] == again.headers["ETag"]
    other = client.get("/karta.png?dpi=81&kommun=1737")
    assert other.headers["ETag"] != first.headers["ETag"]
    assert client.get("/karta.png?dpi=80&kommun=1737",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@needs_poppler
def test_map_pdf_names_the_kommun_its_sources_and_years(client, built, tmp_path):
    response = client.get("/karta.pdf?kommun=1784")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = _text(response.data, tmp_path)
    assert "Arvika" in text and "Källa" in text
    shown = [i for i in ("kommuner", "lan", "tatorter", "service", "hallplatser", "stomlinjer")
             if i in built.layer_ids()]
    for year in _years(built, shown):
        assert year in text
    assert "Lantmäteriet" in text and "km" in text  # sources and a metric scale bar
    a3 = client.get("/karta.pdf?kommun=1784&format=a3&indikator=andel_i_tatort")
    assert "Andel i tätort" in _text(a3.data, tmp_path)


@needs_poppler
def test_kommunblad_pdf_has_map_indicators_coverage_and_sources(client, built, data_dir,
                                                               tmp_path):
    response = client.get("/kommun/1784.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data, tmp_path)
    assert "Arvika – kommunblad" in text and "Källa" in text
    for heading in ("Tätort", "Landsbygd", "Hela kommunen", "Värmlands län", "Källor",
                    "Täckning"):
        assert heading in text
    # SCB's register population of Arvika, read from the raw file
    raw = pd.read_csv(data_dir / "admin/varmland_kommuner_befolkning.csv", dtype=str)
    population = int(raw.set_index("kommunkod").loc["1784", "invanare_2025_kolada_n01951"])
    assert f"{population:,}".replace(",", " ") in text
    for year in _years(built, ["kommuner", "tatorter"]):
        assert year in text
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = tmp_path / "kommunblad.pdf"
    pdf.write_bytes(response.data)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(ARTIFACTS / "kommunblad_1784")], check=True)


@pytest.mark.parametrize(("query", "parameter"), [
    ("/karta.png?dpi=abc", "dpi"),
    ("/karta.png?dpi=20", "dpi"),
    ("/karta.png?dpi=1000", "dpi"),
    ("/karta.pdf?format=a5", "format"),
    ("/karta.png?kommun=0180", "kommun"),
    ("/karta.png?kommun=abc", "kommun"),
    ("/karta.png?lager=finns_inte", "lager"),
    ("/karta.png?bbox=1,2,3", "bbox"),
    ("/karta.png?indikator=nej", "indikator"),
    ("/karta.png?zoom=3", "zoom"),
    ("/karta.gif", "format"),
    ("/kommun/0180.pdf", "kommun"),
    ("/kommun/1784.pdf?klassning=nej", "klassning"),
])
def test_bad_parameters_are_400_naming_the_parameter(client, query, parameter):
    response = client.get(query)
    assert response.status_code == 400
    assert response.get_json()["parameter"] == parameter
