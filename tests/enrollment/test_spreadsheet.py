"""Excel workbooks read as the CSV path reads them, and refused for what only a workbook can
hide: formulas, merged cells, hidden sheets/rows/columns, dates, error values."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from office_helpers import ENROLLMENT_HEADER, enrollment_rows, xlsx

from geo_coverage.enrollment.spreadsheet import NotAWorkbook, merge_report, read_xlsx
from geo_coverage.enrollment.validation import read_table

pytest_plugins = ["enrollment_fixtures"]
LIMIT = 50_000_000


def _check(data: bytes, area_index, name: str = "june.xlsx"):
    """The merged validation of a workbook."""
    sheet = read_xlsx(data, name, LIMIT)
    return sheet, merge_report(read_table(sheet.csv, name, area_index), sheet)


def _numbers(rows: list[list]) -> list[list]:
    """Rows with counts as numbers, as typed into Excel."""
    return [[*r[:3], int(r[3]), int(r[4]), r[5]] for r in rows]


def test_a_typed_workbook_gives_the_rows_of_the_csv(area_index):
    rows = enrollment_rows()
    sheet, report = _check(xlsx([ENROLLMENT_HEADER, *_numbers(rows)]), area_index)
    csv_text = "\n".join(",".join(c or "" for c in r) for r in [ENROLLMENT_HEADER, *rows])
    from_csv = read_table(csv_text.encode(), "june.csv", area_index)
    assert report.ok and sheet.sheet == "data"
    assert report.rows.drop(columns="line").equals(from_csv.rows.drop(columns="line"))


def test_problems_name_the_worksheet_row_and_cell(area_index):
    def tweak(book, sheet):
        sheet.insert_rows(2, 3)  # blank rows: CSV lines and worksheet rows differ

    rows = enrollment_rows()
    rows[2][4] = "-5"
    sheet, report = _check(xlsx([ENROLLMENT_HEADER, *rows], tweak=tweak), area_index)
    (problem,) = report.errors
    assert (problem.row, problem.column) == (7, "active_members")
    assert sheet.cell(problem) == "E7"
    assert report.lines()[0].startswith("june.xlsx[data]:7:active_members: '-5' is negative")


def test_the_sheet_named_data_is_read_wherever_it_is(area_index):
    def tweak(book, sheet):
        notes = book.create_sheet("keterangan", 0)
        notes.append(["this sheet explains the columns"])

    sheet, report = _check(xlsx([ENROLLMENT_HEADER, *enrollment_rows()], tweak=tweak), area_index)
    assert sheet.sheet == "data" and report.ok


def test_formulas_merged_cells_and_hidden_parts_are_refused_at_once(area_index):
    def tweak(book, sheet):
        sheet["E3"] = "=D3*0.3"
        sheet.merge_cells("F2:F3")
        sheet.row_dimensions[4].hidden = True
        sheet.column_dimensions["F"].hidden = True
        book.create_sheet("old").sheet_state = "hidden"

    sheet, report = _check(xlsx([ENROLLMENT_HEADER, *enrollment_rows()], tweak=tweak), area_index)
    messages = report.lines()
    assert not report.ok
    assert any(":3:active_members: the cell holds a formula (=D3*0.3)" in m for m in messages)
    assert any("cells F2:F3 are merged" in m for m in messages)
    assert any("row 4 is hidden" in m for m in messages)
    assert any("column F is hidden" in m for m in messages)
    assert any("sheet 'old' is hidden" in m for m in messages)
    assert not any("active_members is blank" in m for m in messages)  # one message a cell


def test_a_date_where_the_period_belongs_says_what_to_write(area_index):
    rows = _numbers(enrollment_rows())
    rows[0][1] = dt.datetime(2025, 6, 1)
    rows[1][4] = True
    sheet, report = _check(xlsx([ENROLLMENT_HEADER, *rows]), area_index)
    period, boolean = report.errors
    assert period.row == 2 and period.column == "period"
    assert "Excel turned the text into a date" in period.message and "2025-06" in period.message
    assert boolean.row == 3 and "TRUE/FALSE" in boolean.message


def test_a_code_typed_as_a_number_that_lost_its_zero_gets_the_hint(area_index):
    rows = _numbers(enrollment_rows())
    rows[2][0] = 73.10  # Excel keeps 73.1
    _, report = _check(xlsx([ENROLLMENT_HEADER, *rows]), area_index)
    (problem,) = report.errors
    assert "73.10 is Kabupaten Pangkajene dan Kepulauan" in problem.message


def test_percentage_cells_are_read_as_shown(area_index):
    def tweak(book, sheet):
        sheet["C2"].number_format = "0.00%"

    sheet = read_xlsx(
        xlsx([["kode", "year", "target_pct"], ["73", 2025, 0.6293]], tweak=tweak), "t.xlsx", LIMIT
    )
    assert sheet.csv.decode().splitlines()[1] == "73,2025,62.93"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "Excel 97-2003"),
        (b"PK\x03\x04 broken", "not a zip archive"),
        ("ods", "OpenDocument"),
        ("bomb", "unpacks to"),
    ],
)
def test_what_is_not_a_readable_workbook_is_named(data, message):
    if data in ("ods", "bomb"):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            if data == "ods":
                archive.writestr("content.xml", "<office/>")
            else:
                archive.writestr("xl/workbook.xml", "<workbook/>")
                archive.writestr("xl/big.xml", b"\0" * (LIMIT + 1))
        data = out.getvalue()
    with pytest.raises(NotAWorkbook, match=message):
        read_xlsx(data, "x.xlsx", LIMIT)


def test_district_rows_in_a_workbook_follow_the_same_rule(area_index):
    parepare = sorted(k for k, a in area_index.items() if k.startswith("73.72."))
    rows = [[kode, "2025-12", "wage", 10000 + i, 5000 + i, None] for i, kode in enumerate(parepare)]
    sheet, report = _check(xlsx([ENROLLMENT_HEADER, *rows]), area_index)
    assert report.ok and sorted(report.rows["kode"]) == parepare
    sheet, report = _check(xlsx([ENROLLMENT_HEADER, *rows[:3]]), area_index)
    (problem,) = report.errors
    assert sheet.cell(problem) == "A2"
    assert report.lines()[0] == (
        "june.xlsx[data]:2:kode: valid rows for only 3 of the 4 districts of 73.72 (Kota "
        f"Parepare) in 2025-12 wage; missing 1: {parepare[3]}; a regency's figures are the sum "
        "of all its districts: give a row for every district, or only the regency's row"
    )
