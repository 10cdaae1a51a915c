"""Trafiklab downloads from a local server; the keyed fetch is the regional source's own."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from data_sources import fetch, gtfs
from data_sources._http import DownloadSettings
from data_sources.base import SourceMeta
from data_sources.errors import DataError, FetchError
from data_sources.gtfs.fetch import trafiklab_fetcher
from gisapp.cli import main
from tests.local_http import QuietHandler, local_server

FEEDS = Path("transport_osm/gtfs")
FAST = DownloadSettings(timeout_s=2.0, attempts=1, backoff_s=0.0)


def _raw_stop_time_rows(path: Path) -> int:
    """Data rows of the zip's stop_times.txt, counted with the standard library only."""
    with zipfile.ZipFile(path) as archive, archive.open("stop_times.txt") as table:
        return sum(1 for _ in csv.reader(io.TextIOWrapper(table, encoding="utf-8-sig"))) - 1


class _Trafiklab(QuietHandler):
    """Answers like Trafiklab: a zip for the right key, 401 otherwise."""

    body = b""
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.seen.append(self.path)
        if not self.path.endswith("key=RIGHT"):
            self.send_error(401)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)



@pytest.fixture
def trafiklab() -> Iterator[str]:
    """A local Trafiklab serving ``_Trafiklab.body``; yields its base URL."""
    _Trafiklab.seen = []
    with local_server(_Trafiklab) as base:
        yield base


def test_fetch_gtfs_from_local_server(tmp_path: Path, data_dir: Path, trafiklab: str) -> None:
    _Trafiklab.body = (data_dir / FEEDS / "sj_regional_national_2023.zip").read_bytes()
    path = gtfs.fetch_gtfs("varm", "RIGHT", tmp_path, settings=FAST, base_url=trafiklab)
    assert path == tmp_path / "transport_osm/gtfs/varm.zip"
    assert len(gtfs.parse(path).stop_times) == _raw_stop_time_rows(path)
    with pytest.raises(FetchError) as err:
        gtfs.fetch_gtfs("varm", "WRONG", tmp_path / "other", settings=FAST, base_url=trafiklab)
    assert "WRONG" not in str(err.value) and "***" in str(err.value)
    # an answer that is not a zip (an HTML error page with 200) keeps the previous feed
    good = path.read_bytes()
    _Trafiklab.body = b"<html>kvoten \xc3\xa4r slut</html>"
    with pytest.raises(DataError, match="not a zip archive.*previous file is kept"):
        gtfs.fetch_gtfs("varm", "RIGHT", tmp_path, settings=FAST, base_url=trafiklab)
    assert path.read_bytes() == good


def test_the_api_key_never_reaches_the_log_and_a_refusal_is_not_retried(
        tmp_path: Path, caplog, trafiklab: str) -> None:
    with caplog.at_level("WARNING"), pytest.raises(FetchError):
        gtfs.fetch_gtfs("varm", "SECRET-KEY-1", tmp_path,
                        settings=DownloadSettings(timeout_s=2.0, attempts=3, backoff_s=0.0),
                        base_url=trafiklab)
    assert "SECRET-KEY-1" not in caplog.text and "key=***" in caplog.text
    assert caplog.text.count("failed") == 1  # HTTP 401: asking again will not help


def test_the_regional_source_fetches_itself_with_the_key_from_the_environment(
        tmp_path: Path, data_dir: Path, trafiklab: str, monkeypatch) -> None:
    _Trafiklab.body = (data_dir / FEEDS / "sj_regional_national_2023.zip").read_bytes()
    regional = SourceMeta(**{**gtfs.REGIONAL.__dict__, "fetcher": trafiklab_fetcher(
        gtfs.REGIONAL.name, gtfs.REGIONAL_OPERATOR, base_url=trafiklab)})
    monkeypatch.setenv(gtfs.KEY_ENV, "RIGHT")
    lines = fetch(regional, tmp_path, FAST, lanskod="17")
    assert lines == ["gtfs_varmlandstrafik: transport_osm/gtfs/varm.zip hämtad från Trafiklab"]
    assert _Trafiklab.seen == ["/gtfs/varm/varm.zip?key=RIGHT"]
    assert regional.available(tmp_path)  # written where the loader reads it
    assert len(gtfs.load_regional(tmp_path).stop_times) == _raw_stop_time_rows(
        data_dir / FEEDS / "sj_regional_national_2023.zip")
    # the key is the regional source's business only: the rail folder is still got by hand
    rail_lines = fetch(gtfs.RAIL, tmp_path / "rail", FAST, lanskod="17")
    assert all("cannot be downloaded automatically" in line for line in rail_lines)
    assert _Trafiklab.seen == ["/gtfs/varm/varm.zip?key=RIGHT"]


def test_without_a_key_the_regional_fetch_says_how_to_get_one(tmp_path: Path, monkeypatch,
                                                              capsys) -> None:
    monkeypatch.delenv(gtfs.KEY_ENV, raising=False)
    assert main(["fetch", "--data-dir", str(tmp_path), "--source", "gtfs_varmlandstrafik"]) == 0
    out = capsys.readouterr().out
    assert "cannot be downloaded automatically" in out and gtfs.KEY_ENV in out
    assert "https://www.trafiklab.se" in out
    assert not (tmp_path / "transport_osm").exists()
