"""The replicated benchmark feed of scripts/_gtfs_replica.py, checked against the raw zip."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import pandas as pd

NATIONAL = Path("transport_osm/gtfs/sj_regional_national_2023.zip")
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "_gtfs_replica.py"


def _replica_module():
    spec = importlib.util.spec_from_file_location("_gtfs_replica", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks itself up there
    spec.loader.exec_module(module)
    return module


def test_replica_holds_n_copies_with_new_trip_ids(data_dir: Path, tmp_path: Path) -> None:
    source = data_dir / NATIONAL
    with zipfile.ZipFile(source) as archive:
        raw = {t: pd.read_csv(archive.open(f"{t}.txt"), dtype=str, keep_default_na=False)
               for t in ("trips", "stop_times")}
        stops_bytes = archive.read("stops.txt")
    rows = len(raw["stop_times"])
    replica = _replica_module().replicate(source, tmp_path, min_stop_times=2 * rows + 1)
    assert replica.copies == 3 and replica.stop_times == 3 * rows

    trips = pd.read_csv(tmp_path / "trips.txt", dtype=str, keep_default_na=False)
    st = pd.read_csv(tmp_path / "stop_times.txt", dtype=str, keep_default_na=False)
    assert len(trips) == 3 * len(raw["trips"]) and trips["trip_id"].is_unique
    assert len(st) == 3 * rows and set(st["trip_id"]) == set(trips["trip_id"])
    # everything but the trip id is the real feed's, three times over
    calls = st.groupby(["stop_id", "departure_time"]).size()
    raw_calls = raw["stop_times"].groupby(["stop_id", "departure_time"]).size()
    pd.testing.assert_series_equal(calls, 3 * raw_calls)
    services = trips.groupby("service_id").size()
    pd.testing.assert_series_equal(services, 3 * raw["trips"].groupby("service_id").size())
    assert (tmp_path / "stops.txt").read_bytes() == stops_bytes
    assert "REPLICATED" in (tmp_path / "README.txt").read_text()
