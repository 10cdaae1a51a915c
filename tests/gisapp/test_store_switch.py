"""Switching ``builds/current``: a reader looking at any instant finds a complete build."""

from __future__ import annotations

import os
from pathlib import Path

from gisapp.build import run_build
from gisapp.config import DataDir
from gisapp.store import CURRENT, MANIFEST, FileStore

# every os call that can remove, create or move a directory entry such as the ``current`` link
ENTRY_CALLS = ("unlink", "remove", "rmdir", "symlink", "link", "rename", "replace")


def _serves_a_build(root: Path) -> bool:
    """What a reader opening ``current`` right now would find: a build with its manifest."""
    return (root / CURRENT / MANIFEST).is_file()


def test_current_is_never_missing_while_a_new_build_is_switched_in(tmp_path, monkeypatch):
    """Guards the atomic switch of ``current`` (bug: ``current`` unlinked, then symlinked
    anew — a request between the two calls finds no build).

    A reader looks at ``current`` after every call that changes a directory entry while the
    second build is written and switched in: at each of those instants it must resolve to a
    complete build, and at the end to the new one.
    """
    store = FileStore(tmp_path)
    first = run_build(DataDir(None, "none"), store)
    seen: list[tuple[str, bool]] = []

    def observed(name: str):
        real = getattr(os, name)

        def call(*args, **kwargs):
            result = real(*args, **kwargs)
            seen.append((name, _serves_a_build(tmp_path)))
            return result
        return call

    for name in ENTRY_CALLS:
        monkeypatch.setattr(os, name, observed(name))
    second = run_build(DataDir(None, "none"), store)
    monkeypatch.undo()
    assert ("replace", True) in seen or ("rename", True) in seen
    assert [name for name, serving in seen if not serving] == []
    assert second.id != first.id
    assert (tmp_path / CURRENT).resolve() == second.path
    assert store.current().id == second.id
