"""Showing what a cell really holds, and hints for likely mistakes in codes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from geo_coverage.enrollment.table import AreaInfo

SHOWN_CHARS = 60
_CONTROL_NAMES = {
    "\x00": "NUL",
    "\t": "TAB",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}


def _invisible(char: str) -> bool:
    """Whether a character cannot be seen: controls, format marks, separators but the space."""
    return not char.isprintable()


def char_name(char: str) -> str:
    """U+XXXX and the character's Unicode name, e.g. 'U+200B ZERO WIDTH SPACE'."""
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def visible(text: str, limit: int = SHOWN_CHARS) -> str:
    """The text with every invisible character written as <U+XXXX>, cut after `limit`
    characters."""
    cut = text if len(text) <= limit else text[:limit]
    if cut.isprintable():
        shown = cut
    else:
        shown = "".join(f"<U+{ord(c):04X}>" if _invisible(c) else c for c in cut)
    return shown if cut is text else f"{shown}… ({len(text):,} characters)"


def quoted(text: str) -> str:
    """The text in single quotes as visible() shows it."""
    return f"'{visible(text)}'"


def invisible_note(text: str) -> str:
    """A note naming the invisible characters a text contains, or ''."""
    if text.isprintable():
        return ""
    found = list(dict.fromkeys(c for c in text if _invisible(c)))
    names = ", ".join(char_name(c) for c in found[:3]) + (", …" if len(found) > 3 else "")
    return f" (it contains {names}, which cannot be seen; delete or retype it)"


def without_invisible(text: str) -> str:
    """The text with its invisible characters removed."""
    return "".join(c for c in text if not _invisible(c))


def code_hint(kode: str, areas: Mapping[str, AreaInfo]) -> str:
    """A hint for a malformed regency or district code that is probably a known one, or ''.

    Catches a code typed without its dots (7101 for 71.01; 730101 for the district 73.01.01),
    a decimal comma (73,71), a dropped trailing zero (73.1 for 73.10), a dropped leading zero
    (73.71.1 for 73.71.01) and invisible characters.
    """
    plain = without_invisible(kode)
    if plain != kode and plain in areas:
        return (
            f" (did you mean {plain}, {areas[plain].nama}? the cell also holds characters "
            "that cannot be seen)"
        )
    candidates = []
    if re.fullmatch(r"\d{4}", plain):
        candidates.append(f"{plain[:2]}.{plain[2:]}")
    if re.fullmatch(r"\d{2},\d{2}", plain):
        candidates.append(plain.replace(",", "."))
    for guess in candidates:
        if guess in areas:
            return (
                f" (did you mean {guess}, {areas[guess].nama}? a spreadsheet may have turned "
                "the code into a number; format the column as text)"
            )
    if re.fullmatch(r"\d{6}", plain) and f"{plain[:2]}.{plain[2:4]}" in areas:
        regency, district = f"{plain[:2]}.{plain[2:4]}", f"{plain[:2]}.{plain[2:4]}.{plain[4:]}"
        if district in areas:
            return (
                f" (did you mean {district}, {areas[district].nama}, a district (kecamatan) of "
                f"{areas[regency].nama}? a spreadsheet may have turned the code into a number; "
                "format the column as text)"
            )
        return (
            f" (did you mean {district}? {areas[regency].nama} has no such district "
            "(kecamatan); a spreadsheet may have turned the code into a number)"
        )
    if re.fullmatch(r"\d{2}\.\d{2}\.\d", plain) and plain[:-1] + "0" + plain[-1] in areas:
        fixed = plain[:-1] + "0" + plain[-1]
        return (
            f" (did you mean {fixed}, {areas[fixed].nama}? district codes have two digits "
            "after the last dot; format the column as text)"
        )
    if re.fullmatch(r"\d{2}\.\d", plain) and plain + "0" in areas:
        return (
            f" (did a spreadsheet drop the trailing zero? {plain}0 is "
            f"{areas[plain + '0'].nama}; format the column as text)"
        )
    return ""


def district_hint(kode: str, siblings: list[str], areas: Mapping[str, AreaInfo]) -> str:
    """A hint for an unknown district code that differs from one of its regency's districts
    (`siblings`) by two digits swapped, or ''."""
    last = kode.rsplit(".", 1)[-1]
    swapped = f"{kode.rsplit('.', 1)[0]}.{last[::-1]}"
    if len(last) == 2 and swapped != kode and swapped in siblings:
        return f" (did you mean {swapped}, {areas[swapped].nama}? the digits look swapped)"
    return ""
