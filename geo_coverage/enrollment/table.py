"""The enrollment table: its format, the problems found in a file, and the validation report.

Reading and validating a file is in validation.py, the checks of single cells in cells.py
(the sample model's leave-one-out errors are in model_errors.py).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

import pandas as pd

from geo_coverage.errors import GeoCoverageError

LOGGER = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("kode", "period", "segment", "potential_workers", "active_members")
OPTIONAL_COLUMNS = ("source", "data_source")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
GUIDE_COLUMNS = ("nama",)  # in the downloadable template to help fill it in; never imported
DATA_SOURCES = ("published", "modelled")
DEFAULT_DATA_SOURCE = "published"
MAX_COUNT = 10**12
MAX_LISTED = 100
_COLUMN_ORDER = {name: i for i, name in enumerate(COLUMNS)}
ROW_FIELDS = (
    "line",
    "kode",
    "period",
    "segment",
    "potential_workers",
    "active_members",
    "source",
    "data_source",
)


@dataclass(frozen=True)
class AreaInfo:
    """What validation needs to know of an official area."""

    kode: str
    nama: str
    level: str


@dataclass(frozen=True)
class Problem:
    """One problem in a file: line number, column and what is wrong."""

    row: int | None
    column: str | None
    message: str

    def format(self, file_name: str) -> str:
        """FILE:ROW:COLUMN: message, with '-' where a part does not apply."""
        row = "-" if self.row is None else str(self.row)
        return f"{file_name}:{row}:{self.column or '-'}: {self.message}"

    def sort_key(self) -> tuple[int, int]:
        """Order in a report: by row (file-wide problems first), then by column."""
        return (self.row or 0, _COLUMN_ORDER.get(self.column or "", len(COLUMNS)))


class Problems:
    """Problems of one kind, in file order: the first MAX_LISTED are kept, all are counted,
    with the number of rows they touch."""

    def __init__(self, limit: int = MAX_LISTED):
        self.limit = limit
        self.total = 0
        self.rows = 0
        self._kept: list[Problem] = []
        self._per_row: dict[int, int] = {}
        self._last_row: int | None = None
        self._cut: int | None = None

    def add(self, problem: Problem) -> None:
        """Count a problem, keeping it if it may be among the first `limit`."""
        self.total += 1
        row = problem.row
        if row is not None and row != self._last_row:
            self.rows += 1
            self._last_row = row
        if self._cut is not None and row is not None and row > self._cut:
            return
        if row is not None:
            self._per_row[row] = self._per_row.get(row, 0) + 1
        self._kept.append(problem)
        if len(self._kept) > 4 * self.limit:
            self._kept = self.listed()
            self._cut = self._kept[-1].row

    def listed(self) -> list[Problem]:
        """The first `limit` problems, by row and column."""
        return sorted(self._kept, key=Problem.sort_key)[: self.limit]

    def more(self, what: str = "problems") -> Problem | None:
        """'… and N more problems (M rows affected)' when not every problem is listed."""
        listed = self.listed()
        hidden = self.total - len(listed)
        if hidden <= 0:
            return None
        shown_rows = {p.row for p in listed if p.row is not None}
        rows = self.rows - len(shown_rows)
        last = max(shown_rows, default=None)
        if last is not None and self._per_row.get(last, 0) > sum(p.row == last for p in listed):
            rows += 1
        return Problem(None, None, f"… and {hidden:,} more {what} ({rows:,} rows affected)")


@dataclass
class ValidationReport:
    """The outcome of reading a table: listed errors and warnings with their totals, the
    encoding and separator found, and the typed rows when the table was read into memory."""

    file_name: str
    sha256: str
    rows: pd.DataFrame | None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    delimiter: str = ","
    columns: tuple[str, ...] = ()
    encoding: str = "UTF-8"
    row_count: int = 0
    data_sources: dict[str, int] = field(default_factory=dict)
    error_count: int = 0
    error_rows: int = 0
    warning_count: int = 0
    more_errors: Problem | None = None
    more_warnings: Problem | None = None

    @property
    def ok(self) -> bool:
        """Whether the table can be imported."""
        return not self.errors and not self.error_count

    @property
    def table(self) -> pd.DataFrame:
        """The typed rows, for a table that was read into memory (ValueError otherwise)."""
        if self.rows is None:
            raise ValueError(f"{self.file_name}: its rows were not kept (invalid or streamed)")
        return self.rows

    def lines(self, which: str = "errors") -> list[str]:
        """Errors or warnings as FILE:ROW:COLUMN: message lines, then '… and N more' if some
        are not listed."""
        more = self.more_errors if which == "errors" else self.more_warnings
        problems = getattr(self, which) + ([more] if more else [])
        return [p.format(self.file_name) for p in problems]

    def as_dict(self) -> dict:
        """The report as plain data (for JSON): totals, listed problems, encoding."""

        def listed(problems: list[Problem]) -> list[dict]:
            return [{"row": p.row, "column": p.column, "message": p.message} for p in problems]

        return {
            "file": self.file_name,
            "ok": self.ok,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "columns": list(self.columns),
            "rows": self.row_count,
            "data_sources": dict(self.data_sources),
            "error_count": max(self.error_count, len(self.errors)),
            "error_rows": self.error_rows,
            "errors": listed(self.errors),
            "warning_count": max(self.warning_count, len(self.warnings)),
            "warnings": listed(self.warnings),
        }


class TableRejected(GeoCoverageError):
    """A table failed validation; carries every problem found (the first MAX_LISTED listed)."""

    status = 400

    def __init__(self, report: ValidationReport):
        self.report = report
        count = max(report.error_count, len(report.errors))
        super().__init__(
            f"{report.file_name} was rejected with {count:,} problem(s); nothing was "
            "imported:\n" + "\n".join(report.lines("errors"))
        )


def empty_rows() -> pd.DataFrame:
    """A typed frame with the columns of validated rows and no rows."""
    return frame_of([])


def frame_of(records: list[tuple]) -> pd.DataFrame:
    """Validated records (tuples in ROW_FIELDS order) as a typed frame."""
    frame = pd.DataFrame.from_records(records, columns=list(ROW_FIELDS))
    return frame.astype(
        {
            "line": "int64",
            "kode": "string",
            "period": "string",
            "segment": "string",
            "potential_workers": "Int64",
            "active_members": "Int64",
            "source": "string",
            "data_source": "string",
        }
    )


def to_csv(rows: pd.DataFrame) -> str:
    """Rows in the table format (comma-separated, UTF-8 text, LF line ends)."""
    out = io.StringIO()
    rows.loc[:, list(COLUMNS)].to_csv(out, index=False, lineterminator="\n")
    return out.getvalue()
