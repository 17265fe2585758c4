"""Coverage targets per province or regency and year: the table format, its validation and
the target arithmetic."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import math
import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from geo_coverage.enrollment.decoding import decode_whole
from geo_coverage.enrollment.table import AreaInfo, Problem, ValidationReport
from geo_coverage.errors import GeoCoverageError
from geo_coverage.package_files import data_dir
from geo_coverage.region import FIGURE_LEVELS, PROVINCES, province_of

LOGGER = logging.getLogger(__name__)

DEFAULT_TARGET_PCT = 60.0
TARGETS_CSV = data_dir() / "targets.csv"
REQUIRED_COLUMNS = ("kode", "year", "target_pct", "source")
COLUMN_ALIASES = {"province": "kode"}  # the first format named the code column 'province'
DELIMITERS = (",", ";", "\t")
_PCT = re.compile(r"\d{1,3}(\.\d{1,2})?")


def empty_targets() -> pd.DataFrame:
    """A typed targets frame with no rows."""
    return _frame([])


def _frame(records: list[dict]) -> pd.DataFrame:
    """Validated target records as a typed frame."""
    frame = pd.DataFrame.from_records(
        records, columns=["line", "kode", "year", "target_pct", "source"]
    )
    return frame.astype(
        {
            "line": "int64",
            "kode": "string",
            "year": "int64",
            "target_pct": "float64",
            "source": "string",
        }
    )


def _check_kode(kode: str, areas: Mapping[str, AreaInfo]) -> str | None:
    """What is wrong with the code of a target, or None for a province or regency of the region."""
    if kode == "":
        return "kode is blank"
    if kode in areas and areas[kode].level in FIGURE_LEVELS:
        return None
    if kode in areas:
        return f"'{kode}' ({areas[kode].nama}) is not a province or regency/city"
    hint = " (a spreadsheet dropped the trailing zero? format the column as text)"
    provinces = _provinces(areas)
    return (
        f"'{kode}' is not a province ({', '.join(provinces)}) or regency/city code of the region"
        + (hint if re.fullmatch(r"\d{2}\.\d", kode) else "")
    )


def _provinces(areas: Mapping[str, AreaInfo]) -> list[str]:
    """The province codes of the region (the areas are its provinces and regencies)."""
    return sorted(k for k, a in areas.items() if a.level == "province")


def _elsewhere(kode: str, areas: Mapping[str, AreaInfo]) -> bool:
    """Whether a code is of a province of Indonesia outside the region."""
    return province_of(kode) in PROVINCES and province_of(kode) not in _provinces(areas)


def _parse_pct(text: str, delimiter: str) -> tuple[float | None, str | None]:
    """A target percentage above 0 and at most 100 with at most 2 decimals, or what is wrong."""
    s = text.strip().removesuffix("%").strip()
    if delimiter != ",":  # a spreadsheet in an Indonesian locale writes 62,93
        s = s.replace(",", ".") if s.count(",") == 1 and "." not in s else s
    bad = f"'{text.strip()}' is not a percentage above 0 and at most 100 with at most 2 decimals"
    if not _PCT.fullmatch(s):
        return None, bad
    value = float(s)
    if not (math.isfinite(value) and 0 < value <= 100):
        return None, bad
    return value, None


def validate_targets(
    data: bytes, file_name: str, areas: Mapping[str, AreaInfo], skip_elsewhere: bool = False
) -> ValidationReport:
    """Read and validate a targets table given as bytes; report every problem by row and column.

    With skip_elsewhere, rows of provinces outside the region are left out (the table shipped
    with the code may hold the targets of any province of Indonesia)."""
    sha = hashlib.sha256(data).hexdigest()
    text, problems = decode_whole(data)
    if text is None:
        return ValidationReport(file_name, sha, empty_targets(), problems)
    if text.strip(" \t\r\n,;") == "":
        header = ",".join(REQUIRED_COLUMNS)
        problem = Problem(1, None, f"the file is empty; expected a header line {header}")
        return ValidationReport(file_name, sha, empty_targets(), [problem])
    first = text.splitlines()[0]
    delimiter = max(DELIMITERS, key=lambda d: len(first.split(d)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [n.strip().lower() for n in next(reader)]
    names = [COLUMN_ALIASES.get(n, n) for n in names]
    positions = {n: i for i, n in reversed(list(enumerate(names))) if n}
    errors = [
        Problem(1, c, f"column '{c}' appears more than once")
        for c in sorted({n for n in names if n and names.count(n) > 1})
    ]
    errors += [
        Problem(1, c, f"missing required column '{c}'")
        for c in REQUIRED_COLUMNS
        if c not in positions
    ]
    warnings = [
        Problem(1, n, f"column '{n}' is not part of the targets format and is ignored")
        for n in positions
        if n not in REQUIRED_COLUMNS
    ]
    records: list[dict] = []
    skipped = 0
    seen: dict[tuple[str, int], int] = {}
    end = reader.line_num
    for fields in [] if errors else reader:
        line, end = end + 1, reader.line_num
        if all(f.strip() == "" for f in fields):
            continue
        if len(fields) != len(names):
            errors.append(
                Problem(
                    line,
                    None,
                    f"the row has {len(fields)} fields but the header has {len(names)} "
                    f"(separator '{delimiter}'; is a value with a separator not quoted?)",
                )
            )
            continue
        cell = {n: fields[i].strip() for n, i in positions.items()}
        if skip_elsewhere and _elsewhere(cell["kode"], areas):
            skipped += 1
            continue
        before = len(errors)
        if msg := _check_kode(cell["kode"], areas):
            errors.append(Problem(line, "kode", msg))
        year = cell["year"]
        if not (year.isascii() and year.isdigit() and 1990 <= int(year) <= 2100):
            errors.append(Problem(line, "year", f"'{year}' is not a year like 2025"))
        pct, msg = _parse_pct(cell["target_pct"], delimiter)
        if msg:
            errors.append(Problem(line, "target_pct", msg))
        if cell["source"] == "":
            errors.append(
                Problem(line, "source", "source is blank; say where the target comes from")
            )
        if len(errors) > before:
            continue
        key = (cell["kode"], int(year))
        if key in seen:
            errors.append(
                Problem(
                    line,
                    "kode",
                    f"duplicate target for {key[0]} {key[1]} (first on row {seen[key]})",
                )
            )
            continue
        seen[key] = line
        records.append(
            {
                "line": line,
                "kode": key[0],
                "year": key[1],
                "target_pct": pct,
                "source": cell["source"],
            }
        )
    if not records and not errors and not skipped:
        errors.append(Problem(1, None, "the file has a header but no data rows"))
    errors.sort(key=lambda p: (p.row or 0, p.column or ""))
    return ValidationReport(
        file_name, sha, _frame(records), errors, warnings, delimiter, tuple(positions)
    )


def read_targets(areas: Mapping[str, AreaInfo], path: Path = TARGETS_CSV) -> ValidationReport:
    """The targets table shipped in data/ (or another file), validated; raises on any problem.
    Only the rows of the region's provinces and regencies are kept: the table may hold the
    targets of any province of Indonesia."""
    report = validate_targets(Path(path).read_bytes(), Path(path).name, areas, skip_elsewhere=True)
    if not report.ok:
        raise GeoCoverageError(
            f"{path} is not a valid targets table:\n" + "\n".join(report.lines("errors"))
        )
    return report


def target_workers(pct: float, potential: int) -> int:
    """Workers needed to reach a target: ceil(pct % of potential), in exact arithmetic."""
    basis_points = round(pct * 100)
    return -(-basis_points * int(potential) // 10_000)
