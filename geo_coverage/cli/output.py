"""Printing text that users and files control (file names, cells, messages quoting them) with
control characters escaped, so a terminal shows them instead of obeying them."""

from __future__ import annotations

import logging
import re
import sys

# C0 and C1 controls, DEL, line/paragraph separators, bidirectional overrides and isolates,
# and lone surrogates (undecodable bytes in file names), which print() cannot encode.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_KEEPING_LINES = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match) -> str:
    """A character as a Python-style escape: \\r, \\x1b, \\u202e."""
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escape(text: str, keep_lines: bool = False) -> str:
    """The text with control characters written as \\x1b etc.; line feeds kept if asked."""
    pattern = _CONTROL_KEEPING_LINES if keep_lines else _CONTROL
    return pattern.sub(_escaped, str(text))


def say(text: str = "") -> None:
    """Print one line to standard output, escaped."""
    print(escape(text), file=sys.stdout)


def complain(text: str) -> None:
    """Print a message to standard error, escaped (its own line breaks kept)."""
    print(escape(text, keep_lines=True), file=sys.stderr)


class EscapingFormatter(logging.Formatter):
    """A log formatter that escapes control characters in every message."""

    def format(self, record: logging.LogRecord) -> str:
        """The formatted record, escaped (line breaks kept)."""
        return escape(super().format(record), keep_lines=True)
