"""Downloading GTFS feeds from Trafiklab (GTFS Regional per operator, GTFS Sverige 2).

Trafiklab needs an API key. The key is read from :data:`KEY_ENV` when a source is fetched
(never stored, never logged: URLs in log lines and errors show ``key=***``); without a key
the fetch reports how to get one and downloads nothing.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from data_sources._http import DownloadSettings, download
from data_sources.base import SourceFile, manual_step
from data_sources.errors import DataError

TRAFIKLAB_BASE = "https://opendata.samtrafiken.se"
REGIONAL_URL = "{base}/gtfs/{operator}/{operator}.zip?key={key}"
SWEDEN_URL = "{base}/gtfs-sweden/sweden.zip?key={key}"
KEY_ENV = "STRUKTURBILD_TRAFIKLAB_KEY"
KEY_HELP = (
    "Trafiklab needs a free API key: register at https://www.trafiklab.se, create a project "
    "with the API 'GTFS Regional', then run `strukturbild fetch --source gtfs_varmlandstrafik` "
    f"with the key in ${KEY_ENV}."
)


def feed_path(operator: str) -> str:
    """Where the fetched feed of ``operator`` lies, relative to the data directory."""
    return f"transport_osm/gtfs/{operator}.zip"


def fetch_gtfs(operator: str, key: str, data_dir: Path, *,
               settings: DownloadSettings | None = None, base_url: str = TRAFIKLAB_BASE) -> Path:
    """Download Trafiklab's GTFS Regional feed of ``operator`` (e.g. ``varm``) with an API key.

    ``operator="sweden"`` downloads GTFS Sverige 2 instead. The zip is written atomically to
    ``data_dir/`` :func:`feed_path` and checked to be a zip archive; returns its path; an
    answer that is not a zip leaves the previous file in place. Log lines and error messages
    show the URL with the key replaced by ``***``. ``base_url`` is Trafiklab's open-data host
    (another host only for mirrors and tests).
    """
    url = (SWEDEN_URL.format(base=base_url, key=key) if operator == "sweden"
           else REGIONAL_URL.format(base=base_url, operator=operator, key=key))
    target = Path(data_dir) / feed_path(operator)

    def must_be_zip(path: Path) -> None:
        if not zipfile.is_zipfile(path):
            msg = (f"{target}: Trafiklab's answer is not a zip archive (wrong key or "
                   "operator?); the previous file is kept")
            raise DataError(msg)

    download(url, target, settings=settings, check=must_be_zip, secrets=(key,))
    return target


def trafiklab_fetcher(name: str, operator: str, *, base_url: str = TRAFIKLAB_BASE
                      ) -> Callable[..., list[str]]:
    """The ``fetcher`` of the source ``name``: ``operator``'s feed, with the key from the env.

    Parameters
    ----------
    name
        The source's name, for the report lines.
    operator
        Trafiklab's operator abbreviation (``varm`` for Värmlandstrafik).
    base_url
        Trafiklab's open-data host (another host only for mirrors and tests).

    Returns
    -------
    Callable
        ``fetcher(data_dir, settings, *, lanskod) -> report lines``. The operator's feed
        covers its own region, so ``lanskod`` does not change what is fetched.
    """

    def fetcher(data_dir: Path, settings: DownloadSettings | None = None, *,
                lanskod: str) -> list[str]:
        del lanskod  # an operator's feed is its region's; nothing to choose
        key = os.environ.get(KEY_ENV)
        if not key:
            return [manual_step(name, SourceFile(path=feed_path(operator), how_to_get=KEY_HELP))]
        path = fetch_gtfs(operator, key, data_dir, settings=settings, base_url=base_url)
        return [f"{name}: {path.relative_to(data_dir)} hämtad från Trafiklab"]

    return fetcher
