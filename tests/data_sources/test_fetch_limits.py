"""Download limits against a local HTTP server on 127.0.0.1: size, gzip bombs, trickles,
HTML answers in place of data, and the mode of saved files."""

from __future__ import annotations

import gzip
import time

import pytest

from data_sources._http import DownloadSettings, MiB, download
from data_sources.errors import FetchError
from data_sources.sniff import check_format
from tests.local_http import QuietHandler, local_server

ONE_TRY = DownloadSettings(timeout_s=2.0, attempts=3, backoff_s=0.0)
CSV = b"kommunkod,kommunnamn,invanare\n1780,Karlstad,95000\n"


class _Hostile(QuietHandler):
    """``/big`` 3 MiB, ``/bomb`` 64 MiB of gzip-encoded zeros, ``/trickle`` a byte per 0.3 s,
    ``/html`` an error page with 200, ``/csv`` a good CSV."""

    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.seen.append(self.path)
        name = self.path.strip("/").split("/")[0]
        headers = {}
        if name == "big":
            body = b"a,b\n" + b"1,2\n" * (3 * MiB // 4)
        elif name == "bomb":
            body = gzip.compress(b"a,b\n" + b"0" * (64 * MiB))
            headers["Content-Encoding"] = "gzip"
        elif name == "html":
            body = b"<!DOCTYPE html><html><body>Tillf\xc3\xa4lligt fel</body></html>"
        elif name == "trickle":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"a")
                    self.wfile.flush()
                    time.sleep(0.3)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        else:
            body = CSV
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.write_body(body)



@pytest.fixture
def hostile():
    _Hostile.seen = []
    with local_server(_Hostile) as base:
        yield base


@pytest.fixture
def previous(tmp_path):
    target = tmp_path / "admin" / "befolkning.csv"
    target.parent.mkdir()
    target.write_bytes(CSV)
    return target


def _refused(url, target, match, settings=ONE_TRY, **kwargs):
    with pytest.raises(FetchError, match=match):
        download(url, target, settings=settings, **kwargs)
    assert target.read_bytes() == CSV
    assert not [p for p in target.parent.iterdir() if p != target]  # no partial file left


def test_an_answer_over_the_size_cap_is_refused_once(hostile, previous):
    small = DownloadSettings(timeout_s=2.0, attempts=3, backoff_s=0.0, max_bytes=1 * MiB)
    _refused(f"{hostile}/big", previous, "larger than the limit of 1 MiB", settings=small)
    assert len(_Hostile.seen) == 1  # over a limit: not asked again
    download(f"{hostile}/big", previous, settings=small, max_bytes=4 * MiB)  # a source's own cap


def test_a_gzip_bomb_is_refused_by_its_ratio(hostile, previous):
    _refused(f"{hostile}/bomb", previous, "decompresses more than 100-fold")


def test_a_trickle_is_stopped_by_the_deadline(hostile, previous):
    settings = DownloadSettings(timeout_s=2.0, attempts=1, backoff_s=0.0, deadline_s=1.0)
    started = time.monotonic()
    _refused(f"{hostile}/trickle", previous, "deadline", settings=settings)
    assert time.monotonic() - started < 4.0


def test_an_html_page_never_replaces_a_data_file(hostile, previous):
    _refused(f"{hostile}/html", previous, "HTML page, not the data file befolkning.csv")


def test_good_downloads_are_readable_by_everyone(hostile, tmp_path):
    target = tmp_path / "admin" / "kommuner.csv"
    download(f"{hostile}/csv", target, settings=ONE_TRY)
    assert target.read_bytes() == CSV
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(("name", "content", "ok"), [
    ("a.gpkg", b"SQLite format 3\x00" + b"\x00" * 100, True),
    ("a.gpkg", b"PK\x03\x04 not sqlite", False),
    ("a.csv", b"\xef\xbb\xbfkommunkod;namn\n1780;Karlstad\n", True),
    ("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00", False),
    ("a.xlsx", b"not a zip at all", False),
    ("a.geojson", b' {"type": "FeatureCollection"}', True),
    ("a.pbf", b"\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\x10\x10" + b"\x00" * 20, True),
    ("a.pbf", b"<html>", False),
])
def test_each_format_is_sniffed(tmp_path, name, content, ok):
    path = tmp_path / name
    path.write_bytes(content)
    if ok:
        check_format(path, name, "http://127.0.0.1/x")
    else:
        with pytest.raises(FetchError):
            check_format(path, name, "http://127.0.0.1/x")
