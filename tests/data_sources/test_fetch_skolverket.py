"""``fetch --source skolverket`` against a 127.0.0.1 server serving API-v2-format fixtures.

The fixtures (``tests/fixtures/skolverket``, README there) are small answers in the format
of Skolenhetsregistret's API v2, built from two real Värmland units of the 2020 register
export: expected values are read from that export, not from the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from data_sources import skolor, skolverket
from data_sources.base import FETCH_LOG
from data_sources.errors import FetchError
from gisapp import cli
from tests.local_http import QuietHandler, local_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "skolverket"


class ApiHandler(QuietHandler):
    """Serves ``/v2/school-units`` (``list_file``) and ``/v2/school-units/{code}``."""

    list_file = "school-units.json"
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.seen.append(self.path)
        path = urlsplit(self.path).path
        name = self.list_file if path == "/v2/school-units" else path.removeprefix("/v2/")
        target = FIXTURES / (name if name.endswith(".json") else f"{name}.json")
        if not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)



@pytest.fixture
def api(monkeypatch):
    """A local Skolenhetsregistret; ``$STRUKTURBILD_SKOLVERKET_URL`` points at it."""
    ApiHandler.seen = []
    ApiHandler.list_file = "school-units.json"
    with local_server(ApiHandler) as base:
        monkeypatch.setenv(skolverket.URL_ENV, f"{base}/v2")
        yield ApiHandler


def _register_row(data_dir: Path, code: str) -> pd.Series:
    """A Grundskola row of the real register export (the independent reference)."""
    frame = pd.read_csv(data_dir / skolor.REGISTER.path, dtype="string")
    return frame[(frame["SKOLENHETSKOD"] == code) & (frame["SKOLFORM"] == "Grundskola")].iloc[0]


def test_fetch_writes_what_the_loader_reads(api, tmp_path, data_dir):
    assert cli.main(["fetch", "--data-dir", str(tmp_path), "--source", "skolverket"]) == 0
    query = parse_qs(urlsplit(api.seen[0]).query)
    assert query["status"] == ["AKTIV"]
    assert "1715" in query["municipality_code"] and len(query["municipality_code"]) == 16
    assert sorted(api.seen[1:]) == ["/v2/school-units/22252335", "/v2/school-units/34568098"]

    schools = skolor.load(tmp_path)
    assert skolor.locate(tmp_path) == (skolverket.FILE,)
    assert skolor.year_of(tmp_path) == "2026-12-02"
    # FKLASS is not a school form the register export has: one Grundskola row per unit
    assert sorted(schools["id"]) == ["22252335-Grundskola", "34568098-Grundskola"]
    placed = schools.set_index("skolenhetskod").geometry
    fageras = _register_row(data_dir, "22252335")
    assert placed["22252335"].x == pytest.approx(float(fageras["e_sweref99tm"]), abs=1.0)
    assert placed["22252335"].y == pytest.approx(float(fageras["n_sweref99tm"]), abs=1.0)
    assert placed["34568098"] is None  # no coordinates: counted, never guessed
    boda = schools.set_index("skolenhetskod").loc["34568098"]
    assert (boda["namn"], boda["kommunkod"], boda["huvudmannatyp"]) == (
        "Bodaskolan", "1715", _register_row(data_dir, "34568098")["HUVUDMANNATYP"])
    logged = json.loads((tmp_path / FETCH_LOG).read_text("utf-8"))[skolverket.FILE.path]
    assert logged["url"].startswith("http://127.0.0.1:") and "/v2/school-units?" in logged["url"]


def test_malformed_answer_is_named_and_keeps_the_previous_file(api, tmp_path, capsys):
    assert cli.main(["fetch", "--data-dir", str(tmp_path), "--source", "skolverket"]) == 0
    before = (tmp_path / skolverket.FILE.path).read_bytes()
    api.list_file = "malformed-list.json"
    with pytest.raises(FetchError, match="lacks 'data.attributes'"):
        skolverket.fetch_units(tmp_path, lanskod="17")
    assert cli.main(["fetch", "--data-dir", str(tmp_path), "--source", "skolverket"]) == 1
    assert "data.attributes" in capsys.readouterr().err
    assert (tmp_path / skolverket.FILE.path).read_bytes() == before


def test_without_the_api_file_the_register_export_is_read(tmp_path, data_dir):
    assert skolor.locate(tmp_path) == ()
    assert skolor.locate(data_dir) == (skolor.REGISTER,)
    assert skolor.year_of(data_dir) == "2020"
