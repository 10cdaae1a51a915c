"""PTS' own Excel tabellbilaga: read on a fixture in PTS' layout (marked as a fixture; no real
PTS workbook is in the development data), checked against the CSV form of the same numbers,
and every named error on a broken copy."""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from data_sources import bredband, bredband_pts
from data_sources.errors import DataError
from layers import indikatorer
from tests.conftest import FIXTURES
from tests.fixtures.bredband.pts_tabellbilaga import write_workbook

CSV_FIXTURE = FIXTURES / "bredband" / "bredband_pts_kommun_fixture.csv"
KEY = ["kommunkod", "ar", "mottagare", "omrade", "hastighet"]


@pytest.fixture
def workbook(tmp_path):
    return write_workbook(tmp_path / "pts.xlsx")


def edited(path, sheet: str, cell: str, value) -> object:
    """Set one cell of the workbook at ``path`` and save it in place."""
    book = load_workbook(path)
    book[sheet][cell] = value
    book.save(path)
    return path


def test_fixture_in_pts_layout_loads_every_kommun_year_and_measure(workbook):
    frame = bredband_pts.parse(workbook)
    # kommuner × områden (incl. totalt) × years × mottagare × (100 Mbit/s, 1 Gbit/s)
    assert len(frame) == 2 * 4 * 2 * 2 * 2
    assert set(frame["kommunkod"]) == {"1780", "1715"}  # 1715 stored as a number in Excel
    assert set(frame["hastighet"]) == {"100mbit", "1gbit"}  # 30 Mbit/s is not read
    row = frame.set_index(KEY).loc[("1780", "2024", "hushall", "tatort", "1gbit")]
    # the plain "tillgång" column (0.97), not "tillgång eller möjlighet att ansluta" (0.98)
    assert row["andel"] == pytest.approx(97.0)
    assert row["antal"] == 40_000 and row["med_tillgang"] == pytest.approx(38_800)
    assert frame.set_index(KEY).loc[("1780", "2023", "hushall", "tatort", "1gbit"),
                                    "andel"] == pytest.approx(95.0)


def test_workbook_and_csv_forms_give_the_same_indicators(workbook):
    codes = ["1780", "1715"]
    from_pts = indikatorer.broadband_rows(bredband_pts.parse(workbook), kommunkoder=codes,
                                          kalla="pts")
    from_csv = indikatorer.broadband_rows(bredband.parse(CSV_FIXTURE), kommunkoder=codes,
                                          kalla="csv")
    keys = ["kommunkod", "omrade", "indikator"]
    both = from_pts.merge(from_csv, on=keys, suffixes=("_pts", "_csv"), validate="one_to_one")
    assert len(both) == len(from_csv) == 2 * 3 * 4  # kommuner × områden × indicators
    for column in ("varde", "teljare", "namnare"):
        np.testing.assert_allclose(both[f"{column}_pts"], both[f"{column}_csv"], rtol=1e-6)
    assert set(from_pts["ar"]) == {"2024"}  # the latest year, never summed with 2023


def test_shares_without_counts_are_shown_but_never_weighted(tmp_path):
    frame = bredband_pts.parse(write_workbook(tmp_path / "pts.xlsx", with_counts=False))
    assert frame["antal"].isna().all() and frame["med_tillgang"].isna().all()
    rows = indikatorer.broadband_rows(frame, kommunkoder=["1780", "1715"], kalla="pts")
    assert set(rows["omrade"]) == {"tatort", "hela_kommunen"}  # landsbygd needs counts
    assert rows["teljare"].isna().all() and rows["namnare"].isna().all()
    tatort = rows.set_index(["kommunkod", "omrade", "indikator"]).loc[
        ("1715", "tatort", "bredband_1gbit_hushall")]
    assert tatort["varde"] == pytest.approx(95.0)
    lan = indikatorer.aggregate(rows, pd.Series("Värmland", index=["1780", "1715"]))
    assert lan["varde"].isna().all()  # no län value from averaged percentages


@pytest.mark.parametrize(("cell", "value", "message"), [
    ("Q10", 1.2, r"sheet 'Hastighet, tätort' cell Q10: share 120 % is outside 0–100 %"),
    ("Q11", "mycket", r"cell Q11: 'mycket' is not a share"),
    ("D10", "många", r"cell D10: 'många' is not a whole count"),
    ("A10", "1799", r"not Swedish kommuner: '1799'"),
    ("A11", "1780", r"kommun\(er\) '1780' have more than one share .* in \"sheet 'Hastighet, "
                    r"tätort' cell K10\", \"sheet 'Hastighet, tätort' cell K11\""),
])
def test_broken_cells_are_named_by_sheet_and_cell(workbook, cell, value, message):
    with pytest.raises(DataError, match=message):
        bredband_pts.parse(edited(workbook, "Hastighet, tätort", cell, value))


def test_censored_and_empty_cells(workbook):
    # columns: Antal C–F, 30 Mbit/s G–J, 100 Mbit/s K–N (2023 K–L, 2024 M–N), 1 Gbit/s O–R
    edited(workbook, "Hastighet, tätort", "M10", ">99,99%")  # 100 Mbit/s 2024 hushåll, 1780
    edited(workbook, "Hastighet, tätort", "N10", "-")
    frame = bredband_pts.parse(workbook).set_index(KEY)
    assert frame.loc[("1780", "2024", "hushall", "tatort", "100mbit"), "andel"] == 99.99
    assert np.isnan(frame.loc[("1780", "2024", "arbetsstallen", "tatort", "100mbit"), "andel"])


def test_two_plain_columns_for_one_measure_is_an_error_not_a_guess(workbook):
    # relabel the 30 Mbit/s block as a second plain 1 Gbit/s block
    edited(workbook, "Hastighet, tätort", "G5", "Andel med tillgång till minst 1 Gbit/s")
    with pytest.raises(DataError, match=r"sheet 'Hastighet, tätort': several columns measure "
                                        r"the same thing, cannot choose between G \("):
        bredband_pts.parse(workbook)


def test_workbook_without_area_sheets_names_what_it_expected(workbook):
    book = load_workbook(workbook)
    for number, sheet in enumerate(book.sheetnames[1:], start=1):
        book[sheet].title = f"Tabell {number}"
        book[f"Tabell {number}"]["A1"] = "Mobiltäckning per kommun"
    book.save(workbook)
    with pytest.raises(DataError, match=r"no PTS table of broadband speed per kommun found.*"
                                        r"sheets found: \['Innehåll', 'Tabell 1'"):
        bredband_pts.parse(workbook)


def test_area_from_the_title_row_when_the_sheet_name_is_cut(workbook):
    book = load_workbook(workbook)
    book["Hastighet, utanför"].title = "Tabell 4"
    book.save(workbook)
    frame = bredband_pts.parse(workbook)
    assert (frame["omrade"] == "utanfor").sum() == 2 * 2 * 2 * 2


def test_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "pts.xlsx"
    path.write_text("kommunkod;andel\n1780;0,9\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"pts.xlsx: cannot be read as an Excel workbook"):
        bredband_pts.parse(path)


def test_the_workbook_is_preferred_over_the_csv(tmp_path, workbook):
    (tmp_path / "digital").mkdir()
    assert bredband.available(tmp_path) is None
    (tmp_path / "digital" / "bredband_pts_kommun.csv").write_bytes(CSV_FIXTURE.read_bytes())
    assert bredband.available(tmp_path) is bredband.META
    (tmp_path / bredband_pts.FILE).write_bytes(workbook.read_bytes())
    assert bredband.available(tmp_path) is bredband_pts.META


def _rewrite_zip(path, change) -> object:
    """Rewrite every member of the xlsx at ``path`` through ``change(name, data)``."""
    original = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(original)) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, change(item.filename, zin.read(item.filename)))
    return path


def test_codes_stored_as_text_or_float_are_normalised_and_odd_ones_named(workbook):
    edited(workbook, "Hastighet, tätort", "A11", "1715.0")
    assert set(bredband_pts.parse(workbook)["kommunkod"]) == {"1780", "1715"}
    edited(workbook, "Hastighet, tätort", "A11", 1715.5)
    with pytest.raises(DataError, match=r"cell A11: '1715.5' is not a län .* or kommun code"):
        bredband_pts.parse(workbook)


def test_censored_text_follows_the_fraction_rule(workbook):
    edited(workbook, "Hastighet, tätort", "M10", ">0,9999")
    frame = bredband_pts.parse(workbook).set_index(KEY)
    assert frame.loc[("1780", "2024", "hushall", "tatort", "100mbit"), "andel"] == 99.99


def test_spacer_columns_and_unit_rows_do_not_shift_the_header(workbook):
    book = load_workbook(workbook)
    for name in book.sheetnames[1:]:
        book[name].insert_cols(15)  # a blank column after the 100 Mbit/s block
    book["Hastighet, utanför"]["C8"] = "Procent"  # a unit row beneath the header
    book.save(workbook)
    frame = bredband_pts.parse(workbook)
    assert len(frame) == 2 * 4 * 2 * 2 * 2 and set(frame["omrade"]) >= {"utanfor"}


def test_an_area_sheet_without_recognised_columns_is_named(workbook):
    book = load_workbook(workbook)
    sheet = book["Hastighet, småort"]
    for cell in sheet[5]:
        if cell.column > 2 and cell.value:
            cell.value = "Andel med fiber"
    book.save(workbook)
    with pytest.raises(DataError, match=r"sheet 'Hastighet, småort': kommun rows but no column"):
        bredband_pts.parse(workbook)


def test_two_counts_for_one_kommun_area_is_an_error(workbook):
    book = load_workbook(workbook)
    extra = book.copy_worksheet(book["Hastighet, tätort"])
    extra.title = "Antal, tätort"
    extra.delete_cols(7, 100)  # keep only the count columns (C–F)
    book.save(workbook)
    with pytest.raises(DataError, match=r"more than one count .*'Antal, tätort' cell C10"):
        bredband_pts.parse(workbook)


def test_damaged_xml_is_a_data_error(workbook):
    _rewrite_zip(workbook, lambda name, data: data[: len(data) // 2]
                 if name == "xl/worksheets/sheet2.xml" else data)
    with pytest.raises(DataError, match=r"cannot be read as an Excel workbook"):
        bredband_pts.parse(workbook)


def test_a_wrong_sheet_dimension_does_not_cut_columns(workbook):
    _rewrite_zip(workbook, lambda name, data: re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:P11"/>', data)
        if name.startswith("xl/worksheets/") else data)
    assert set(bredband_pts.parse(workbook)["hastighet"]) == {"100mbit", "1gbit"}


def test_a_blank_share_over_households_is_never_zero(workbook):
    edited(workbook, "Hastighet, tätort", "N10", "-")  # 100 Mbit/s 2024 arbetsställen, 1780
    rows = indikatorer.broadband_rows(bredband_pts.parse(workbook), kommunkoder=["1780"],
                                      kalla="pts")
    rows = rows[rows["indikator"] == "bredband_100mbit_arbetsstallen"].set_index("omrade")
    assert "tatort" not in rows.index  # not 0 %: PTS gave no value
    assert rows.loc["hela_kommunen", "varde"] == pytest.approx(
        100 * (4000 * 0.995 + 100 * 0.9 + 300 * 0.8) / 4400)  # PTS' own totalt sheet
