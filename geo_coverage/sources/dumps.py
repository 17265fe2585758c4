"""Read rows out of the MySQL dump files the public data is published as."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_INSERT = re.compile(r"INSERT\s+INTO\s+`?(\w+)`?\s*\(([^)]*)\)\s*VALUES", re.IGNORECASE)
_TOKEN = re.compile(
    r"""\s*(?:
        '(?P<str>(?:[^'\\]|''|\\.)*)'
      | (?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<null>NULL)
      | (?P<punct>[(),;])
    )""",
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "Z": "\x1a"}


class DumpError(ValueError):
    """The dump does not have the expected shape; says file and line."""


@dataclass(frozen=True)
class DumpRow:
    """One row of an INSERT statement, with the line it starts on."""

    table: str
    values: dict[str, str | float | None]
    line: int

    def number(self, column: str) -> float:
        """The column as a number; ValueError naming the table, line and column if it is none."""
        value = self.values.get(column)
        if value is not None:
            try:
                return float(value)
            except ValueError:
                pass
        raise ValueError(
            f"{self.table}, line {self.line}: column {column} is {value!r}, not a number"
        )


def _unescape(raw: str) -> str:
    """Undo SQL quoting: doubled quotes and backslash escapes."""
    raw = raw.replace("''", "'")
    if "\\" not in raw:
        return raw
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), raw)


class _Lines:
    """Line numbers of offsets in a text, counted incrementally as offsets grow."""

    def __init__(self, text: str):
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def iter_rows(text: str, source: str = "<dump>") -> Iterator[DumpRow]:
    """Yield every row of every INSERT ... VALUES statement in a dump's text."""
    lines = _Lines(text)
    for insert in _INSERT.finditer(text):
        table = insert.group(1)
        columns = [c.strip().strip("`") for c in insert.group(2).split(",")]
        pos = insert.end()
        row: list | None = None
        row_start = pos
        while True:
            m = _TOKEN.match(text, pos)
            if not m:
                line = lines.at(pos)
                raise DumpError(f"{source}, line {line}: cannot read the value here")
            pos = m.end()
            if m.group("punct") == "(":
                row, row_start = [], m.start("punct")
            elif m.group("punct") == ")":
                if row is None or len(row) != len(columns):
                    line = lines.at(row_start)
                    raise DumpError(
                        f"{source}, line {line}: expected {len(columns)} values "
                        f"({', '.join(columns)}), found {0 if row is None else len(row)}"
                    )
                yield DumpRow(table, dict(zip(columns, row, strict=True)), lines.at(row_start))
                row = None
            elif m.group("punct") == ";":
                break
            elif m.group("punct") == ",":
                continue
            elif row is None:
                line = lines.at(pos)
                raise DumpError(f"{source}, line {line}: a value outside a row")
            elif m.group("str") is not None:
                row.append(_unescape(m.group("str")))
            elif m.group("num") is not None:
                row.append(float(m.group("num")))
            else:
                row.append(None)


def read_rows(path: Path, table: str) -> list[DumpRow]:
    """All rows of one table from a dump file."""
    text = path.read_text(encoding="utf-8")
    return [r for r in iter_rows(text, str(path)) if r.table == table]
