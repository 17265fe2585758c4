"""Enrollment tables: the CSV format, reading spreadsheet variants, and validation."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import (
    POTENTIAL_OPTIONAL,
    PROVINCES,
    level_of,
    period_problem,
    province_of,
    segment_problem,
)

LOGGER = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("kode", "period", "segment", "potential_workers", "active_members")
OPTIONAL_COLUMNS = ("source", "data_source")
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DATA_SOURCES = ("published", "modelled")
DEFAULT_DATA_SOURCE = "published"
MAX_COUNT = 10**12
DELIMITERS = (",", ";", "\t")

_CODE = re.compile(r"\d{2}(\.\d{2}){0,2}")
_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")


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


@dataclass
class ValidationReport:
    """The outcome of reading a table: typed rows, errors and warnings."""

    file_name: str
    sha256: str
    rows: pd.DataFrame
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    delimiter: str = ","
    columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the table can be imported."""
        return not self.errors

    def lines(self, which: str = "errors") -> list[str]:
        """Errors or warnings as FILE:ROW:COLUMN: message lines."""
        return [p.format(self.file_name) for p in getattr(self, which)]


class TableRejected(GeoCoverageError):
    """A table failed validation; carries every problem found."""

    status = 400

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(
            f"{report.file_name} was rejected with {len(report.errors)} problem(s); "
            "nothing was imported:\n" + "\n".join(report.lines("errors"))
        )


def empty_rows() -> pd.DataFrame:
    """A typed frame with the columns of validated rows and no rows."""
    return _frame([])


def _frame(records: list[dict]) -> pd.DataFrame:
    """Validated records as a typed frame."""
    frame = pd.DataFrame.from_records(
        records,
        columns=[
            "line",
            "kode",
            "period",
            "segment",
            "potential_workers",
            "active_members",
            "source",
            "data_source",
        ],
    )
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


def _decode(data: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text without a BOM, or the lines that are not UTF-8."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, [
            Problem(1, None, 'the file is UTF-16 ("Unicode text"); save it as "CSV UTF-8" instead')
        ]
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    problems = []
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    number,
                    None,
                    (
                        f"not UTF-8 (byte 0x{line[exc.start]:02x} at character {exc.start + 1}); "
                        'save the file as "CSV UTF-8"'
                    ),
                )
            )
    return None, problems


def _delimiter(header: str) -> str:
    """The delimiter that splits the header into the most known column names."""

    def score(d: str) -> tuple[int, int]:
        names = [n.strip().strip('"').lower() for n in header.split(d)]
        return sum(n in COLUMNS for n in names), len(names)

    return max(DELIMITERS, key=score)


def parse_count(text: str) -> tuple[int | None, str | None]:
    """A whole number >= 0 from a cell, or None and what is wrong with it."""
    s = text.strip()
    if s.isascii() and s.isdigit():
        value = int(s)
        if value >= MAX_COUNT:
            return None, f"{s} is too large to be a number of workers"
        return value, None
    if s.startswith("-") and any(c.isdigit() for c in s):
        return None, f"'{s}' is negative; counts are whole numbers >= 0"
    if _GROUPED.fullmatch(s):
        return None, (
            f"'{s}' has a thousands separator, which is ambiguous ({s} may mean "
            f"{re.sub(r'[.,]', '', s)} or a decimal); write whole numbers as plain "
            "digits"
        )
    if re.fullmatch(r"[\d.,\s]+", s):
        return None, f"'{s}' is not a whole number; counts are whole numbers written as digits"
    return None, f"'{s}' is not a whole number"


def check_kode(kode: str, areas: Mapping[str, AreaInfo]) -> str | None:
    """What is wrong with a regency/city code, or None if it is one of the region (the areas
    are the region's provinces and regencies)."""
    if kode == "":
        return "kode is blank"
    area = areas.get(kode)
    if area is not None:
        if area.level == "regency":
            return None
        return (
            f"'{kode}' is the {area.level} code of {area.nama}; rows must be regencies or "
            "cities (kode like 73.71); province figures are sums of their regencies"
        )
    if not _CODE.fullmatch(kode):
        hint = ""
        if re.fullmatch(r"\d{2}\.\d", kode) and kode + "0" in areas:
            hint = (
                f" (did a spreadsheet drop the trailing zero? {kode}0 is "
                f"{areas[kode + '0'].nama}; format the column as text)"
            )
        return f"'{kode}' is not a Kemendagri code like 73.71{hint}"
    provinces = sorted(k for k, a in areas.items() if a.level == "province")
    if province_of(kode) not in provinces:
        named = PROVINCES.get(province_of(kode))
        where = f"a code of {named}, " if named else ""
        return f"'{kode}' is {where}not in the region (province codes {', '.join(provinces)})"
    if level_of(kode) == "district":
        return (
            f"'{kode}' is a district (kecamatan) code; rows must be regencies or cities "
            f"(kode like {kode.rsplit('.', 1)[0]})"
        )
    if level_of(kode) == "province":
        return f"unknown province code '{kode}'"
    province = areas.get(province_of(kode))
    where = f" of {province.nama}" if province else ""
    return f"unknown regency/city code '{kode}'{where}"


def _header(names: list[str]) -> tuple[dict[str, int], list[Problem], list[Problem]]:
    """Column positions by name, header errors and header warnings."""
    positions: dict[str, int] = {}
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for i, raw in enumerate(names):
        name = raw.strip().lower()
        if name == "":
            continue
        if name in positions:
            errors.append(Problem(1, name, f"column '{name}' appears more than once"))
        elif name in COLUMNS:
            positions[name] = i
        else:
            warnings.append(
                Problem(
                    1,
                    raw.strip(),
                    (
                        f"column '{raw.strip()}' is not part of the format and is ignored "
                        f"(columns: {', '.join(COLUMNS)})"
                    ),
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            errors.append(Problem(1, name, f"missing required column '{name}'"))
    return positions, errors, warnings


def _check_row(
    line: int,
    cells: dict[str, str],
    areas: Mapping[str, AreaInfo],
    errors: list[Problem],
    warnings: list[Problem],
) -> dict | None:
    """Typed values of one row, adding its problems; None if it has errors."""
    before = len(errors)
    kode, period = cells.get("kode", "").strip(), cells.get("period", "").strip()
    segment = cells.get("segment", "").strip()
    for column, value, check in (
        ("kode", kode, lambda v: check_kode(v, areas)),
        ("period", period, period_problem),
        ("segment", segment, segment_problem),
    ):
        if column in cells and (msg := check(value)):
            errors.append(Problem(line, column, msg))
    counts: dict[str, int | None] = {}
    for column in ("potential_workers", "active_members"):
        if column not in cells:
            continue
        text = cells[column].strip()
        if text == "":
            counts[column] = None
            if column == "active_members" or segment not in POTENTIAL_OPTIONAL:
                what = "" if column == "active_members" else f" for segment {segment or '?'}"
                errors.append(Problem(line, column, f"{column} is blank; it is required{what}"))
            continue
        value, msg = parse_count(text)
        if msg:
            errors.append(Problem(line, column, msg))
        counts[column] = value
    data_source = cells.get("data_source", "").strip().lower() or DEFAULT_DATA_SOURCE
    if data_source not in DATA_SOURCES:
        errors.append(
            Problem(
                line,
                "data_source",
                (
                    f"unknown data_source '{cells['data_source'].strip()}': "
                    "use published or modelled"
                ),
            )
        )
    if len(errors) > before:
        return None
    potential, members = counts.get("potential_workers"), counts.get("active_members")
    if potential is not None and members is not None and members > potential:
        warnings.append(
            Problem(
                line,
                "active_members",
                (
                    f"active_members {members} exceed potential_workers {potential} "
                    f"({kode} {period} {segment}); imported as given"
                ),
            )
        )
    source = cells.get("source")
    return {
        "line": line,
        "kode": kode,
        "period": period,
        "segment": segment,
        "potential_workers": potential,
        "active_members": members,
        "source": source if source not in (None, "") else None,
        "data_source": data_source,
    }


def _missing_regencies(
    records: list[dict], areas: Mapping[str, AreaInfo], existing: Iterable[tuple[str, str]]
) -> list[Problem]:
    """Warnings for periods in which some regencies have no figures after the import."""
    regencies = {k for k, a in areas.items() if a.level == "regency"}
    if not regencies:
        return []
    covered: dict[str, set[str]] = {}
    for r in records:
        covered.setdefault(r["period"], set()).add(r["kode"])
    for kode, period in existing:
        if period in covered:
            covered[period].add(kode)
    warnings = []
    for period in sorted(covered):
        missing = sorted(regencies - covered[period])
        if missing:
            shown = ", ".join(missing[:10]) + (", …" if len(missing) > 10 else "")
            warnings.append(
                Problem(
                    None,
                    "kode",
                    (
                        f"period {period}: {len(missing)} of {len(regencies)} regencies/cities "
                        "have no "
                        f"figures after this import ({shown})"
                    ),
                )
            )
    return warnings


def read_table(
    data: bytes,
    file_name: str,
    areas: Mapping[str, AreaInfo],
    existing: Iterable[tuple[str, str]] = (),
) -> ValidationReport:
    """Read and validate an enrollment table given as bytes; report every problem.

    `areas` holds the official provinces and regencies of the region; `existing` the
    (kode, period) pairs already active, so a warning can name regencies still missing.
    """
    sha = hashlib.sha256(data).hexdigest()
    text, problems = _decode(data)
    if text is None:
        return ValidationReport(file_name, sha, empty_rows(), problems)
    if text.strip(" \t\r\n,;") == "":
        return ValidationReport(
            file_name,
            sha,
            empty_rows(),
            [
                Problem(
                    1,
                    None,
                    (
                        "the file is empty; expected a header line with the columns "
                        + ",".join(REQUIRED_COLUMNS)
                    ),
                )
            ],
        )
    first = text.splitlines()[0]
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    names = next(reader)
    positions, errors, warnings = _header(names)
    records: list[dict] = []
    seen: dict[tuple[str, str, str], int] = {}
    end = reader.line_num
    for fields in reader:
        line, end = end + 1, reader.line_num
        if all(f.strip() == "" for f in fields):
            continue
        if len(fields) < len(names) or any(f.strip() for f in fields[len(names) :]):
            errors.append(
                Problem(
                    line,
                    None,
                    (
                        f"the row has {len(fields)} fields but the header has {len(names)} "
                        f"(separator '{delimiter}'; is a value with a separator not quoted?)"
                    ),
                )
            )
            continue
        cells = {name: fields[i] for name, i in positions.items()}
        record = _check_row(line, cells, areas, errors, warnings)
        if record is None:
            continue
        key = (record["kode"], record["period"], record["segment"])
        if key in seen:
            errors.append(
                Problem(
                    line,
                    "kode",
                    (
                        f"duplicate row for kode {key[0]}, period {key[1]}, segment {key[2]} "
                        f"(first on row {seen[key]})"
                    ),
                )
            )
            continue
        seen[key] = line
        records.append(record)
    if not records and not errors:
        errors.append(Problem(1, None, "the file has a header but no data rows"))
    if not errors:
        warnings.extend(_missing_regencies(records, areas, existing))
    errors.sort(
        key=lambda p: (p.row or 0, COLUMNS.index(p.column) if p.column in COLUMNS else len(COLUMNS))
    )
    return ValidationReport(
        file_name, sha, _frame(records), errors, warnings, delimiter, tuple(positions)
    )


def read_file(
    path: Path, areas: Mapping[str, AreaInfo], existing: Iterable[tuple[str, str]] = ()
) -> ValidationReport:
    """Read and validate an enrollment CSV file."""
    return read_table(Path(path).read_bytes(), Path(path).name, areas, existing)


def to_csv(rows: pd.DataFrame) -> str:
    """Rows in the table format (comma-separated, UTF-8 text, LF line ends)."""
    out = io.StringIO()
    rows.loc[:, list(COLUMNS)].to_csv(out, index=False, lineterminator="\n")
    return out.getvalue()
