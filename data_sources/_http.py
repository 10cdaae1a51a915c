"""Downloading publishers' files: limits, retries, atomic write, checksum, format check.

A download is streamed to a temporary file next to the target and only renamed over the
target (mode 0644) once it is complete (length matches ``Content-Length``), its sha256
matches the expected one (when pinned) and it looks like its format
(:func:`data_sources.sniff.check_format`: no HTML page replaces a data file). Limits stop a
hostile or broken answer early: a size cap (``max_bytes``, per source), a cap on the ratio
of decompressed to transferred bytes (a gzip bomb), and an overall deadline per attempt (a
trickle of one byte every few seconds never ends otherwise). Any failure leaves the previous
file untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
import urllib3

from data_sources.atomic import replacing
from data_sources.errors import ChecksumError, FetchError
from data_sources.sniff import check_format

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
MiB = 1 << 20
RATIO_FREE_BYTES = 16 * MiB  # below this much decompressed data the ratio is not checked


@dataclass(frozen=True)
class DownloadSettings:
    """How hard to try and how much to accept.

    ``timeout_s`` per connect/read, ``attempts`` and ``backoff_s`` between them;
    ``max_bytes`` the largest file accepted (a source may ask for more, see
    :class:`data_sources.base.SourceFile`); ``max_ratio`` the largest ratio of decompressed
    to transferred bytes; ``deadline_s`` the longest one attempt may take in all.
    """

    timeout_s: float = 30.0
    attempts: int = 3
    backoff_s: float = 1.0
    max_bytes: int = 512 * MiB
    max_ratio: float = 100.0
    deadline_s: float = 900.0


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Limits:
    """The limits of one attempt: bytes, decompression ratio, and when it must end."""

    max_bytes: int
    max_ratio: float
    deadline: float  # time.monotonic() value


def _stream_to(response: requests.Response, handle, url: str, limits: _Limits) -> str:
    """Write a response body to ``handle``; return its sha256.

    Raises when the body is truncated or breaks a limit. Reads return as soon as data
    arrives (``read1``), so the deadline is checked however slowly the server sends.
    """
    digest = hashlib.sha256()
    received = 0
    raw = response.raw
    while chunk := raw.read1(CHUNK_BYTES, decode_content=True):
        handle.write(chunk)
        digest.update(chunk)
        received += len(chunk)
        _check_limits(url, received, raw.tell(), limits)
    expected = response.headers.get("Content-Length")
    # with Content-Encoding (gzip) the length is of the compressed body, not what we count
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    if expected is not None and not encoded and int(expected) != received:
        msg = f"{url}: download truncated ({received} of {expected} bytes)"
        raise FetchError(msg)
    return digest.hexdigest()


def _check_limits(url: str, received: int, transferred: int, limits: _Limits) -> None:
    """Raise :class:`_LimitError` when a download breaks one of ``limits``."""
    if received > limits.max_bytes:
        msg = f"{url}: answer larger than the limit of {limits.max_bytes // MiB} MiB"
        raise _LimitError(msg)
    if received > RATIO_FREE_BYTES and received > limits.max_ratio * max(transferred, 1):
        msg = (f"{url}: answer decompresses more than {limits.max_ratio:g}-fold "
               f"({transferred} bytes became {received}); refused")
        raise _LimitError(msg)
    if time.monotonic() > limits.deadline:
        msg = f"{url}: download did not finish within its deadline"
        raise _LimitError(msg)


class _ClientError(FetchError):
    """An HTTP 4xx answer (other than timeout or rate limit): asking again will not help."""


class _LimitError(_ClientError):
    """An answer over a size, ratio or time limit: asking again would only repeat it."""


def _download_once(url: str, target: Path, expected_sha256: str | None,
                   settings: DownloadSettings, max_bytes: int,
                   check: Callable[[Path], None] | None) -> str:
    """One attempt: download ``url`` into a temp file, verify, rename over ``target``."""
    limits = _Limits(max_bytes, settings.max_ratio, time.monotonic() + settings.deadline_s)
    timeout_s = settings.timeout_s
    try:
        with replacing(target) as tmp, requests.get(url, stream=True,
                                                   timeout=timeout_s) as response:
            if response.status_code != 200:
                msg = f"{url}: HTTP {response.status_code}"
                final = 400 <= response.status_code < 500 and response.status_code not in (
                    408, 429)
                raise (_ClientError if final else FetchError)(msg)
            with tmp.open("wb") as handle:
                digest = _stream_to(response, handle, url, limits)
            if expected_sha256 is not None and digest != expected_sha256:
                msg = f"{url}: checksum mismatch (sha256 {digest}, expected {expected_sha256})"
                raise ChecksumError(msg)
            if check is not None:
                check(tmp)  # raises when the file is not what was asked for; target unchanged
            check_format(tmp, target.name, url)
        return digest
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        msg = f"{url}: {type(exc).__name__}: {exc}"
        raise FetchError(msg) from exc


def download(
    url: str,
    target: Path,
    *,
    expected_sha256: str | None = None,
    settings: DownloadSettings | None = None,
    check: Callable[[Path], None] | None = None,
    secrets: tuple[str, ...] = (),
    max_bytes: int | None = None,
) -> str:
    """Download ``url`` to ``target`` atomically and return the file's sha256.

    Retries network errors, timeouts, 5xx answers and truncated bodies ``settings.attempts``
    times; a 4xx answer or a checksum mismatch is not retried (asking again will not help; a
    human must look). ``check(path)`` may inspect the downloaded file before it replaces
    ``target`` and raise to reject it (before the format check every download gets).
    ``max_bytes`` replaces ``settings.max_bytes`` for a source known to be larger; an answer
    over a limit is not retried. Every ``secrets`` string (an API key in the URL) is
    shown as ``***`` in log lines and errors. Raises :class:`FetchError` when every attempt
    failed; ``target`` is then unchanged.
    """
    settings = settings or DownloadSettings()

    def redacted(exc: FetchError) -> FetchError:
        text = str(exc)
        for secret in secrets:
            text = text.replace(secret, "***")
        return type(exc)(text)

    last: FetchError | None = None
    for attempt in range(1, settings.attempts + 1):
        try:
            return _download_once(url, target, expected_sha256, settings,
                                  max_bytes or settings.max_bytes, check)
        except ChecksumError as exc:
            raise redacted(exc) from None
        except FetchError as exc:
            last = redacted(exc)
            log.warning("attempt %d/%d failed: %s", attempt, settings.attempts, last)
            if isinstance(exc, _ClientError):
                break
            if attempt < settings.attempts:
                time.sleep(settings.backoff_s * attempt)
    assert last is not None
    raise last from None


def download_json(url: str, settings: DownloadSettings | None = None) -> dict:
    """Download ``url`` (an API answer, not a data file) and return its JSON object.

    Raises :class:`FetchError` when the download fails, the answer is not UTF-8 JSON, or
    it is JSON but not an object.
    """
    with tempfile.TemporaryDirectory() as tmp:
        answer = Path(tmp) / "answer.json"
        download(url, answer, settings=settings)
        try:
            payload = json.loads(answer.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            msg = f"{url}: answer is not JSON: {exc}"
            raise FetchError(msg) from exc
    if not isinstance(payload, dict):
        msg = f"{url}: expected a JSON object, got {type(payload).__name__}"
        raise FetchError(msg)
    return payload
