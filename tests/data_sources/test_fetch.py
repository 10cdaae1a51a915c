"""Downloads from a local HTTP server on 127.0.0.1 serving real files as publishers do."""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from functools import partial
from pathlib import Path

import pandas as pd
import pytest

from data_sources import befolkning, fetch, kommuner
from data_sources._http import DownloadSettings, download
from data_sources.base import FETCH_LOG, SourceFile, SourceMeta
from data_sources.errors import ChecksumError, FetchError
from gisapp import cli
from tests.local_http import QuietHandler, local_server

FAST = DownloadSettings(timeout_s=0.5, attempts=2, backoff_s=0.0)


class PublisherHandler(QuietHandler):
    """Serves ``files`` by path; ``/truncated/…`` lies about its length, ``/slow/…`` stalls."""

    files: dict[str, bytes] = {}
    requests_seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.requests_seen.append(self.path)
        mode, _, name = self.path.lstrip("/").partition("/")
        body = self.files.get(name)
        if body is None:
            self.send_error(404)
            return
        if mode == "slow":
            time.sleep(2.0)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if mode == "gzip":  # as web servers compress on the fly: length of the gzip body
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        payload = body[: len(body) // 2] if mode == "truncated" else body
        self.write_body(payload)



@pytest.fixture
def publisher(data_dir):
    """A local publisher serving the real population table; yields its base URL."""
    real = (data_dir / befolkning.META.files[0].path).read_bytes()
    PublisherHandler.files = {"befolkning.csv": real}
    PublisherHandler.requests_seen = []
    with local_server(PublisherHandler) as base:
        yield base, real


def test_good_download_is_written_and_checksummed(publisher, tmp_path):
    base, real = publisher
    target = tmp_path / "admin" / "befolkning.csv"
    digest = download(f"{base}/plain/befolkning.csv", target, settings=FAST)
    assert target.read_bytes() == real
    assert digest == hashlib.sha256(real).hexdigest()
    assert not list(target.parent.glob("*.part"))


def test_a_compressed_answer_is_not_mistaken_for_a_truncated_one(publisher, tmp_path):
    base, real = publisher
    target = tmp_path / "befolkning.csv"
    download(f"{base}/gzip/befolkning.csv", target, settings=FAST)
    assert target.read_bytes() == real


def test_truncated_download_fails_and_keeps_previous_file(publisher, tmp_path):
    base, _ = publisher
    target = tmp_path / "befolkning.csv"
    target.write_text("previous version\n")
    with pytest.raises(FetchError, match="truncated"):
        download(f"{base}/truncated/befolkning.csv", target, settings=FAST)
    assert target.read_text() == "previous version\n"
    assert not list(tmp_path.glob("*.part"))
    assert len(PublisherHandler.requests_seen) == FAST.attempts  # retried


def test_checksum_mismatch_fails_without_retry(publisher, tmp_path):
    base, _ = publisher
    target = tmp_path / "befolkning.csv"
    target.write_text("previous version\n")
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        download(f"{base}/plain/befolkning.csv", target, expected_sha256="0" * 64, settings=FAST)
    assert target.read_text() == "previous version\n"
    assert len(PublisherHandler.requests_seen) == 1


def test_timeout_fails_after_retries(publisher, tmp_path):
    base, _ = publisher
    target = tmp_path / "befolkning.csv"
    with pytest.raises(FetchError, match="Timeout"):
        download(f"{base}/slow/befolkning.csv", target, settings=FAST)
    assert not target.exists()
    assert len(PublisherHandler.requests_seen) == FAST.attempts


def test_http_error_is_a_fetch_error(publisher, tmp_path):
    base, _ = publisher
    with pytest.raises(FetchError, match="HTTP 404"):
        download(f"{base}/plain/nothing.csv", tmp_path / "x.csv", settings=FAST)


def test_fetch_source_records_sha256_and_loads(publisher, tmp_path):
    base, real = publisher
    meta = SourceMeta(
        **{**befolkning.META.__dict__, "fetcher": None,
           "files": (SourceFile(path=befolkning.META.files[0].path,
                                url=f"{base}/plain/befolkning.csv",
                                sha256=hashlib.sha256(real).hexdigest()),)})
    lines = fetch(meta, tmp_path, settings=FAST, lanskod="17")
    assert lines == [f"befolkning: {meta.files[0].path} sha256={meta.files[0].sha256}"]
    record = json.loads((tmp_path / FETCH_LOG).read_text())
    assert record[meta.files[0].path]["sha256"] == meta.files[0].sha256
    assert len(befolkning.load(Path(tmp_path))) == 16


def test_fetch_explains_sources_without_url(tmp_path):
    lines = fetch(kommuner.META, tmp_path, lanskod="17")
    assert "cannot be downloaded automatically" in lines[0]
    assert "Geotorget" in lines[0]
    assert not (tmp_path / kommuner.META.files[0].path).exists()


def kolada_answer(table: pd.DataFrame, year: int) -> bytes:
    """The real population figures, encoded as Kolada's v2 API answers them."""
    values = [
        {"kpi": "N01951", "municipality": code, "period": year,
         "values": [{"count": 1, "gender": "T", "status": "", "value": float(value)}]}
        for code, value in zip(table["kommunkod"], table[f"invanare_{year}_kolada_n01951"],
                               strict=True)
    ]
    return json.dumps({"count": len(values), "values": values}).encode()


def test_fetch_population_from_kolada_api(publisher, data_dir, tmp_path):
    base, _ = publisher
    real = pd.read_csv(data_dir / befolkning.META.files[0].path, dtype={"kommunkod": str})
    codes = ",".join(real["kommunkod"])
    path = f"data/kpi/N01951/municipality/{codes}/year/2025"
    PublisherHandler.files[path] = kolada_answer(real, 2025)
    lines = befolkning.fetch_kolada(tmp_path, FAST, lanskod="17", year=2025,
                                    base_url=f"{base}/plain")
    assert "16 kommuner, 2025" in lines[0]
    fetched = befolkning.load(tmp_path)
    pd.testing.assert_frame_equal(fetched, befolkning.load(data_dir))
    assert befolkning.META.files[0].path in json.loads((tmp_path / FETCH_LOG).read_text())


# What fetch_kolada asks for Värmland's 16 kommuner in 2025.
VARMLAND_2025 = ("data/kpi/N01951/municipality/1715,1730,1737,1760,1761,1762,1763,1764,1765,"
                 "1766,1780,1781,1782,1783,1784,1785/year/2025")


def test_kolada_answer_without_values_is_an_error(publisher, tmp_path):
    base, _ = publisher
    PublisherHandler.files[VARMLAND_2025] = b'{"values": []}'
    with pytest.raises(FetchError, match="no N01951 values for 2025"):
        befolkning.fetch_kolada(tmp_path, FAST, lanskod="17", year=2025,
                                base_url=f"{base}/plain")
    assert not (tmp_path / befolkning.META.files[0].path).exists()


@pytest.mark.parametrize(("answer", "message"), [
    (b'{"values": [', r"/year/2025: answer is not JSON: Expecting value"),  # cut off
    (b'[{"values": []}]', r"/year/2025: expected a JSON object, got list"),
])
def test_kolada_answer_that_is_no_json_object_is_named(publisher, tmp_path, answer, message):
    base, _ = publisher
    PublisherHandler.files[VARMLAND_2025] = answer
    with pytest.raises(FetchError, match=message):
        befolkning.fetch_kolada(tmp_path, FAST, lanskod="17", year=2025,
                                base_url=f"{base}/plain")
    assert not (tmp_path / befolkning.META.files[0].path).exists()


@pytest.fixture
def uppsala_kolada(publisher, data_dir):
    """A local Kolada that answers only for Uppsala län's kommuner, 2020.

    The kommuner come from SKR's table of all 290 (not the register the code uses), the
    figures are SKR's rounded 2020 population encoded as Kolada answers. Yields the
    population source pointed at it, the request path it answers, and the table.
    """
    base, _ = publisher
    skr = pd.read_csv(data_dir / "admin/kommungrupper_skr_2023.csv", dtype=str)
    uppsala = skr[skr["lanskod"] == "03"].copy()
    uppsala["invanare_2020_kolada_n01951"] = uppsala["invanare_2020_avrundat_skr"].astype(int)
    path = f"data/kpi/N01951/municipality/{','.join(sorted(uppsala['kommunkod']))}/year/2020"
    PublisherHandler.files[path] = kolada_answer(uppsala, 2020)
    meta = SourceMeta(**{**befolkning.META.__dict__, "fetcher": partial(
        befolkning.fetch_kolada, year=2020, base_url=f"{base}/plain")})
    return meta, f"/plain/{path}", uppsala


def test_fetching_for_another_lan_asks_kolada_for_that_lans_kommuner(uppsala_kolada, tmp_path):
    meta, request, uppsala = uppsala_kolada
    lines = fetch(meta, tmp_path, FAST, lanskod="03")
    assert PublisherHandler.requests_seen == [request]
    assert "8 kommuner, 2020" in lines[0]
    fetched = befolkning.load(tmp_path).set_index("kommunkod")["invanare"]
    assert fetched.to_dict() == dict(zip(uppsala["kommunkod"],
                                         uppsala["invanare_2020_kolada_n01951"], strict=True))


def test_the_cli_passes_its_lan_to_the_fetchers(uppsala_kolada, tmp_path, monkeypatch, capsys):
    meta, request, _ = uppsala_kolada
    monkeypatch.setitem(cli.SOURCES, "befolkning", meta)
    argv = ["fetch", "--data-dir", str(tmp_path), "--source", "befolkning"]
    assert cli.main([*argv, "--lan", "03"]) == 0
    assert "8 kommuner, 2020" in capsys.readouterr().out
    assert PublisherHandler.requests_seen == [request]
    # without --lan the CLI's default region (Värmland) is asked for, and a bad län is named
    assert cli.main(argv) == 1  # the local Kolada has no answer for Värmland 2020
    assert "1715,1730" in PublisherHandler.requests_seen[-1]
    assert cli.main([*argv, "--lan", "99"]) == 1
    assert "'99': not a länskod" in capsys.readouterr().err
