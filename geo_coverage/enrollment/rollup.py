"""The rule by which district rows sum to their regency: one source per regency, period and
segment.

A regency's figures for a (period, segment) are either its own row or the sum of rows for every
one of its districts. A file giving both, or only some of the districts, is refused: a sum of
part of a regency's districts would be shown as the whole regency's figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

from geo_coverage.enrollment.store import REGENCY_CODE_CHARS
from geo_coverage.enrollment.table import AreaInfo, Problem

SHOWN_CODES = 10


def regency_of(kode: str) -> str:
    """The regency part of a district code ('73.71.01' -> '73.71')."""
    return kode[:REGENCY_CODE_CHARS]


def _listed(items: list, limit: int = SHOWN_CODES) -> str:
    """The first `limit` items, comma-separated, with '…' when there are more."""
    return ", ".join(map(str, items[:limit])) + (", …" if len(items) > limit else "")


def rollup_problems(
    districts: Mapping[tuple[str, str, str], int],
    regency_row: Callable[[str, str, str], int],
    areas: Mapping[str, AreaInfo],
) -> list[Problem]:
    """Errors for every regency, period and segment whose district rows (kode, period, segment
    to row) cannot be summed into the regency's figure: the regency also has a row of its own
    (`regency_row` gives its row, 0 if none), or some of its districts have no row."""
    groups: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    for (kode, period, segment), line in districts.items():
        groups[(regency_of(kode), period, segment)][kode] = line
    if not groups:
        return []
    members: dict[str, list[str]] = defaultdict(list)
    for kode, area in areas.items():
        if area.level == "district":
            members[regency_of(kode)].append(kode)
    problems = []
    for (regency, period, segment), given in sorted(groups.items()):
        name = areas[regency].nama if regency in areas else regency
        lines = sorted(given.values())
        own = regency_row(regency, period, segment)
        rows = "rows" if len(lines) > 1 else "row"
        if own:
            problems.append(
                Problem(
                    own,
                    "kode",
                    (
                        f"regency {regency} ({name}) has a row of its own for {period} {segment} "
                        f"and rows for {len(given)} of its districts ({rows} {_listed(lines, 5)}); "
                        "its figures are either its own row or the sum of its districts' rows: "
                        "remove one or the other"
                    ),
                )
            )
        every = sorted(members.get(regency, []))
        missing = [k for k in every if k not in given]
        if missing:
            problems.append(
                Problem(
                    lines[0],
                    "kode",
                    (
                        f"valid rows for only {len(given)} of the {len(every)} districts of "
                        f"{regency} ({name}) in {period} {segment}; missing {len(missing)}: "
                        f"{_listed(missing)}; a regency's figures are the sum of all its "
                        "districts: give a row for every district, or only the regency's row"
                    ),
                )
            )
    return problems
