"""Excel workbooks (.xlsx) read into the same CSV rows the table validation reads, with the
problems only a workbook can have (formulas, merged cells, hidden sheets, rows or columns,
dates, error values) named by sheet, row and column; no Flask."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import warnings
import zipfile
from dataclasses import dataclass, field, replace

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from geo_coverage.enrollment.table import Problem, ValidationReport

LOGGER = logging.getLogger(__name__)

DATA_SHEET = "data"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls
MAX_UNPACKED_RATIO = 30  # a workbook unpacks to at most this many times the upload limit


@dataclass(frozen=True)
class Sheet:
    """One worksheet as CSV text, where each CSV line came from, and the workbook's problems."""

    file_name: str
    sheet: str
    csv: bytes
    lines: dict[int, int] = field(default_factory=dict)  # CSV line -> worksheet row
    letters: dict[str, str] = field(default_factory=dict)  # column name -> column letter
    problems: tuple[Problem, ...] = ()  # rows are worksheet rows

    def cell(self, problem: Problem) -> str | None:
        """The cell reference (B12) of a problem, when it has a row and a known column."""
        letter = self.letters.get((problem.column or "").lower())
        if letter and problem.row is not None:
            return f"{letter}{problem.row}"
        return None


class NotAWorkbook(ValueError):
    """The bytes are not an .xlsx workbook that can be read; the message says what they are."""


def looks_like_xlsx(data: bytes, file_name: str) -> bool:
    """Whether an upload should be read as a workbook (by its name or its first bytes)."""
    return file_name.lower().endswith(XLSX_SUFFIXES) or data.startswith((ZIP_MAGIC, OLE_MAGIC))


def _check_container(data: bytes, max_unpacked: int) -> None:
    """Refuse what is not an .xlsx zip, or unpacks to more than max_unpacked bytes."""
    if data.startswith(OLE_MAGIC):
        raise NotAWorkbook(
            "this is an Excel 97-2003 (.xls) file; save it as Excel Workbook (.xlsx) or CSV UTF-8"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise NotAWorkbook("not an Excel workbook (.xlsx): the file is not a zip archive") from exc
    if "xl/workbook.xml" not in names:
        what = "an OpenDocument spreadsheet (.ods)" if "content.xml" in names else "a zip file"
        raise NotAWorkbook(
            f"not an Excel workbook (.xlsx) but {what}; save it as Excel Workbook (.xlsx)"
        )
    if unpacked > max_unpacked:
        raise NotAWorkbook(
            f"the workbook unpacks to {unpacked:,} bytes, more than the {max_unpacked:,} allowed"
        )


def _text(cell) -> str:
    """A cell's value as the text a CSV export would hold (a percentage cell as shown: 62.93)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, int | float) and "%" in str(cell.number_format or ""):
        value = round(value * 100, 10)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date_problem(row: int, column: str, value) -> Problem:
    """What is wrong with a date where a period, year or number belongs."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if column == "period":
        return Problem(
            row,
            column,
            f"period is a date ({day.isoformat()}): Excel turned the text into a date; "
            f"format the column as Text and write {day.strftime('%Y-%m')}",
        )
    return Problem(
        row, column, f"{column} is a date ({day.isoformat()}); write it as plain text or digits"
    )


def _cell_problem(row: int, column: str, cell) -> Problem | None:
    """What is wrong with a cell's kind (formula, date, error, yes/no), or None."""
    kind = cell.data_type
    if kind == "f":
        return Problem(
            row,
            column,
            f"the cell holds a formula ({str(cell.value)[:60]}); paste values only "
            "(Paste Special › Values) so the file says what is imported",
        )
    if kind == "d" or isinstance(cell.value, dt.date | dt.time):
        return _date_problem(row, column, cell.value)
    if kind == "e":
        return Problem(row, column, f"the cell holds the Excel error {cell.value}")
    if kind == "b":
        return Problem(row, column, f"the cell holds TRUE/FALSE ({cell.value}), not a value")
    return None


def _hidden(sheet) -> tuple[set[int], set[int]]:
    """The hidden rows and hidden columns (1-based) of a worksheet."""
    rows = {r for r, d in sheet.row_dimensions.items() if d.hidden}
    columns: set[int] = set()
    for d in sheet.column_dimensions.values():
        if d.hidden and d.min and d.max:
            columns.update(range(d.min, d.max + 1))
    return rows, columns


def read_xlsx(data: bytes, file_name: str, max_unpacked: int) -> Sheet:
    """The data sheet (named 'data', else the first) of a workbook as CSV; NotAWorkbook if the
    file cannot be read as one."""
    _check_container(data, max_unpacked)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of styles and extensions it drops
            book = load_workbook(io.BytesIO(data), data_only=False, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise NotAWorkbook(f"the workbook cannot be read ({type(exc).__name__}: {exc})") from exc
    problems: list[Problem] = []
    for other in book.worksheets:
        if other.sheet_state != "visible":
            problems.append(
                Problem(
                    None,
                    None,
                    f"sheet '{other.title}' is hidden; unhide or delete it, so that what you "
                    "see is what is imported",
                )
            )
    named = [s for s in book.worksheets if s.title.strip().lower() == DATA_SHEET]
    sheet = named[0] if named else book.worksheets[0]
    filled = [(r, c) for (r, c), cell in sheet._cells.items() if cell.value is not None]
    last_row = max((r for r, _ in filled), default=0)
    width = max((c for _, c in filled), default=0)
    if last_row == 0:
        problems.append(Problem(1, None, f"sheet '{sheet.title}' is empty"))
        return Sheet(file_name, sheet.title, b"", problems=tuple(problems))
    header = [_text(sheet.cell(1, c)).strip().lower() for c in range(1, width + 1)]
    names = {c: header[c - 1] or get_column_letter(c) for c in range(1, width + 1)}
    letters = {name: get_column_letter(c) for c, name in names.items()}
    for merged in sheet.merged_cells.ranges:
        problems.append(
            Problem(
                merged.min_row,
                names.get(merged.min_col),
                f"cells {merged.coord} are merged; unmerge them and fill every cell",
            )
        )
    hidden_rows, hidden_columns = _hidden(sheet)
    for c in sorted(hidden_columns & set(names)):
        problems.append(
            Problem(None, names[c], f"column {get_column_letter(c)} is hidden; show it")
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    lines: dict[int, int] = {}
    line = 1
    for r, cells in enumerate(sheet.iter_rows(max_row=last_row, max_col=width), 1):
        values = []
        for c, cell in enumerate(cells, 1):
            problem = _cell_problem(r, names[c], cell) if cell.value is not None else None
            if problem:
                problems.append(problem)
            values.append("" if problem else _text(cell))
        if r > 1 and all(v.strip() == "" for v in values):
            continue
        if r in hidden_rows:
            problems.append(
                Problem(r, None, f"row {r} is hidden (a filter?); show every row before uploading")
            )
        lines[line] = r
        before = out.tell()
        writer.writerow(values)
        line += out.getvalue().count("\n", before)
    return Sheet(
        file_name,
        sheet.title,
        out.getvalue().encode("utf-8"),
        lines,
        letters,
        tuple(problems),
    )


def _moved(problem: Problem, sheet: Sheet) -> Problem:
    """A problem of the CSV form with its row turned into the worksheet row."""
    if problem.row is None:
        return problem
    return replace(problem, row=sheet.lines.get(problem.row, problem.row))


def merge_report(report: ValidationReport, sheet: Sheet) -> ValidationReport:
    """The validation of a sheet's CSV form, with worksheet rows, the workbook's own problems,
    and no second message for a cell the workbook check already named."""
    own = {(p.row, p.column) for p in sheet.problems if p.row is not None}
    errors = [p for p in (_moved(p, sheet) for p in report.errors) if (p.row, p.column) not in own]
    errors = sorted(list(sheet.problems) + errors, key=lambda p: (p.row or 0, p.column or ""))
    warnings_ = [_moved(p, sheet) for p in report.warnings]
    return replace(
        report,
        file_name=f"{sheet.file_name}[{sheet.sheet}]",
        errors=errors,
        warnings=warnings_,
    )
