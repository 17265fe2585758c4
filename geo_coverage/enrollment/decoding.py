"""Turning a table file's bytes into numbered text lines: the encoding, and the line limit.

The encoding is found from the first bytes: a byte-order mark (UTF-8, UTF-16 LE/BE), UTF-16
without one (every other byte NUL), otherwise UTF-8; a file that turns out not to be UTF-8 is
read as Windows-1252 (what Excel on Windows saves as "CSV"), with a warning. Lines are read one
at a time with bounded memory; a line longer than MAX_LINE_CHARS is skipped with an error.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from geo_coverage.enrollment.hints import visible
from geo_coverage.enrollment.table import Problem, Problems

HEAD_BYTES = 4096
MAX_LINE_CHARS = 65_536
BLANK = " \t\r\n,;"
SAVE_AS = 'save the file as "CSV UTF-8"'

_ESCAPED = re.compile("[\udc80-\udcff]")
_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or OpenDocument .ods workbook?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
)


@dataclass(frozen=True)
class Encoding:
    """An encoding as found in a file: its name for messages and the codec reading it."""

    name: str
    codec: str
    errors: str = "strict"


UTF8 = Encoding("UTF-8", "utf-8", "surrogateescape")


def _utf16_without_bom(head: bytes) -> str | None:
    """'le' or 'be' if the bytes look like UTF-16 text without a byte-order mark."""
    pairs = len(head) // 2
    if pairs == 0:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd >= 0.3 * pairs and even <= 0.05 * pairs:
        return "le"
    if even >= 0.3 * pairs and odd <= 0.05 * pairs:
        return "be"
    return None


def detect(head: bytes) -> Encoding | str:
    """The encoding of a file from its first bytes, or why it is not a text table."""
    if head.startswith(codecs.BOM_UTF8):
        return Encoding("UTF-8 with BOM", "utf-8-sig", "surrogateescape")
    if head.startswith(codecs.BOM_UTF16_LE):
        return Encoding("UTF-16 LE with BOM", "utf-16", "replace")
    if head.startswith(codecs.BOM_UTF16_BE):
        return Encoding("UTF-16 BE with BOM", "utf-16", "replace")
    for signature, what in _SIGNATURES:
        if head.startswith(signature):
            return f"the file is {what}, not a CSV text file; open it and {SAVE_AS}"
    order = _utf16_without_bom(head)
    if order:
        return Encoding(f"UTF-16 {order.upper()} without BOM", f"utf-16-{order}", "replace")
    return UTF8


class TextLines(Iterator[str]):
    """The lines of a table file with their line ends, as csv.reader wants them.

    Counts lines, notes whether any holds more than separators, counts double quotes (so an
    unclosed quote can be told from a multi-line value), and reports decoding problems and
    over-long lines as errors and warnings with their line numbers.
    """

    def __init__(
        self, stream: BinaryIO, encoding: Encoding, errors: Problems, warnings: Problems
    ) -> None:
        self.encoding = encoding
        self._text = io.TextIOWrapper(
            stream, encoding=encoding.codec, errors=encoding.errors, newline=""
        )
        self._errors, self._warnings = errors, warnings
        self.line = 0
        self.quotes = 0
        self.exhausted = False
        self.has_content = False
        self._utf8_line: int | None = None
        self._cp1252_line: int | None = None

    def __next__(self) -> str:
        line = self._text.readline(MAX_LINE_CHARS + 2)
        if not line:
            self.exhausted = True
            raise StopIteration
        self.line += 1
        self.has_content = self.has_content or bool(line.strip(BLANK))
        if len(line) > MAX_LINE_CHARS and len(line.rstrip("\r\n")) > MAX_LINE_CHARS:
            self._skip_rest(line)
            self._error(
                f"the line is longer than {MAX_LINE_CHARS:,} characters; it was skipped "
                "(is this a CSV file? is a line break missing?)"
            )
            return "\n"
        if not line.isascii():
            line = self._decoded(line)
        if "\x00" in line:
            self._error(
                "the line contains NUL characters (U+0000), which a text file does not have; "
                "it was skipped (a binary file, or UTF-16 that lost its first byte?)"
            )
            return "\n"
        self.quotes += line.count('"')
        return line

    def drain(self) -> None:
        """Read the rest of the file without looking at it (to finish its checksum)."""
        while self._text.read(1 << 16):
            pass

    def detach(self) -> None:
        """Let go of the byte stream without closing it."""
        self._text.detach()

    def _skip_rest(self, line: str) -> None:
        """Read past the rest of an over-long line."""
        while line and not line.endswith(("\n", "\r")):
            line = self._text.readline(MAX_LINE_CHARS)

    def _error(self, message: str) -> None:
        self._errors.add(Problem(self.line, None, message))

    def _decoded(self, line: str) -> str:
        """A non-ASCII line decoded for real: UTF-16 checked, or UTF-8 falling back to
        Windows-1252."""
        if self.encoding.codec.startswith("utf-16"):
            if "\ufffd" in line:
                self._error(f"the line is not valid {self.encoding.name} (shown as U+FFFD)")
            return line
        bad = _ESCAPED.search(line)
        if self._cp1252_line is not None:
            if bad is None:
                self._error(
                    f"the line is UTF-8 but line {self._cp1252_line} is Windows-1252; the "
                    f"file mixes encodings: {SAVE_AS}"
                )
                return line
            return self._windows_1252(line)
        if bad is None:
            self._utf8_line = self._utf8_line or self.line
            return line
        mixed = any(ord(c) > 0x7F and not _ESCAPED.match(c) for c in line)
        byte = ord(bad.group()) - 0xDC00
        if self.encoding is UTF8 and self._utf8_line is None and not mixed:
            self._cp1252_line = self.line
            self.encoding = Encoding("Windows-1252", "cp1252")
            try:
                char = visible(bytes([byte]).decode("cp1252"))
            except UnicodeDecodeError:
                return self._windows_1252(line)
            self._warnings.add(
                Problem(
                    self.line,
                    None,
                    (
                        f"the file is not UTF-8 (byte 0x{byte:02x} at character "
                        f"{bad.start() + 1}); read as Windows-1252, where that byte is "
                        f"'{char}'; if letters look wrong, {SAVE_AS}"
                    ),
                )
            )
            return self._windows_1252(line)
        where = (
            f"; line {self._utf8_line} is UTF-8"
            if self._utf8_line
            else "; the file starts with a UTF-8 byte-order mark"
            if self.encoding is not UTF8
            else ""
        )
        self._error(
            f"not UTF-8 (byte 0x{byte:02x} at character {bad.start() + 1}){where}: the file "
            f"mixes encodings; {SAVE_AS}"
        )
        return _ESCAPED.sub("\ufffd", line)

    def _windows_1252(self, line: str) -> str:
        """A line whose bytes are Windows-1252, decoded; bytes it does not define are errors."""
        raw = line.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            self._error(
                f"byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} is neither UTF-8 nor "
                f"Windows-1252; {SAVE_AS}"
            )
            return raw.decode("cp1252", "replace")


def decode_whole(data: bytes) -> tuple[str | None, list[Problem]]:
    """A small table file's text in its detected encoding (Windows-1252 when it is not UTF-8),
    or the problem that stops it being read."""
    found = detect(data[:4096])
    if isinstance(found, str):
        return None, [Problem(1, None, found)]
    try:
        return data.decode(found.codec), []
    except UnicodeDecodeError as exc:
        if found is not UTF8:
            return None, [Problem(None, None, f"not valid {found.name} text at byte {exc.start}")]
    try:
        return data.decode("cp1252"), []
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                None, None, f"neither UTF-8 nor Windows-1252 text (byte {exc.start}); {SAVE_AS}"
            )
        ]
