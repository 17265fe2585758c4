"""The published figures of an area around a period, and whether a shown figure agrees with
them at their stated precision; plain functions on the evidence table, no I/O.

"Around" is within WINDOW_MONTHS of the period shown: a figure of a month by its distance, a
bare year by the distance to its nearest month, "2019/2020" by its nearest month of either
year. A shown figure agrees with a published one when the published figure allows it: an
exact or rounded percentage at its stated decimals, an exact count exactly, a rounded count
within its rounding ("1,327 juta": 1,326,500–1,327,499), an approximate figure within 5 % (a
count) or 2 points (a percentage), a bound on its side.
"""

from __future__ import annotations

import logging
import math
import re

import pandas as pd

LOGGER = logging.getLogger(__name__)

WINDOW_MONTHS = 12
# The published metrics a shown field can be compared with: evidence metric -> (field of the
# metrics, whether the published figure is of all segments). Listed in the order figures are
# shown: the headline indicator first.
COMPARED = {
    "coverage_pct": ("coverage_pct", True),
    "active_members": ("active_members", True),
    "potential_workers": ("potential_workers", True),
    "coverage_pct_informal": ("informal_coverage_pct", False),
    "coverage_pct_wage": ("wage_coverage_pct", False),
}
APPROXIMATE_POINTS = 2.0  # an approximate percentage allows this many points either way
APPROXIMATE_SHARE = 0.05  # an approximate count allows this share either way
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2}))?(?:/(\d{4}))?")


def is_percentage(metric: str) -> bool:
    """Whether a published metric is a percentage (coverage, targets) rather than a count."""
    return metric.startswith(("coverage_pct", "target_pct"))


def _months(period: str) -> tuple[int, int] | None:
    """The first and last month a published period covers, as month counts; None if unreadable."""
    match = _PERIOD.fullmatch(period)
    if not match:
        return None
    first, month, second = match.groups()
    if month is not None:
        index = int(first) * 12 + int(month) - 1
        return index, index
    return int(first) * 12, int(second or first) * 12 + 11


def months_apart(published: str, shown: str) -> int | None:
    """How many months a published period lies from a shown month (YYYY-MM); 0 inside it."""
    span = _months(published)
    year, month = shown.split("-")
    at = int(year) * 12 + int(month) - 1
    if span is None:
        return None
    return max(span[0] - at, at - span[1], 0)


def _order(metric: str) -> int:
    """Where a metric's figures come in a list: the compared metrics first, in their order."""
    keys = list(COMPARED)
    return keys.index(metric) if metric in keys else len(keys)


def around(evidence: pd.DataFrame, kode: str, period: str, window: int = WINDOW_MONTHS):
    """The figures of one area (its own code only) within `window` months of a shown period,
    with their distance: the figures of the shown metrics (coverage, members, potential) first,
    each group nearest first, then in COMPARED order and file order."""
    own = evidence[evidence["kode"] == kode]
    if own.empty:
        return own.assign(distance=pd.Series(dtype="int64"))
    distance = own["period"].map(lambda p: months_apart(p, period))
    near = own.assign(distance=distance)
    near = near[near["distance"].notna() & (near["distance"] <= window)]
    near = near.assign(
        distance=near["distance"].astype("int64"),
        _tier=(~near["metric"].isin(list(COMPARED))).astype("int64"),
        _order=near["metric"].map(_order),
    )
    order = ["_tier", "distance", "_order", "line"]
    return near.sort_values(order).drop(columns=["_tier", "_order"])


def _rounding_unit(value: float) -> float:
    """The unit a rounded count was written to: 1,327,000 -> 1,000."""
    number, unit = int(round(value)), 1
    while number and number % 10 == 0:
        number, unit = number // 10, unit * 10
    return unit


def allows(metric: str, number: float, decimals: int, qualifier: str, shown: float) -> bool:
    """Whether a published figure (its number, decimals as written and qualifier) allows the
    shown value, at the figure's own precision."""
    if shown is None or (isinstance(shown, float) and math.isnan(shown)):
        return False
    if qualifier == "lower_bound":
        return shown >= number
    if qualifier == "upper_bound":
        return shown <= number
    percentage = is_percentage(metric)
    if qualifier == "approximate":
        room = APPROXIMATE_POINTS if percentage else APPROXIMATE_SHARE * abs(number)
        return abs(shown - number) <= room
    if percentage:  # shown percentages have two decimals: finer figures are met at two
        half = 0.5 * 10.0 ** -min(decimals, 2)
        return abs(shown - number) <= half + 1e-9
    if qualifier == "rounded":
        unit = _rounding_unit(number)
        return number - unit / 2 <= shown < number + unit / 2
    return round(shown) == round(number)
