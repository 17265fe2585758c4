"""Reading and validating an enrollment table as a stream: every problem, bounded memory.

The file is read once, line by line (decoding.py); each valid row goes to a sink as soon as
it is checked (the store writes them in chunks), while what validation keeps per row is a
slot in a fixed array for the duplicate check. Problems are counted in full and the first
MAX_LISTED kept.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
from array import array
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import BinaryIO

from geo_coverage.enrollment.cells import (
    FIRST_YEAR,
    LAST_YEAR,
    check_data_source,
    check_kode,
    check_period,
    check_segment,
    parse_count,
)
from geo_coverage.enrollment.decoding import HEAD_BYTES, TextLines, detect
from geo_coverage.enrollment.hints import quoted, visible, without_invisible
from geo_coverage.enrollment.table import (
    COLUMNS,
    DEFAULT_DATA_SOURCE,
    POTENTIAL_OPTIONAL,
    REQUIRED_COLUMNS,
    SEGMENTS,
    AreaInfo,
    Problem,
    Problems,
    ValidationReport,
    frame_of,
)
from geo_coverage.enrollment.textfile import READ_BYTES, Hashing, Progress, open_table_file

LOGGER = logging.getLogger(__name__)

DELIMITERS = (",", ";", "\t")
MAX_CELL_CHARS = 1024
_MONTHS = (LAST_YEAR - FIRST_YEAR + 1) * 12
_WIDTH = len(SEGMENTS)

Row = tuple  # (kode, period, segment, potential_workers, active_members, source, data_source)
Sink = Callable[[Row], None]


class _Keys:
    """The first row of every (kode, period, segment) seen, in one array of a few MB."""

    def __init__(self, areas: Mapping[str, AreaInfo]):
        regencies = sorted(k for k, a in areas.items() if a.level == "regency")
        self._codes = {k: i * _MONTHS for i, k in enumerate(regencies)}
        self._segments = {s: i for i, s in enumerate(SEGMENTS)}
        self._months: dict[str, int] = {}
        self._first = array("q", bytes(8 * len(regencies) * _MONTHS * len(SEGMENTS)))
        self.periods: set[str] = set()

    def slot(self, kode: str, period: str, segment: str) -> int | None:
        """The array index of a valid combination; None if a part is absent (a missing
        column)."""
        code, part, month = (
            self._codes.get(kode),
            self._segments.get(segment),
            self._months.get(period),
        )
        if month is None and len(period) == 7:
            month = self._months[period] = (int(period[:4]) - FIRST_YEAR) * 12 + int(period[5:]) - 1
        if code is None or part is None or month is None:
            return None
        return (code + month) * _WIDTH + part

    def first(self, slot: int) -> int:
        """The row where the combination was first seen, or 0."""
        return self._first[slot]

    def mark(self, slot: int, period: str, line: int) -> None:
        """Remember the row of a combination."""
        self._first[slot] = line
        self.periods.add(period)

    def covered(self, period: str) -> set[str]:
        """The regencies with any row in a period."""
        width = len(SEGMENTS)
        covered = set()
        for kode in self._codes:
            start = self.slot(kode, period, SEGMENTS[0])
            if start is not None and any(self._first[start : start + width]):
                covered.add(kode)
        return covered


class _CellChecks:
    """The checks of kode, period and segment, each answer remembered per distinct value
    (a file repeats a few hundred codes, periods and segments)."""

    CACHE_LIMIT = 100_000

    def __init__(self, areas: Mapping[str, AreaInfo], today: date | None):
        self._checks: dict[str, Callable[[str], str | None]] = {
            "kode": lambda v: check_kode(v, areas),
            "period": lambda v: check_period(v, today),
            "segment": check_segment,
        }
        self._answers: dict[str, dict[str, str | None]] = {c: {} for c in self._checks}

    def __call__(self, column: str, value: str) -> str | None:
        """What is wrong with the value of a column, or None."""
        answers = self._answers[column]
        try:
            return answers[value]
        except KeyError:
            answer = self._checks[column](value)
            if len(answers) < self.CACHE_LIMIT:
                answers[value] = answer
            return answer


def _delimiter(header: str) -> str:
    """The delimiter that splits the header into the most known column names."""

    def score(d: str) -> tuple[int, int]:
        names = [n.strip().strip('"').lower() for n in header.split(d)]
        return sum(n in COLUMNS for n in names), len(names)

    return max(DELIMITERS, key=score)


def _header(names: list[str], errors: Problems, warnings: Problems) -> dict[str, int]:
    """Column positions by name, adding header problems."""
    positions: dict[str, int] = {}
    lookalikes: dict[str, str] = {}
    for i, raw in enumerate(names):
        name = raw.strip().lower()
        if name == "":
            continue
        if name in positions:
            errors.add(Problem(1, name, f"column '{name}' appears more than once"))
        elif name in COLUMNS:
            positions[name] = i
        else:
            lookalikes.setdefault(without_invisible(name).strip(), raw.strip())
            warnings.add(
                Problem(
                    1,
                    visible(raw.strip()),
                    (
                        f"column {quoted(raw.strip())} is not part of the format and is ignored "
                        f"(columns: {', '.join(COLUMNS)})"
                    ),
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            hint = (
                f" (the header has {quoted(lookalikes[name])}, with characters that cannot be seen)"
                if name in lookalikes
                else ""
            )
            errors.add(Problem(1, name, f"missing required column '{name}'{hint}"))
    return positions


def _check_row(
    line: int,
    fields: list[str],
    at: dict[str, int],
    check: _CellChecks,
    errors: Problems,
    warnings: Problems,
) -> Row | None:
    """Typed values of one row (cells at the positions `at`), adding its problems; None if
    it has errors."""
    before = errors.total
    cells = {name: fields[i].strip() for name, i in at.items()}
    kode, period, segment = cells.get("kode", ""), cells.get("period", ""), cells.get("segment", "")
    for column in ("kode", "period", "segment"):
        if column in cells and (msg := check(column, cells[column])):
            errors.add(Problem(line, column, msg))
    counts: list[int | None] = [None, None]
    for n, column in enumerate(("potential_workers", "active_members")):
        text = cells.get(column)
        if text is None:
            continue
        if text.isascii() and text.isdigit() and len(text) < 12:
            counts[n] = int(text)
            continue
        if text == "":
            if n or segment not in POTENTIAL_OPTIONAL:
                what = "" if n else f" for segment {segment or '?'}"
                errors.add(Problem(line, column, f"{column} is blank; it is required{what}"))
            continue
        value, msg = parse_count(text)
        if msg:
            errors.add(Problem(line, column, msg))
        counts[n] = value
    data_source = cells.get("data_source", "")
    if data_source and (msg := check_data_source(data_source)):
        errors.add(Problem(line, "data_source", msg))
    if errors.total > before:
        return None
    potential, members = counts
    if potential is not None and members is not None and members > potential:
        warnings.add(
            Problem(
                line,
                "active_members",
                (
                    f"active_members {members} exceed potential_workers {potential} "
                    f"({kode} {period} {segment}); imported as given"
                ),
            )
        )
    source = fields[at["source"]] if "source" in at else ""
    return (
        kode,
        period,
        segment,
        potential,
        members,
        source or None,
        data_source.lower() or DEFAULT_DATA_SOURCE,
    )


def _too_long(line: int, fields: list[str], names: list[str]) -> Problem:
    """The problem of the first cell longer than MAX_CELL_CHARS."""
    i = next(i for i, f in enumerate(fields) if len(f) > MAX_CELL_CHARS)
    name = names[i].strip().lower() if i < len(names) else ""
    column = name if name in COLUMNS else None
    which = "" if column else f" in column {i + 1}" + (f" ({quoted(name)})" if name else "")
    return Problem(
        line,
        column,
        (
            f"the value{which} is {len(fields[i]):,} characters long; values are at most "
            f'{MAX_CELL_CHARS:,} (is a quote (") not closed?)'
        ),
    )


def _missing_regencies(
    keys: _Keys, areas: Mapping[str, AreaInfo], existing: Iterable[tuple[str, str]]
) -> list[Problem]:
    """Warnings for periods in which some regencies have no figures after the import."""
    regencies = {k for k, a in areas.items() if a.level == "regency"}
    if not regencies:
        return []
    covered = {period: keys.covered(period) for period in keys.periods}
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


class _Reading:
    """The state of one validation: problems, counts, and where rows go."""

    def __init__(self, areas: Mapping[str, AreaInfo], sink: Sink | None, today: date | None):
        self.sink = sink
        self.check = _CellChecks(areas, today)
        self.errors, self.warnings = Problems(), Problems()
        self.keys = _Keys(areas)
        self.records: list[tuple] | None = [] if sink is None else None
        self.count = 0
        self.sources: dict[str, int] = {}
        self.delimiter = ","

    def row(self, line: int, names: list[str], fields: list[str], positions: dict) -> None:
        """Check one record of the file and pass it on if valid."""
        width = len(names)
        if len(fields) != width and (len(fields) < width or "".join(fields[width:]).strip() != ""):
            self.errors.add(
                Problem(
                    line,
                    None,
                    (
                        f"the row has {len(fields)} fields but the header has {len(names)} "
                        f"(separator '{self.delimiter}'; is a value with a separator not "
                        "quoted?)"
                    ),
                )
            )
            return
        record = _check_row(line, fields, positions, self.check, self.errors, self.warnings)
        if record is None:
            return
        kode, period, segment = record[:3]
        slot = self.keys.slot(kode, period, segment)
        first = 0 if slot is None else self.keys.first(slot)
        if first:
            self.errors.add(
                Problem(
                    line,
                    "kode",
                    (
                        f"duplicate row for kode {kode}, period {period}, segment {segment} "
                        f"(first on row {first})"
                    ),
                )
            )
            return
        if slot is not None:
            self.keys.mark(slot, period, line)
        self.count += 1
        self.sources[record[6]] = self.sources.get(record[6], 0) + 1
        if self.errors.total:
            return
        if self.records is not None:
            self.records.append((line, *record))
        else:
            self.sink(record)


def _read_records(lines: TextLines, reading: _Reading) -> dict[str, int]:
    """Read the header and every record, checking each; the column positions."""
    first = next(lines, None)
    if first is None:
        return {}
    reading.delimiter = _delimiter(first)
    reader = csv.reader(itertools.chain([first], lines), delimiter=reading.delimiter, strict=False)
    errors = reading.errors
    try:
        names = next(reader, [])
    except csv.Error as exc:
        errors.add(Problem(1, None, f"the header cannot be read as CSV ({exc})"))
        lines.drain()
        return {}
    positions = _header(names, errors, reading.warnings)
    end = reader.line_num
    while True:
        quotes = lines.quotes
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line = end + 1
            if "field limit" in str(exc):
                errors.add(
                    Problem(
                        line,
                        None,
                        (
                            f"a value starting on row {line} is longer than "
                            f'{csv.field_size_limit():,} characters: is a quote (") not '
                            "closed? The rest of the file was not checked"
                        ),
                    )
                )
                lines.drain()
                break
            errors.add(Problem(line, None, f"the row cannot be read as CSV ({exc})"))
            end = reader.line_num
            continue
        line, end = end + 1, reader.line_num
        if lines.exhausted and end > line and (lines.quotes - quotes) % 2:
            errors.add(
                Problem(
                    line,
                    None,
                    (
                        f'a quote (") opened on row {line} is never closed: the value runs '
                        f"to the end of the file (line {end}); add the closing quote"
                    ),
                )
            )
            continue
        if not "".join(fields).strip():
            continue
        if max(map(len, fields)) > MAX_CELL_CHARS:
            errors.add(_too_long(line, fields, names))
            continue
        reading.row(line, names, fields, positions)
    return positions


def read_stream(
    stream: BinaryIO,
    file_name: str,
    areas: Mapping[str, AreaInfo],
    existing: Iterable[tuple[str, str]] = (),
    *,
    sink: Sink | None = None,
    allow_future: bool = False,
    today: date | None = None,
) -> ValidationReport:
    """Read and validate an enrollment table from a byte stream; report every problem.

    `areas` holds the official provinces and regencies of the region; `existing` the
    (kode, period) pairs already active, so a warning can name regencies still missing.
    Valid rows go to `sink` (kode, period, segment, potential_workers, active_members,
    source, data_source) while no error has been found; without a sink they are kept in
    the report's `rows`. Periods more than 12 months after `today` (default: the date
    today) are errors unless `allow_future`.
    """
    hashing = Hashing(stream)
    buffered = io.BufferedReader(hashing, READ_BYTES)
    reading = _Reading(areas, sink, None if allow_future else (today or date.today()))
    errors, warnings = reading.errors, reading.warnings
    found = detect(buffered.peek(HEAD_BYTES)[:HEAD_BYTES])
    encoding_name = getattr(found, "name", "unknown")
    positions: dict[str, int] = {}
    if isinstance(found, str):
        errors.add(Problem(1, None, found))
        while buffered.read(READ_BYTES):
            pass
    else:
        lines = TextLines(buffered, found, errors, warnings)
        positions = _read_records(lines, reading)
        lines.detach()
        encoding_name = lines.encoding.name
        if not lines.has_content:
            errors, warnings = Problems(), Problems()
            errors.add(
                Problem(
                    1,
                    None,
                    (
                        "the file is empty; expected a header line with the columns "
                        + ",".join(REQUIRED_COLUMNS)
                    ),
                )
            )
        elif not reading.count and not errors.total:
            errors.add(Problem(1, None, "the file has a header but no data rows"))
        if not errors.total:
            for warning in _missing_regencies(reading.keys, areas, existing):
                warnings.add(warning)
    return ValidationReport(
        file_name,
        hashing.sha256,
        frame_of(reading.records) if reading.records is not None else None,
        errors.listed(),
        warnings.listed(),
        reading.delimiter,
        tuple(positions),
        encoding_name,
        reading.count,
        dict(reading.sources),
        errors.total,
        errors.rows,
        warnings.total,
        errors.more(),
        warnings.more("warnings"),
    )


def read_table(
    data: bytes,
    file_name: str,
    areas: Mapping[str, AreaInfo],
    existing: Iterable[tuple[str, str]] = (),
    *,
    allow_future: bool = False,
    today: date | None = None,
) -> ValidationReport:
    """Read and validate an enrollment table given as bytes; the valid rows are in `rows`."""
    return read_stream(
        io.BytesIO(data), file_name, areas, existing, allow_future=allow_future, today=today
    )


def read_file(
    path: Path,
    areas: Mapping[str, AreaInfo],
    existing: Iterable[tuple[str, str]] = (),
    *,
    sink: Sink | None = None,
    allow_future: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Read and validate an enrollment CSV file once, refusing it if it changes meanwhile
    (FileChanged) or is not a readable regular file (UnreadableFile)."""
    with open_table_file(path, progress) as source:
        report = read_stream(
            source.stream,
            source.name,
            areas,
            existing,
            sink=sink,
            allow_future=allow_future,
            today=today,
        )
        source.check_unchanged()
    return report
