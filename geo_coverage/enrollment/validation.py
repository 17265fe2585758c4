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
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from geo_coverage.enrollment.decoding import HEAD_BYTES, TextLines, detect
from geo_coverage.enrollment.rollup import rollup_problems
from geo_coverage.enrollment.rows import (
    MAX_CELL_CHARS,
    RowChecker,
    SeenKeys,
    Sink,
    check_header,
    too_long,
)
from geo_coverage.enrollment.store import REGENCY_CODE_CHARS
from geo_coverage.enrollment.table import (
    COLUMNS,
    REQUIRED_COLUMNS,
    AreaInfo,
    Problem,
    Problems,
    ValidationReport,
    frame_of,
)
from geo_coverage.enrollment.textfile import (
    READ_BYTES,
    ByteSource,
    Hashing,
    Progress,
    open_table_file,
)

LOGGER = logging.getLogger(__name__)

DELIMITERS = (",", ";", "\t")


def _delimiter(header: str) -> str:
    """The delimiter that splits the header into the most known column names."""

    def score(d: str) -> tuple[int, int]:
        names = [n.strip().strip('"').lower() for n in header.split(d)]
        return sum(n in COLUMNS for n in names), len(names)

    return max(DELIMITERS, key=score)


def _missing_regencies(
    keys: SeenKeys, areas: Mapping[str, AreaInfo], existing: Iterable[tuple[str, str]]
) -> list[Problem]:
    """Warnings for periods in which some regencies have no figures after the import."""
    regencies = {k for k, a in areas.items() if a.level == "regency"}
    if not regencies:
        return []
    covered = {period: keys.covered(period) for period in keys.periods}
    for kode, period in existing:
        if period in covered:
            covered[period].add(kode[:REGENCY_CODE_CHARS])  # a district covers its regency
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


def _read_records(lines: TextLines, reading: RowChecker) -> dict[str, int]:
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
    positions = check_header(names, errors, reading.warnings)
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
            errors.add(too_long(line, fields, names))
            continue
        reading.row(line, names, fields, positions)
    return positions


def read_stream(
    stream: ByteSource,
    file_name: str,
    areas: Mapping[str, AreaInfo],
    existing: Iterable[tuple[str, str]] = (),
    *,
    sink: Sink | None = None,
    allow_future: bool = False,
    today: date | None = None,
) -> ValidationReport:
    """Read and validate an enrollment table from a byte stream; report every problem.

    `areas` holds the official provinces, regencies and districts of the region; district
    rows must sum to their regency (enrollment.rollup); `existing` the
    (kode, period) pairs already active, so a warning can name regencies still missing.
    Valid rows go to `sink` (kode, period, segment, potential_workers, active_members,
    source, data_source) while no error has been found; without a sink they are kept in
    the report's `rows`. Periods more than 12 months after `today` (default: the date
    today) are errors unless `allow_future`.
    """
    hashing = Hashing(stream)
    buffered = io.BufferedReader(hashing, READ_BYTES)
    reading = RowChecker(areas, sink, None if allow_future else (today or date.today()))
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
        for problem in rollup_problems(reading.keys.districts, reading.keys.row_of, areas):
            errors.add(problem)
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
