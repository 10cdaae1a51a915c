"""Downloading publishers' files: timeout, retries, atomic write, checksum.

A download is streamed to a temporary file next to the target and only renamed over the
target once it is complete (length matches ``Content-Length``) and its sha256 matches the
expected one (when pinned). Any failure leaves the previous file untouched.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from data_sources.atomic import replacing
from data_sources.errors import ChecksumError, FetchError

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class DownloadSettings:
    """How hard to try: seconds per connect/read, attempts, and pause between attempts."""

    timeout_s: float = 30.0
    attempts: int = 3
    backoff_s: float = 1.0


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stream_to(response: requests.Response, handle, url: str) -> str:
    """Write a response body to ``handle``; return its sha256; raise if it is truncated."""
    digest = hashlib.sha256()
    received = 0
    for chunk in response.iter_content(CHUNK_BYTES):
        handle.write(chunk)
        digest.update(chunk)
        received += len(chunk)
    expected = response.headers.get("Content-Length")
    # with Content-Encoding (gzip) the length is of the compressed body, not what we count
    encoded = response.headers.get("Content-Encoding", "identity") != "identity"
    if expected is not None and not encoded and int(expected) != received:
        msg = f"{url}: download truncated ({received} of {expected} bytes)"
        raise FetchError(msg)
    return digest.hexdigest()


class _ClientError(FetchError):
    """An HTTP 4xx answer (other than timeout or rate limit): asking again will not help."""


def _download_once(url: str, target: Path, expected_sha256: str | None, timeout_s: float,
                   check: Callable[[Path], None] | None) -> str:
    """One attempt: download ``url`` into a temp file, verify, rename over ``target``."""
    try:
        with replacing(target) as tmp, requests.get(url, stream=True,
                                                   timeout=timeout_s) as response:
            if response.status_code != 200:
                msg = f"{url}: HTTP {response.status_code}"
                final = 400 <= response.status_code < 500 and response.status_code not in (
                    408, 429)
                raise (_ClientError if final else FetchError)(msg)
            with tmp.open("wb") as handle:
                digest = _stream_to(response, handle, url)
            if expected_sha256 is not None and digest != expected_sha256:
                msg = f"{url}: checksum mismatch (sha256 {digest}, expected {expected_sha256})"
                raise ChecksumError(msg)
            if check is not None:
                check(tmp)  # raises when the file is not what was asked for; target unchanged
        return digest
    except requests.RequestException as exc:
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
) -> str:
    """Download ``url`` to ``target`` atomically and return the file's sha256.

    Retries network errors, timeouts, 5xx answers and truncated bodies ``settings.attempts``
    times; a 4xx answer or a checksum mismatch is not retried (asking again will not help; a
    human must look). ``check(path)`` may inspect the downloaded file before it replaces
    ``target`` and raise to reject it. Every ``secrets`` string (an API key in the URL) is
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
            return _download_once(url, target, expected_sha256, settings.timeout_s, check)
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
