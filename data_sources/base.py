"""What every source module declares: its metadata, its files, and how to fetch them.

A source module defines ``META: SourceMeta`` and ``load(data_dir) -> frame``; ``fetch`` and
``provenance`` are shared here so that no module writes them again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from data_sources._http import DownloadSettings, download, sha256_file
from data_sources.atomic import write_bytes

log = logging.getLogger(__name__)

FETCH_LOG = "FETCHED.json"


@dataclass(frozen=True)
class SourceFile:
    """One file of a source, as it lies in the data directory.

    ``path`` is relative to the data directory. ``url`` is the publisher's direct download
    address, or ``None`` when the publisher needs a login or a manual export (then
    ``how_to_get`` says what to do). ``sha256`` pins a known version when set.
    ``max_bytes`` raises the download size cap for a file known to be larger than
    :attr:`data_sources._http.DownloadSettings.max_bytes`.
    """

    path: str
    url: str | None = None
    how_to_get: str = ""
    sha256: str | None = None
    max_bytes: int | None = None


@dataclass(frozen=True)
class SourceMeta:
    """Publisher metadata of one official source."""

    name: str
    title: str
    publisher: str
    licence: str
    reference_year: str
    native_crs: str | None
    landing_page: str
    files: tuple[SourceFile, ...]
    caveats: tuple[str, ...] = field(default_factory=tuple)
    # A source whose publisher serves another format (an API, a zip) converts on fetch:
    # ``fetcher(data_dir, settings, *, lanskod) -> report lines`` writes ``files`` in the
    # loader's schema, for the region ``lanskod`` (2-digit länskod) where that matters.
    fetcher: Callable[..., list[str]] | None = field(default=None, compare=False, repr=False)
    # A source whose files say their own year (a column name, a header) reads it here:
    # ``year_of(data_dir) -> year or None``; provenance then shows it, not ``reference_year``.
    year_of: Callable[[Path], str | None] | None = field(default=None, compare=False,
                                                         repr=False)
    # A source whose file name varies (it names the year, as SCB's grids do) finds its files
    # here: ``locate(data_dir) -> the files to read`` (empty when none); ``files`` then
    # documents the expected layout for the "saknar data" message.
    locate: Callable[[Path], tuple[SourceFile, ...]] | None = field(default=None, compare=False,
                                                                   repr=False)

    def present_files(self, data_dir: Path) -> tuple[SourceFile, ...]:
        """Return the files this source reads in ``data_dir`` (``files``, or located ones)."""
        return self.files if self.locate is None else self.locate(Path(data_dir))

    def file(self, data_dir: Path, index: int = 0) -> Path:
        """Return the absolute path of the ``index``-th file in ``data_dir``."""
        return Path(data_dir) / self.present_files(data_dir)[index].path

    def available(self, data_dir: Path | None) -> bool:
        """Return whether every file of this source is present in ``data_dir``."""
        if data_dir is None:
            return False
        files = self.present_files(data_dir)
        return bool(files) and all((Path(data_dir) / f.path).is_file() for f in files)


def provenance(meta: SourceMeta, data_dir: Path) -> dict:
    """Return the provenance record of a source: metadata plus sha256 of each present file."""
    record = asdict(meta)
    record.pop("fetcher")
    record.pop("year_of")
    record.pop("locate")
    present = meta.available(data_dir)
    if meta.year_of is not None and present:
        record["reference_year"] = meta.year_of(Path(data_dir)) or meta.reference_year
    record["files"] = []
    for source_file in meta.present_files(data_dir) if present else meta.files:
        path = Path(data_dir) / source_file.path
        record["files"].append(
            {
                "path": source_file.path,
                "url": source_file.url,
                "sha256": sha256_file(path) if path.is_file() else None,
                "bytes": path.stat().st_size if path.is_file() else None,
            }
        )
    return record


def fetch(meta: SourceMeta, data_dir: Path, settings: DownloadSettings | None = None, *,
          lanskod: str) -> list[str]:
    """Download every file of ``meta`` that has a URL into ``data_dir``.

    ``lanskod`` is the region (2-digit länskod) to fetch for; it is passed on to the
    source's ``fetcher`` (e.g. Kolada is asked for that län's kommuner) and does not change
    fixed-URL files. Returns human-readable lines: one per file downloaded (with its sha256)
    or skipped (with how to get it by hand). Each download is recorded in
    ``data_dir/FETCHED.json``.

    Raises :class:`~data_sources.errors.FetchError` on the first failed download; files
    already present stay as they were.
    """
    data_dir = Path(data_dir)
    if meta.fetcher is not None:
        return meta.fetcher(data_dir, settings, lanskod=lanskod)
    lines = []
    for source_file in meta.files:
        if source_file.url is None:
            lines.append(manual_step(meta.name, source_file))
            continue
        target = data_dir / source_file.path
        digest = download(source_file.url, target, expected_sha256=source_file.sha256,
                          settings=settings, max_bytes=source_file.max_bytes)
        record_fetch(data_dir, source_file, digest)
        lines.append(f"{meta.name}: {source_file.path} sha256={digest}")
    return lines


def manual_step(name: str, source_file: SourceFile) -> str:
    """The report line for a file of source ``name`` that must be got by hand, and how."""
    return (f"{name}: {source_file.path} cannot be downloaded automatically: "
            f"{source_file.how_to_get}")


def record_fetch(data_dir: Path, source_file: SourceFile, digest: str) -> None:
    """Add one download to the data directory's fetch log (written atomically)."""
    log_path = data_dir / FETCH_LOG
    entries = json.loads(log_path.read_text("utf-8")) if log_path.is_file() else {}
    entries[source_file.path] = {
        "url": source_file.url,
        "sha256": digest,
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write_bytes(log_path, json.dumps(entries, indent=2, ensure_ascii=False).encode("utf-8"))
