"""GTFS reader: real feeds as a folder and as zips (2023 and 2025), quirks, streaming."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from data_sources import gtfs
from data_sources.errors import DataError
from data_sources.gtfs import reader

FEEDS = Path("transport_osm/gtfs")


def test_rail_folder_loads_with_every_row_typed(data_dir: Path, raw) -> None:
    feed = gtfs.load_rail(data_dir)
    raw_st = raw(data_dir / gtfs.RAIL_DIR, "stop_times")
    assert len(feed.stop_times) == len(raw_st) == 1690
    for table in ("stops", "trips", "routes"):  # one row per raw row, none dropped or doubled
        assert len(getattr(feed, table)) == len(raw(data_dir / gtfs.RAIL_DIR, table)), table
    assert feed.stops.crs.to_epsg() == 3006
    assert feed.stop_times["departure_s"].dtype == "int32"
    assert isinstance(feed.stop_times["stop_id"].dtype, pd.CategoricalDtype)
    # ids keep their exact text (no float rounding of 16-digit ids)
    assert set(feed.stops["stop_id"]) == set(raw(data_dir / gtfs.RAIL_DIR, "stops")["stop_id"])
    first = raw_st.iloc[0]
    row = feed.stop_times[(feed.stop_times["trip_id"] == first["trip_id"])
                          & (feed.stop_times["stop_sequence"] == int(first["stop_sequence"]))]
    hours, minutes, seconds = (int(v) for v in first["departure_time"].split(":"))
    assert int(row["departure_s"].iloc[0]) == hours * 3600 + minutes * 60 + seconds
    raw_shapes = raw(data_dir / gtfs.RAIL_DIR, "shapes")
    assert feed.shapes is not None and len(feed.shapes) == len(raw_shapes)
    assert set(feed.shapes["shape_id"]) == set(raw_shapes["shape_id"])


def test_national_zip_2023_loads(data_dir: Path) -> None:
    path = data_dir / FEEDS / "sj_regional_national_2023.zip"
    feed = gtfs.parse(path)
    with zipfile.ZipFile(path) as archive:
        raw_routes = pd.read_csv(archive.open("routes.txt"), dtype=str, keep_default_na=False)
        raw_st = pd.read_csv(archive.open("stop_times.txt"), dtype=str, keep_default_na=False)
    assert len(feed.stop_times) == len(raw_st)
    assert len(feed.routes) == len(raw_routes)
    raw_bus = int((raw_routes["route_type"] == "700").sum())
    assert raw_bus > 0 and (feed.routes["route_type"] == 700).sum() == raw_bus


def test_2025_zip_quirks_stray_index_and_decimal_ids(data_dir: Path) -> None:
    path = data_dir / FEEDS / "sverige2_rail_subset_national_2025.zip"
    with zipfile.ZipFile(path) as archive:
        header = archive.open("trips.txt").readline().decode()
        raw_trips = pd.read_csv(archive.open("trips.txt"), dtype=str)
    assert header.startswith(",")  # the stray pandas index column of the published copy
    feed = gtfs.parse(path)
    assert "Unnamed: 0" not in feed.trips.columns
    assert len(feed.trips) == len(raw_trips) == 1093
    assert len(feed.calendar) == 0 and len(feed.calendar_dates) > 0  # calendar_dates only
    # service ids with leading zeros stay text
    assert set(feed.trips["service_id"]) == set(raw_trips["service_id"])


def test_decimal_suffix_is_stripped_from_ids() -> None:
    cleaned = reader.strip_decimal_ids(pd.Series(["539.0", "740000001", " 12.00 ", "1.5", ""]))
    assert cleaned.tolist()[:4] == ["539", "740000001", "12", "1.5"]
    assert pd.isna(cleaned.iloc[4])


def test_stop_times_streamed_in_small_blocks_give_the_same_feed(data_dir: Path, rail_copy: Path,
                                                               monkeypatch, raw) -> None:
    whole = gtfs.load_rail(data_dir).stop_times
    monkeypatch.setattr(reader, "BLOCK_BYTES", 4096)  # ~50 rows per block
    blocked = gtfs.load_rail(data_dir).stop_times
    pd.testing.assert_frame_equal(whole.astype({"trip_id": str, "stop_id": str}),
                                  blocked.astype({"trip_id": str, "stop_id": str}))
    st = raw(rail_copy, "stop_times")
    st.loc[1500, "arrival_time"] = "xx"
    st.to_csv(rail_copy / "stop_times.txt", index=False)
    with pytest.raises(DataError, match=r"arrival_time.*'xx'.*row\(s\) 1502"):
        gtfs.parse(rail_copy)


def test_header_only_optional_tables_are_empty_not_errors(rail_copy: Path, raw) -> None:
    (rail_copy / "frequencies.txt").write_text(
        "trip_id,start_time,end_time,headway_secs\n", encoding="utf-8")
    (rail_copy / "calendar_dates.txt").write_text(
        "service_id,date,exception_type\n", encoding="utf-8")
    feed = gtfs.parse(rail_copy)
    assert feed.frequencies.empty and feed.calendar_dates.empty
    assert len(feed.stop_times) == len(raw(rail_copy, "stop_times"))
