"""Atomic file writes: a reader sees the old file or the complete new one, never half a file.

The one implementation of "write beside, then rename" in the project: downloads, fetch logs,
exports and generated files all use :func:`replacing`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FILE_MODE = 0o644  # data and export files are readable by the serving user and others


@contextmanager
def replacing(target: Path, mode: int = FILE_MODE) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    The caller writes the temporary file inside the ``with`` block. On success it gets
    ``mode`` and replaces ``target`` in one ``os.replace``; on any exception it is removed and
    ``target`` stays as it was. The parent directory is created when missing.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # the temporary name keeps the target's suffix: some writers choose a format by it
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".part{target.suffix}",
                                dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(mode)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> str:
    """Write ``data`` to ``target`` atomically; return its sha256 (hex)."""
    with replacing(target) as tmp:
        tmp.write_bytes(data)
    return hashlib.sha256(data).hexdigest()
