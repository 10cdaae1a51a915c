"""Data-directory resolution and the command line (errors without tracebacks)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from data_sources import befolkning
from gisapp import cli
from gisapp.config import DATA_ENV, resolve_data_dir, user_cache_data_dir


def test_flag_beats_environment(tmp_path, monkeypatch):
    (tmp_path / "env").mkdir()
    (tmp_path / "flag").mkdir()
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "env"))
    assert resolve_data_dir(tmp_path / "flag").path == (tmp_path / "flag").resolve()
    assert resolve_data_dir(None).path == (tmp_path / "env").resolve()


def test_a_mistyped_data_dir_fails_and_keeps_the_serving_build(tmp_path, data_dir, capsys):
    builds = tmp_path / "builds"
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(builds)]) == 0
    before = (builds / "current").resolve()
    assert cli.main(["build", "--data-dir", str(tmp_path / "dtaa"), "--build-dir",
                     str(builds)]) == 1
    assert "no such directory" in capsys.readouterr().err
    assert (builds / "current").resolve() == before


def test_an_unwritable_build_directory_is_a_clean_error(tmp_path, data_dir, capsys):
    builds = tmp_path / "builds"
    builds.write_text("a file where the build directory should be", encoding="utf-8")
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(builds)]) == 1
    err = capsys.readouterr().err
    assert "build directory" in err and "previous build keeps serving" in err
    assert "Traceback" not in err


def test_shared_data_beside_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "project").mkdir()
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.chdir(tmp_path / "project")
    monkeypatch.setattr("gisapp.config.PROJECT_ROOT", tmp_path / "project")
    resolved = resolve_data_dir(None)
    assert resolved.path == (tmp_path / "shared" / "data").resolve()


def test_user_cache_then_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("gisapp.config.PROJECT_ROOT", tmp_path)
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda name: str(tmp_path / "cache"))
    assert resolve_data_dir(None).path is None
    user_cache_data_dir().mkdir(parents=True)
    (user_cache_data_dir() / "FETCHED.json").write_text("{}")
    assert resolve_data_dir(None).path == user_cache_data_dir()


def test_cli_build_reports_progress_and_missing(tmp_path, data_dir, capsys):
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "+ kommuner: 16 rader" in out
    assert "Bygge " in out and " klart " in out
    assert (tmp_path / "current" / "manifest.json").is_file()


def test_cli_prints_data_errors_without_traceback(tmp_path, data_dir):
    broken = tmp_path / "data"
    shutil.copytree(data_dir / "admin", broken / "admin")
    path = broken / befolkning.META.files[0].path
    path.write_text(path.read_text("utf-8").replace("1780,", "178,", 1), "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "gisapp.cli", "build", "--data-dir", str(broken),
         "--build-dir", str(tmp_path / "b")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 1
    assert "strukturbild: fel:" in result.stderr
    assert "varmland_kommuner_befolkning.csv" in result.stderr and "'178'" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_rejects_unknown_lan(tmp_path, data_dir, capsys):
    code = cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path),
                     "--lan", "99"])
    assert code == 1
    assert "län '99' is not in the län boundaries" in capsys.readouterr().err


def test_cli_unknown_source(capsys):
    assert cli.main(["fetch", "--source", "nope"]) == 1
    assert "unknown source 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("lanskod", ["03"])
def test_another_region_builds_from_the_same_files(tmp_path, data_dir, lanskod, capsys):
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path),
                     "--lan", lanskod]) == 0
    out = capsys.readouterr().out
    assert "+ kommuner: 8 rader" in out  # Uppsala län has 8 kommuner


def test_cli_service_day_is_used_and_recorded(tmp_path, data_dir, capsys):
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path),
                     "--trafikdag", "2023-11-14"]) == 0
    manifest = (tmp_path / "current" / "manifest.json").read_text("utf-8")
    assert '"2023-11-14"' in manifest
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path),
                     "--trafikdag", "14/11/2023"]) == 1
    assert "--trafikdag: expected a date as YYYY-MM-DD" in capsys.readouterr().err


def test_cli_average_weekday_of_a_month(tmp_path, data_dir, capsys):
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path),
                     "--medeldag", "2023-11"]) == 0
    manifest = (tmp_path / "current" / "manifest.json").read_text("utf-8")
    assert "medel tis–tors 2023-11 (14 dagar)" in manifest
    assert cli.main(["build", "--data-dir", str(data_dir), "--build-dir", str(tmp_path),
                     "--medeldag", "november"]) == 1
    assert "--medeldag: expected a month as YYYY-MM" in capsys.readouterr().err
