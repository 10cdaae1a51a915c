"""Tillväxtverket's kommuntyper read from a workbook in the published layout (a fixture)."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook

from data_sources import klassning
from data_sources.errors import DataError
from tests.fixtures.tillvaxtverket.kommuntyper_workbook import FIXTURE_TYPES, write


@pytest.fixture
def admin(tmp_path, data_dir):
    folder = tmp_path / "admin"
    folder.mkdir()
    shutil.copy(data_dir / klassning.TILLVAXTVERKET.files[1].path, folder)
    return tmp_path


def test_the_published_workbook_is_read_with_numbers_and_parallel_names(admin):
    write(admin / "admin/kommuntyper_tillvaxtverket.xlsx")
    assert klassning.available(admin) == ["tillvaxtverket"]
    frame = klassning.load(admin, "tillvaxtverket").set_index("kommunkod")
    assert len(frame) == len(FIXTURE_TYPES) == 16
    assert frame.loc["1780", "klass"] == "Täta blandade kommuner"
    assert frame.loc["1780", "klass_kod"] == "2"
    assert frame.loc["1781", "klass"] == "Glesa blandade kommuner"  # Tillväxtanalys' name
    assert frame.loc["1730", "huvudgrupp"] == "Landsbygdskommuner"
    assert set(frame["klass"]) == {"Täta blandade kommuner", "Glesa blandade kommuner",
                                   "Tätortsnära landsbygdskommuner", "Glesa landsbygdskommuner"}


def test_a_kommunkod_that_lost_its_leading_zero_is_restored(admin):
    write(admin / "admin/kommuntyper_tillvaxtverket.xlsx", {"0180": "1. Storstadskommuner",
                                                             "1780": "Täta blandade kommuner"})
    frame = klassning.load(admin, "tillvaxtverket").set_index("kommunkod")
    assert frame.loc["0180", "klass"] == "Storstadskommuner"


def test_the_workbook_wins_over_a_csv_and_the_csv_still_works(admin):
    (admin / "admin/kommuntyper_tillvaxtverket.csv").write_text(
        "kommunkod,kommuntyp\n1780,Glesa landsbygdskommuner\n", encoding="utf-8")
    assert klassning.load(admin, "tillvaxtverket")["klass"].tolist() == [
        "Glesa landsbygdskommuner"]
    write(admin / "admin/kommuntyper_tillvaxtverket.xlsx")
    assert len(klassning.load(admin, "tillvaxtverket")) == 16


@pytest.mark.parametrize(("change", "message"), [
    ({"1780": "7. Påhittade kommuner"}, "unknown class"),
    ({"17800": "Täta blandade kommuner"}, "4-digit"),
])
def test_bad_rows_are_named(admin, change, message):
    write(admin / "admin/kommuntyper_tillvaxtverket.xlsx", change)
    with pytest.raises(DataError, match=message):
        klassning.load(admin, "tillvaxtverket")


def test_a_workbook_without_the_header_is_named(admin):
    path = write(admin / "admin/kommuntyper_tillvaxtverket.xlsx")
    book = load_workbook(path)
    book.active["A4"] = "Kod"
    book.save(path)
    with pytest.raises(DataError, match="no header row with a 'Kommunkod' column"):
        klassning.load(admin, "tillvaxtverket")
