"""GTFS loader: real feeds (folder and zip, 2023 and 2025), quirks, broken references, fetch."""

from __future__ import annotations

import shutil
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from data_sources import SOURCES, gtfs
from data_sources._http import DownloadSettings
from data_sources.errors import DataError, FetchError, MissingDataError
from gisapp.cli import main

FEEDS = Path("transport_osm/gtfs")
# A marked GTFS fixture, zipped as Trafiklab publishes feeds (see gtfs_buss_fixture.md).
FIXTURE = Path(__file__).parents[1] / "fixtures" / "gtfs_buss_fixture.zip"


def _raw(folder: Path, table: str) -> pd.DataFrame:
    """A raw GTFS table read with plain pandas, every column as text."""
    return pd.read_csv(folder / f"{table}.txt", dtype=str, keep_default_na=False)


@pytest.fixture
def rail_copy(tmp_path: Path, data_dir: Path) -> Path:
    """A writable copy of the real Värmland rail feed folder."""
    target = tmp_path / "feed"
    shutil.copytree(data_dir / gtfs.RAIL_DIR, target)
    return target


def test_rail_folder_loads_with_every_row_typed(data_dir: Path) -> None:
    feed = gtfs.load_rail(data_dir)
    raw_st = _raw(data_dir / gtfs.RAIL_DIR, "stop_times")
    assert len(feed.stop_times) == len(raw_st) == 1690
    assert len(feed.stops) == 72 and len(feed.trips) == 232
    assert feed.stops.crs.to_epsg() == 3006
    assert feed.stop_times["departure_s"].dtype == "int32"
    assert isinstance(feed.stop_times["stop_id"].dtype, pd.CategoricalDtype)
    # ids keep their exact text (no float rounding of 16-digit ids)
    assert set(feed.stops["stop_id"]) == set(_raw(data_dir / gtfs.RAIL_DIR, "stops")["stop_id"])
    first = raw_st.iloc[0]
    row = feed.stop_times[(feed.stop_times["trip_id"] == first["trip_id"])
                          & (feed.stop_times["stop_sequence"] == int(first["stop_sequence"]))]
    hours, minutes, seconds = (int(v) for v in first["departure_time"].split(":"))
    assert int(row["departure_s"].iloc[0]) == hours * 3600 + minutes * 60 + seconds
    assert feed.shapes is not None and len(feed.shapes) == 1031


def test_platforms_point_to_their_station(data_dir: Path) -> None:
    stops = gtfs.load_rail(data_dir).stops.set_index("stop_id")
    karlstad = stops[stops["stop_name"] == "Karlstad Centralstation"]
    assert (karlstad["location_type"] == 1).sum() == 1
    station_id = karlstad.index[karlstad["location_type"] == 1][0]
    platforms = stops[stops["parent_station"] == station_id]
    assert len(platforms) >= 1
    assert (platforms["station_id"] == station_id).all()


def test_national_zip_2023_loads(data_dir: Path) -> None:
    feed = gtfs.parse(data_dir / FEEDS / "sj_regional_national_2023.zip")
    assert len(feed.stop_times) == 20370
    assert len(feed.routes) == 797
    assert (feed.routes["route_type"] == 700).sum() > 0


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
    cleaned = gtfs._strip_decimal_ids(pd.Series(["539.0", "740000001", " 12.00 ", "1.5", ""]))
    assert cleaned.tolist()[:4] == ["539", "740000001", "12", "1.5"]
    assert pd.isna(cleaned.iloc[4])


def test_missing_stop_referenced_by_stop_times_is_named(rail_copy: Path) -> None:
    stops = _raw(rail_copy, "stops")
    used = _raw(rail_copy, "stop_times")["stop_id"]
    victim = used.iloc[0]
    stops[stops["stop_id"] != victim].to_csv(rail_copy / "stops.txt", index=False)
    with pytest.raises(gtfs.GtfsReferenceError) as err:
        gtfs.parse(rail_copy)
    message = str(err.value)
    assert "stop_times.txt" in message and victim in message and "stops.txt" in message


def test_trip_without_service_is_named(rail_copy: Path) -> None:
    trips = _raw(rail_copy, "trips")
    trips.loc[3, "service_id"] = "999999"
    trips.to_csv(rail_copy / "trips.txt", index=False)
    with pytest.raises(gtfs.GtfsReferenceError) as err:
        gtfs.parse(rail_copy)
    message = str(err.value)
    assert "trips.txt" in message and "'999999'" in message and "row(s) 5" in message
    assert "calendar.txt or calendar_dates.txt" in message


def test_missing_parent_station_is_named(rail_copy: Path) -> None:
    stops = _raw(rail_copy, "stops")
    platform = stops[stops["parent_station"] != ""].iloc[0]
    stops.loc[stops["stop_id"] == platform["stop_id"], "parent_station"] = "123"
    stops.to_csv(rail_copy / "stops.txt", index=False)
    with pytest.raises(gtfs.GtfsReferenceError, match=r"parent_station '123'"):
        gtfs.parse(rail_copy)


def test_bad_time_names_row(rail_copy: Path) -> None:
    st = _raw(rail_copy, "stop_times")
    st.loc[10, "departure_time"] = "7.15"
    st.to_csv(rail_copy / "stop_times.txt", index=False)
    with pytest.raises(DataError, match=r"departure_time.*'7\.15'.*row\(s\) 12"):
        gtfs.parse(rail_copy)


def test_feed_without_calendar_is_missing_data(rail_copy: Path) -> None:
    (rail_copy / "calendar.txt").unlink()
    (rail_copy / "calendar_dates.txt").unlink()
    with pytest.raises(MissingDataError, match="calendar or calendar_dates"):
        gtfs.parse(rail_copy)


def test_fixture_frequencies_and_after_midnight_times() -> None:
    feed = gtfs.parse(FIXTURE)
    assert set(feed.frequencies["trip_id"]) == {"F1-0", "F1-1"}
    night = feed.stop_times[feed.stop_times["trip_id"] == "N3-1"]
    assert night["departure_s"].tolist() == [25 * 3600 + 10 * 60, 25 * 3600 + 30 * 60]


def test_sources_registered_and_bus_feed_absent(data_dir: Path) -> None:
    assert SOURCES["gtfs_rail"].available(data_dir)
    assert not SOURCES["gtfs_varmlandstrafik"].available(data_dir)
    assert "API" in SOURCES["gtfs_varmlandstrafik"].files[0].how_to_get


class _Trafiklab(BaseHTTPRequestHandler):
    """Answers like Trafiklab: a zip for the right key, 401 otherwise."""

    body = b""

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        if not self.path.endswith("key=RIGHT"):
            self.send_error(401)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        """Keep test output quiet."""


def test_fetch_gtfs_from_local_server(tmp_path: Path, data_dir: Path) -> None:
    _Trafiklab.body = (data_dir / FEEDS / "sj_regional_national_2023.zip").read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trafiklab)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    fast = DownloadSettings(timeout_s=2.0, attempts=1, backoff_s=0.0)
    try:
        path = gtfs.fetch_gtfs("varm", "RIGHT", tmp_path, settings=fast, base_url=base)
        assert path == tmp_path / "transport_osm/gtfs/varm.zip"
        assert len(gtfs.parse(path).stop_times) == 20370
        with pytest.raises(FetchError) as err:
            gtfs.fetch_gtfs("varm", "WRONG", tmp_path / "other", settings=fast, base_url=base)
        assert "WRONG" not in str(err.value) and "***" in str(err.value)
        # an answer that is not a zip (an HTML error page with 200) keeps the previous feed
        good = path.read_bytes()
        _Trafiklab.body = b"<html>kvoten \xc3\xa4r slut</html>"
        with pytest.raises(DataError, match="not a zip archive.*previous file is kept"):
            gtfs.fetch_gtfs("varm", "RIGHT", tmp_path, settings=fast, base_url=base)
        assert path.read_bytes() == good
    finally:
        server.shutdown()
        server.server_close()


def test_the_api_key_never_reaches_the_log_and_a_refusal_is_not_retried(
        tmp_path: Path, caplog) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trafiklab)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        with caplog.at_level("WARNING"), pytest.raises(FetchError):
            gtfs.fetch_gtfs("varm", "SECRET-KEY-1", tmp_path,
                            settings=DownloadSettings(timeout_s=2.0, attempts=3, backoff_s=0.0),
                            base_url=base)
    finally:
        server.shutdown()
        server.server_close()
    assert "SECRET-KEY-1" not in caplog.text and "key=***" in caplog.text
    assert caplog.text.count("failed") == 1  # HTTP 401: asking again will not help


def test_keyed_fetch_only_for_the_regional_feed_with_a_key(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    assert gtfs.fetch_keyed("gtfs_varmlandstrafik", tmp_path, None) is None
    assert gtfs.fetch_keyed("gtfs_rail", tmp_path, "KEY") is None
    monkeypatch.delenv(gtfs.KEY_ENV, raising=False)
    assert main(["fetch", "--data-dir", str(tmp_path), "--source", "gtfs_varmlandstrafik"]) == 0
    out = capsys.readouterr().out
    assert "cannot be downloaded automatically" in out and gtfs.KEY_ENV in out
    assert not (tmp_path / "transport_osm").exists()


def test_stop_times_streamed_in_small_blocks_give_the_same_feed(data_dir: Path, rail_copy: Path,
                                                               monkeypatch) -> None:
    whole = gtfs.load_rail(data_dir).stop_times
    monkeypatch.setattr(gtfs, "BLOCK_BYTES", 4096)  # ~50 rows per block
    blocked = gtfs.load_rail(data_dir).stop_times
    pd.testing.assert_frame_equal(whole.astype({"trip_id": str, "stop_id": str}),
                                  blocked.astype({"trip_id": str, "stop_id": str}))
    st = _raw(rail_copy, "stop_times")
    st.loc[1500, "arrival_time"] = "xx"
    st.to_csv(rail_copy / "stop_times.txt", index=False)
    with pytest.raises(DataError, match=r"arrival_time.*'xx'.*row\(s\) 1502"):
        gtfs.parse(rail_copy)


def test_repeated_stop_sequence_is_named_not_counted_twice(rail_copy: Path) -> None:
    st = _raw(rail_copy, "stop_times")
    pd.concat([st, st.iloc[[5]]]).to_csv(rail_copy / "stop_times.txt", index=False)
    with pytest.raises(DataError, match=r"\(trip_id, stop_sequence\) must be unique.*row\(s\) 7"):
        gtfs.parse(rail_copy)


def test_header_only_optional_tables_are_empty_not_errors(rail_copy: Path) -> None:
    (rail_copy / "frequencies.txt").write_text(
        "trip_id,start_time,end_time,headway_secs\n", encoding="utf-8")
    (rail_copy / "calendar_dates.txt").write_text(
        "service_id,date,exception_type\n", encoding="utf-8")
    feed = gtfs.parse(rail_copy)
    assert feed.frequencies.empty and feed.calendar_dates.empty
    assert len(feed.stop_times) == 1690


def test_nodes_and_boarding_areas_without_coordinates_are_left_out(rail_copy: Path) -> None:
    stops = _raw(rail_copy, "stops")
    station = stops[stops["location_type"] == "1"].iloc[0]["stop_id"]
    extra = pd.DataFrame([{**dict.fromkeys(stops.columns, ""), "stop_id": "NODE1",
                           "stop_name": "Gångväg", "location_type": "3",
                           "parent_station": station}])
    pd.concat([stops, extra]).to_csv(rail_copy / "stops.txt", index=False)
    feed = gtfs.parse(rail_copy)
    assert "NODE1" not in set(feed.stops["stop_id"]) and len(feed.stops) == 72
