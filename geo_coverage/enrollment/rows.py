"""Checks of a table's header and rows: column positions, typed values, duplicates.

What is kept per row is a slot in a fixed array (the first row of each combination), so
checking a file of any length takes the same memory.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Mapping
from datetime import date

from geo_coverage.enrollment.cells import (
    FIRST_YEAR,
    LAST_YEAR,
    check_data_source,
    check_kode,
    check_period,
    check_segment,
    parse_count,
)
from geo_coverage.enrollment.hints import quoted, visible, without_invisible
from geo_coverage.enrollment.rollup import regency_of
from geo_coverage.enrollment.store import REGENCY_CODE_CHARS
from geo_coverage.enrollment.table import (
    COLUMNS,
    DEFAULT_DATA_SOURCE,
    GUIDE_COLUMNS,
    REQUIRED_COLUMNS,
    AreaInfo,
    Problem,
    Problems,
)
from geo_coverage.region import POTENTIAL_OPTIONAL, SEGMENTS

LOGGER = logging.getLogger(__name__)

MAX_CELL_CHARS = 1024
_MONTHS = (LAST_YEAR - FIRST_YEAR + 1) * 12
_WIDTH = len(SEGMENTS)

Row = tuple  # (kode, period, segment, potential_workers, active_members, source, data_source)
Sink = Callable[[Row], None]


class SeenKeys:
    """The first row of every (kode, period, segment) seen: regencies in one array of a few MB,
    districts (rarer, and many more codes) in a dict of the rows given."""

    def __init__(self, areas: Mapping[str, AreaInfo]):
        regencies = sorted(k for k, a in areas.items() if a.level == "regency")
        self._codes = {k: i * _MONTHS for i, k in enumerate(regencies)}
        self.districts: dict[tuple[str, str, str], int] = {}  # (kode, period, segment): row
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

    def row_of(self, kode: str, period: str, segment: str) -> int:
        """The row of a regency's (kode, period, segment), or 0."""
        slot = self.slot(kode, period, segment)
        return 0 if slot is None else self._first[slot]

    def mark(self, slot: int, period: str, line: int) -> None:
        """Remember the row of a combination."""
        self._first[slot] = line
        self.periods.add(period)

    def covered(self, period: str) -> set[str]:
        """The regencies with any row in a period (their own or their districts')."""
        width = len(SEGMENTS)
        covered = {regency_of(kode) for kode, at, _segment in self.districts if at == period}
        for kode in self._codes:
            start = self.slot(kode, period, SEGMENTS[0])
            if start is not None and any(self._first[start : start + width]):
                covered.add(kode)
        return covered


class CellChecks:
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


def check_header(names: list[str], errors: Problems, warnings: Problems) -> dict[str, int]:
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
        elif name not in GUIDE_COLUMNS:
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


def check_row(
    line: int,
    fields: list[str],
    at: dict[str, int],
    check: CellChecks,
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


def too_long(line: int, fields: list[str], names: list[str]) -> Problem:
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


class RowChecker:
    """The state of one validation: problems, counts, the rows seen, and where valid rows go."""

    def __init__(self, areas: Mapping[str, AreaInfo], sink: Sink | None, today: date | None):
        self.sink = sink
        self.check = CellChecks(areas, today)
        self.errors, self.warnings = Problems(), Problems()
        self.keys = SeenKeys(areas)
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
        record = check_row(line, fields, positions, self.check, self.errors, self.warnings)
        if record is None:
            return
        kode, period, segment = record[:3]
        district = (kode, period, segment) if len(kode) > REGENCY_CODE_CHARS else None
        slot = None if district else self.keys.slot(kode, period, segment)
        if district:
            first = self.keys.districts.get(district, 0)
        else:
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
        if district:
            self.keys.districts[district] = line
            self.keys.periods.add(period)
        elif slot is not None:
            self.keys.mark(slot, period, line)
        self.count += 1
        self.sources[record[6]] = self.sources.get(record[6], 0) + 1
        if self.errors.total:
            return
        if self.records is not None:
            self.records.append((line, *record))
        elif self.sink is not None:
            self.sink(record)
