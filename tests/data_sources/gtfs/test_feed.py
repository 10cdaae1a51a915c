"""The GTFS sources this project reads are registered, and the bus feed is absent here."""

from __future__ import annotations

from pathlib import Path

from data_sources import SOURCES


def test_sources_registered_and_bus_feed_absent(data_dir: Path) -> None:
    assert SOURCES["gtfs_rail"].available(data_dir)
    assert not SOURCES["gtfs_varmlandstrafik"].available(data_dir)
    assert "API" in SOURCES["gtfs_varmlandstrafik"].files[0].how_to_get
