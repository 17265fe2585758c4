"""Checks of single cells of an enrollment table: codes, periods, segments, counts, sources.

Each check returns what is wrong (None if nothing), showing invisible characters as <U+XXXX>
and hinting at the likely mistake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from geo_coverage.enrollment.hints import code_hint, district_hint, invisible_note, quoted
from geo_coverage.enrollment.table import DATA_SOURCES, MAX_COUNT, AreaInfo
from geo_coverage.region import (
    PERIOD_YEARS,
    PROVINCES,
    level_of,
    period_problem,
    province_of,
    segment_problem,
)

FUTURE_MONTHS = 12
ROW_LEVELS = ("regency", "district")  # the levels an enrollment row may be of
FIRST_YEAR, LAST_YEAR = PERIOD_YEARS

_CODE = re.compile(r"\d{2}(\.\d{2}){0,2}")
_GROUPED = re.compile(r"\d{1,3}([.,]\d{3})+")


def parse_count(text: str) -> tuple[int | None, str | None]:
    """A whole number >= 0 from a cell, or None and what is wrong with it."""
    s = text.strip()
    if s.isascii() and s.isdigit():
        value = int(s)
        if value >= MAX_COUNT:
            return None, f"{s} is too large to be a number of workers"
        return value, None
    note = invisible_note(s)
    if s.startswith("-") and any(c.isdigit() for c in s):
        return None, f"{quoted(s)} is negative; counts are whole numbers >= 0{note}"
    if _GROUPED.fullmatch(s):
        return None, (
            f"'{s}' has a thousands separator, which is ambiguous ({s} may mean "
            f"{re.sub(r'[.,]', '', s)} or a decimal); write whole numbers as plain "
            "digits"
        )
    if re.fullmatch(r"[\d.,\s]+", s):
        return None, (
            f"{quoted(s)} is not a whole number; counts are whole numbers written as digits{note}"
        )
    return None, f"{quoted(s)} is not a whole number{note}"


def check_kode(kode: str, areas: Mapping[str, AreaInfo]) -> str | None:
    """What is wrong with a regency/city or district code, or None if it is one of the region
    (the areas are the region's provinces, regencies and districts)."""
    if kode == "":
        return "kode is blank"
    area = areas.get(kode)
    if area is not None:
        if area.level in ROW_LEVELS:
            return None
        return (
            f"'{kode}' is the {area.level} code of {area.nama}; rows must be regencies or "
            "cities (kode like 73.71) or their districts (73.71.01); province figures are sums "
            "of their regencies"
        )
    if not _CODE.fullmatch(kode):
        hint = code_hint(kode, areas) or invisible_note(kode)
        return f"{quoted(kode)} is not a Kemendagri code like 73.71 or 73.71.01{hint}"
    provinces = sorted(k for k, a in areas.items() if a.level == "province")
    if province_of(kode) not in provinces:
        named = PROVINCES.get(province_of(kode))
        where = f"a code of {named}, " if named else ""
        return f"'{kode}' is {where}not in the region (province codes {', '.join(provinces)})"
    if level_of(kode) == "district":
        return unknown_district(kode, areas)
    if level_of(kode) == "province":
        return f"unknown province code '{kode}'"
    province = areas.get(province_of(kode))
    where = f" of {province.nama}" if province else ""
    return f"unknown regency/city code '{kode}'{where}"


def unknown_district(kode: str, areas: Mapping[str, AreaInfo]) -> str:
    """The message for a district code the region does not have, with a near miss named."""
    regency_code = kode.rsplit(".", 1)[0]
    regency = areas.get(regency_code)
    if regency is None or regency.level != "regency":
        province = areas.get(province_of(kode))
        where = f" of {province.nama}" if province else ""
        return (
            f"unknown district (kecamatan) code '{kode}': there is no regency/city "
            f"{regency_code}{where}"
        )
    own = sorted(k for k, a in areas.items() if a.level == "district" and k[:6] == kode[:6])
    near = district_hint(kode, own, areas)
    span = f"; its districts are {own[0]} to {own[-1]}" if own else ""
    return (
        f"unknown district (kecamatan) code '{kode}' of {regency.nama} ({regency_code}){span}{near}"
    )


def months_after(period: str, today: date) -> int:
    """How many months a YYYY-MM period lies after today's month (negative if before)."""
    year, month = int(period[:4]), int(period[5:7])
    return (year - today.year) * 12 + month - today.month


def _shown(message: str, value: str) -> str:
    """A message quoting a cell, with the cell's invisible characters shown and named."""
    if value.isprintable():
        return message
    return message.replace(f"'{value}'", quoted(value)) + invisible_note(value)


def check_period(period: str, today: date | None = None) -> str | None:
    """What is wrong with a YYYY-MM period, or None.

    With `today`, a period more than FUTURE_MONTHS months after it is refused too (a typo
    like 2052 for 2025 would otherwise become the latest period every map shows).
    """
    problem = period_problem(period)
    if problem:
        return _shown(problem, period)
    if today is not None and months_after(period, today) > FUTURE_MONTHS:
        return (
            f"period {period} is more than {FUTURE_MONTHS} months after today "
            f"({today:%Y-%m}); a typo? Future periods are imported only with "
            "--allow-future"
        )
    return None


def check_segment(segment: str) -> str | None:
    """What is wrong with a segment, or None."""
    problem = segment_problem(segment)
    return _shown(problem, segment) if problem else None


def check_data_source(value: str) -> str | None:
    """What is wrong with a (stripped, non-blank) data_source cell, or None."""
    if value.lower() in DATA_SOURCES:
        return None
    return f"unknown data_source {quoted(value)}: use published or modelled{invisible_note(value)}"
