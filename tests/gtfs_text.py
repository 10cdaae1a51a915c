"""Small hand-written GTFS feeds for fast rule tests: tables as CSV text, read by the parser.

A test writes the tables it needs (``stops``, ``routes``, ``trips``, ``stop_times`` and a
calendar at least) as the comma-separated text of the GTFS files; :func:`write_feed` puts
them in a folder and :func:`data_sources.gtfs.parse` reads, types and checks them as it does
a real feed, so the frames are exactly those a pipeline gets.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from data_sources import gtfs


def write_feed(folder: Path, tables: dict[str, str]) -> gtfs.Feed:
    """Write each ``table`` (name without ``.txt``, CSV text) into ``folder`` and parse it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.txt").write_text(dedent(text).strip() + "\n", encoding="utf-8")
    return gtfs.parse(folder)
