"""`geo-coverage summary` on the built sample reproduces every published figure of a sample
period: exact counts exactly, percentages at their stated decimals, rounded counts within
their rounding interval, bounds; conflicting figures are never anchors.

The figures to check are chosen from the evidence file by its own columns (not by the
model's code): BPJS-basis figures of the region's areas for a sample period, not conflicting.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.sample import PERIODS
from geo_coverage.sources.evidence import EVIDENCE_CSV

pytest_plugins = ["enrollment_fixtures"]

# metric -> (segment for --segment, summary column holding it)
METRICS = {
    "active_members": (None, "active_members"),
    "potential_workers": (None, "potential_workers"),
    "coverage_pct": (None, "coverage_pct"),
    "uncovered_workers": (None, "uncovered"),
    "members_wage": ("wage", "active_members"),
    "members_wage_and_migrant": ("wage", "active_members"),
    "members_informal": ("informal", "active_members"),
    "members_construction": ("construction", "active_members"),
    "potential_wage": ("wage", "potential_workers"),
    "potential_informal": ("informal", "potential_workers"),
    "coverage_pct_wage": (None, "wage_coverage_pct"),
    "coverage_pct_informal": (None, "informal_coverage_pct"),
    "coverage_pct_construction": ("construction", "coverage_pct"),
}


def figures_to_check() -> pd.DataFrame:
    """The evidence rows a sample period must reproduce."""
    ev = pd.read_csv(EVIDENCE_CSV, dtype=str, keep_default_na=False)
    return ev[
        ev["period"].isin(PERIODS)
        & ev["level"].isin(["province", "regency", "region"])
        & ev["basis"].str.startswith("bpjs")
        & (ev["consistency"] != "conflicting")
        & ev["metric"].isin(list(METRICS))
    ]


@pytest.fixture(scope="module")
def summary(sample_store_template):
    """summary(level, period, segment) -> {kode: row}, by running the real command."""
    from geo_coverage.cli.main import main

    cache: dict[tuple, dict] = {}

    def run(level: str, period: str, segment: str | None) -> dict:
        key = (level, period, segment)
        if key not in cache:
            args = ["summary", "--level", level, "--period", period, "--format", "json"]
            args += ["--segment", segment] if segment else []
            out = io.StringIO()
            old = os.environ.get("GEO_COVERAGE_INSTANCE")
            os.environ["GEO_COVERAGE_INSTANCE"] = str(sample_store_template.instance)
            try:
                with contextlib.redirect_stdout(out):
                    assert main(args) == 0
            finally:
                if old is None:
                    del os.environ["GEO_COVERAGE_INSTANCE"]
                else:
                    os.environ["GEO_COVERAGE_INSTANCE"] = old
            cache[key] = {r["kode"]: r for r in json.loads(out.getvalue())}
        return cache[key]

    return run


def shown(row: dict, column: str):
    """A value of a summary row (uncovered workers = potential - members)."""
    if column == "uncovered":
        return row["potential_workers"] - row["active_members"]
    return row[column]


def meets(got, figure) -> bool:
    """Whether a shown value meets a published figure at its qualifier."""
    value, qualifier = Decimal(figure.value), figure.qualifier
    got = Decimal(str(got))
    if figure.metric.startswith("coverage_pct"):
        if qualifier in ("exact", "rounded"):
            step = Decimal(1).scaleb(value.as_tuple().exponent)
            return got.quantize(step, rounding=ROUND_HALF_UP) == value
        if qualifier == "approximate":
            return abs(got - value) <= 2
    else:
        if qualifier == "exact":
            return got == value
        if qualifier == "rounded":
            digits = str(int(value))
            unit = Decimal(10) ** (len(digits) - len(digits.rstrip("0")))
            return value - unit / 2 <= got < value + unit / 2
        if qualifier == "approximate":
            return abs(got - value) <= value / 20
    if qualifier == "lower_bound":
        return got >= value
    if qualifier == "upper_bound":
        return got <= value
    raise AssertionError(f"unexpected qualifier {qualifier}")


def test_every_published_figure_of_a_sample_period_is_reproduced(summary):
    figures = figures_to_check()
    assert (figures["qualifier"] == "exact").sum() >= 60  # the table holds that many
    failures, checked = [], 0
    for figure in figures.itertuples():
        segment, column = METRICS[figure.metric]
        rows = summary(figure.level, figure.period, segment)
        row = rows[figure.kode]
        got = shown(row, column)
        checked += 1
        if got is None or not meets(got, figure):
            failures.append(
                f"line {figure.Index + 2}: {figure.kode} {figure.period} {figure.metric} "
                f"{figure.qualifier} {figure.value}, summary shows {got}"
            )
    assert checked == len(figures)
    assert not failures, "\n".join(failures)


def test_conflicting_figures_are_flagged_and_not_anchors(summary, sample_store_template):

    stored = open_store(sample_store_template).read_evidence()
    conflicting = stored[stored["consistency"] == "conflicting"]
    assert len(conflicting) > 0
    assert conflicting["use"].str.startswith("skipped: conflicting").all()
    # the provenance of no figure cites a conflicting line
    snapshot = open_store(sample_store_template).read_snapshot()
    cited = {int(n) for text in snapshot.provenance["evidence"].dropna() for n in str(text).split()}
    assert cited and cited.isdisjoint(set(conflicting["line"]))
    assert set(stored.loc[stored["use"].str.startswith("anchor"), "line"]) <= cited
