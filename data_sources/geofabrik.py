"""The region's OpenStreetMap extract in one command: Geofabrik download, md5, clip with osmium.

``strukturbild fetch --source osm_vagnat`` (the fetcher of :data:`data_sources.roads.META`):

1. reads the extract's URL from ``$STRUKTURBILD_OSM_URL`` (a mirror, or a local server in
   tests; default Geofabrik's Sweden extract) and its checksum from the ``.md5`` file
   Geofabrik publishes beside it (``<hex>  sweden-latest.osm.pbf``);
2. downloads it to ``osm/download/<name>`` with progress on stderr; an interrupted
   download is kept as ``<name>.part`` and resumed with an HTTP ``Range`` request (by the
   retries of this run or by the next run); a server that ignores ``Range`` (answers 200)
   restarts it from zero;
3. checks the file's md5 against the published one (a mismatch deletes the partial file:
   it cannot be resumed into a good one) — a file already present with the published md5
   is not downloaded again;
4. cuts it to the region's boundary plus :data:`CLIP_BUFFER_KM` with **osmium-tool**
   (Debian package ``osmium-tool``: ``osmium extract -s smart -p boundary.geojson``), so
   roads and service points across the län border stay in the network, and writes
   ``osm/region.osm.pbf`` atomically.

Any failure leaves the previous ``osm/region.osm.pbf`` as it was.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import requests

from data_sources._http import CHUNK_BYTES, DownloadSettings
from data_sources.atomic import replacing
from data_sources.errors import ChecksumError, FetchError

log = logging.getLogger(__name__)

URL_ENV = "STRUKTURBILD_OSM_URL"
DEFAULT_URL = "https://download.geofabrik.de/europe/sweden-latest.osm.pbf"
DOWNLOAD_DIR = "osm/download"
# Beyond the region's boundary: service points up to 20 km outside are destinations
# (layers.settings.service_border_km), and the roads to them must be in the network.
CLIP_BUFFER_KM = 25.0
OSMIUM_HINT = "install osmium-tool (Debian/Ubuntu: apt-get install osmium-tool)"
STREAM_CHUNK_BYTES = 1 << 16
_MD5 = re.compile(r"^([0-9a-fA-F]{32})\b")

Progress = Callable[[int, int | None], None]


def extract_url() -> str:
    """The extract's URL: ``$STRUKTURBILD_OSM_URL`` or Geofabrik's Sweden extract."""
    return os.environ.get(URL_ENV) or DEFAULT_URL


def published_md5(url: str, settings: DownloadSettings) -> str:
    """Read the md5 Geofabrik publishes beside ``url`` (``<url>.md5``)."""
    md5_url = url + ".md5"
    try:
        response = requests.get(md5_url, timeout=settings.timeout_s)
    except requests.RequestException as exc:
        msg = f"{md5_url}: {type(exc).__name__}: {exc}"
        raise FetchError(msg) from exc
    if response.status_code != 200:
        msg = f"{md5_url}: HTTP {response.status_code} (the checksum file beside the extract)"
        raise FetchError(msg)
    match = _MD5.match(response.text.strip())
    if match is None:
        msg = f"{md5_url}: not an md5 checksum file (expected '<32 hex digits>  <name>')"
        raise FetchError(msg)
    return match.group(1).lower()


def md5_file(path: Path) -> str:
    """The hex md5 of a file, read in chunks."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _total_of(response: requests.Response, offset: int) -> int | None:
    """The full size of the file from a 200 or 206 answer (None when not said)."""
    content_range = response.headers.get("Content-Range", "")
    if "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("Content-Length")
    return None if length is None else offset + int(length)


def _continue(url: str, part: Path, settings: DownloadSettings, progress: Progress) -> None:
    """One attempt: fetch the rest of ``url`` into ``part`` (resuming with ``Range``).

    Raises :class:`FetchError` when the body ends early; what arrived is kept.
    """
    have = part.stat().st_size if part.is_file() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with requests.get(url, headers=headers, stream=True, timeout=settings.timeout_s) as resp:
            if resp.status_code == 416:  # nothing after ``have``: complete, or a stale part
                part.unlink()
                msg = f"{url}: the partial download does not fit the file; starting again"
                raise FetchError(msg)
            if resp.status_code not in (200, 206):
                msg = f"{url}: HTTP {resp.status_code}"
                raise FetchError(msg)
            offset = have if resp.status_code == 206 else 0
            if resp.status_code == 206 and not resp.headers.get(
                    "Content-Range", "").startswith(f"bytes {have}-"):
                msg = f"{url}: the server resumed at another byte than {have}"
                part.unlink()
                raise FetchError(msg)
            total = _total_of(resp, offset)
            received = offset
            broken = ""
            with part.open("ab" if offset else "wb") as handle:
                try:  # small chunks: what arrived before a break is on disk, to resume from
                    for chunk in resp.iter_content(STREAM_CHUNK_BYTES):
                        handle.write(chunk)
                        received += len(chunk)
                        progress(received, total)
                except requests.RequestException as exc:
                    broken = f", {type(exc).__name__}"
    except requests.RequestException as exc:
        msg = f"{url}: {type(exc).__name__}: {exc}"
        raise FetchError(msg) from exc
    if (total is not None and received < total) or broken:
        msg = (f"{url}: download truncated ({received} of {total} bytes{broken}); kept for "
               "resuming")
        raise FetchError(msg)


def download_resumable(url: str, target: Path, *, md5: str, settings: DownloadSettings,
                       progress: Progress) -> str:
    """Download ``url`` to ``target``, resuming a partial ``<target>.part``; check ``md5``.

    Returns the md5. Retries ``settings.attempts`` times, each attempt continuing where the
    last one stopped. A checksum mismatch deletes the partial file and raises
    :class:`ChecksumError` (not retried). ``target`` is only replaced by a checked file.
    """
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    last: FetchError | None = None
    for attempt in range(1, settings.attempts + 1):
        try:
            _continue(url, part, settings, progress)
            break
        except FetchError as exc:
            last = exc
            log.warning("attempt %d/%d failed: %s", attempt, settings.attempts, exc)
            if attempt < settings.attempts:
                time.sleep(settings.backoff_s * attempt)
    else:
        assert last is not None
        msg = f"{last} — run `strukturbild fetch --source osm_vagnat` again to resume"
        raise FetchError(msg) from None
    digest = md5_file(part)
    if digest != md5:
        part.unlink()
        msg = (f"{url}: checksum mismatch (md5 {digest}, published {md5}); the download "
               "was deleted")
        raise ChecksumError(msg)
    os.replace(part, target)
    return digest


def clip(source: Path, target: Path, boundary: gpd.GeoDataFrame, *, buffer_km: float) -> None:
    """Cut ``source`` to ``boundary`` (any CRS) plus ``buffer_km`` with ``osmium extract``.

    ``-s smart`` keeps every way crossing the polygon whole, so no road ends at the cut.
    Writes ``target`` atomically; raises :class:`FetchError` when osmium is missing or fails.
    """
    osmium = shutil.which("osmium")
    if osmium is None:
        msg = f"cannot clip {source.name} to the region: the `osmium` command is missing; " \
              f"{OSMIUM_HINT}"
        raise FetchError(msg)
    area = boundary.to_crs(3006).union_all().buffer(buffer_km * 1000.0)
    polygon = gpd.GeoSeries([area], crs=3006).to_crs(4326)
    with tempfile.TemporaryDirectory() as tmp, replacing(target) as out:
        poly = Path(tmp) / "boundary.geojson"
        polygon.to_file(poly, driver="GeoJSON")
        command = [osmium, "extract", "--no-progress", "-s", "smart", "-p", str(poly), "-f",
                   "pbf", "--overwrite", "-o", str(out), str(source)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            msg = f"osmium extract failed on {source}: {done.stderr.strip()[:500]}"
            raise FetchError(msg)


def stderr_progress(label: str) -> Progress:
    """A progress callback printing ``label``: received MB of total (and %) on stderr."""
    state = {"shown": -1.0}

    def show(received: int, total: int | None) -> None:
        mb = received / 1e6
        if mb - state["shown"] < 8 and (total is None or received < total):
            return  # one line per 8 MB
        state["shown"] = mb
        share = f" ({received / total:.0%})" if total else ""
        of = f" av {total / 1e6:.0f}" if total else ""
        print(f"\r  {label}: {mb:.0f}{of} MB{share}", end="", file=sys.stderr, flush=True)
        if total is not None and received >= total:
            print(file=sys.stderr)

    return show


def fetch_region(data_dir: Path, boundary: gpd.GeoDataFrame, target: Path, *,
                 settings: DownloadSettings, progress: Progress | None = None) -> list[str]:
    """Download the extract (:func:`extract_url`), check it, clip it into ``target``.

    Returns report lines (URL, md5, whether it was resumed or already present, the clip).
    """
    url = extract_url()
    md5 = published_md5(url, settings)
    name = url.rstrip("/").rsplit("/", 1)[-1] or "extract.osm.pbf"
    download = Path(data_dir) / DOWNLOAD_DIR / name
    lines = []
    if download.is_file() and md5_file(download) == md5:
        lines.append(f"{name}: redan hämtad, md5 {md5} stämmer")
    else:
        part = download.with_name(download.name + ".part")
        resumed = part.stat().st_size if part.is_file() else 0
        download_resumable(url, download, md5=md5, settings=settings,
                           progress=progress or stderr_progress(name))
        how = f", återupptagen från byte {resumed}" if resumed else ""
        lines.append(f"{name}: hämtad från {url}, md5 {md5} stämmer{how}")
    clip(download, target, boundary, buffer_km=CLIP_BUFFER_KM)
    lines.append(f"{target.relative_to(data_dir)}: klippt till regionen + {CLIP_BUFFER_KM:.0f} "
                 f"km med osmium ({target.stat().st_size / 1e6:.1f} MB)")
    return lines
