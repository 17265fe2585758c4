"""What an upload would change against the active data: coverage before and after for every
regency and period it touches, the largest moves, new and missing areas; and the same for
targets. Plain functions; nothing is written."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from geo_coverage.enrollment import store
from geo_coverage.enrollment.table import COLUMNS as ROW_COLUMNS
from geo_coverage.enrollment.targets import DEFAULT_TARGET_PCT
from geo_coverage.metrics.compute import compute_metrics, regency_codes

LOGGER = logging.getLogger(__name__)

LARGEST_MOVES = 10


@dataclass(frozen=True)
class Move:
    """One regency in one period: coverage before and after, in percent."""

    kode: str
    nama: str
    period: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        """after − before in percentage points, None when either is missing."""
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class EnrollmentChanges:
    """What importing some rows would change."""

    rows: int
    periods: tuple[str, ...]
    areas: int
    segments: dict[str, int]
    data_sources: dict[str, int]
    replaced_rows: int  # active rows the file replaces
    moves: tuple[Move, ...]  # every (regency, period) the file touches
    largest: tuple[Move, ...]
    new_areas: tuple[Move, ...]  # no figures before, figures after
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)  # period -> regencies
    map_period: str | None = None  # the latest period of the file, drawn on the change map

    def map_changes(self) -> dict[str, float | None]:
        """Coverage change per regency in map_period (None: new, or no figures)."""
        return {m.kode: m.change for m in self.moves if m.period == self.map_period}


def _number(value) -> float | None:
    """A float, or None for NA."""
    return None if value is None or pd.isna(value) else float(value)


def _counts(values: pd.Series) -> dict[str, int]:
    """How often each value occurs, by value."""
    return {str(k): int(n) for k, n in values.value_counts().sort_index().items()}


def merged_rows(active: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The rows an import would leave active: the new rows and every active row they do not
    replace (the store's copy-on-write rule: rows of a regency, period and segment the new rows
    give, at regency or at district level, are all replaced)."""
    key = ["_regency", "period", "segment"]
    new = new.loc[:, [c for c in ROW_COLUMNS if c in new.columns]]
    given = new.assign(_regency=regency_codes(new["kode"])).loc[:, key].drop_duplicates()
    kept = active.assign(_regency=regency_codes(active["kode"])).merge(
        given, on=key, how="left", indicator=True
    )
    kept = kept[kept["_merge"] == "left_only"].drop(columns=["_merge", "_regency"])
    return pd.concat([kept, new.astype(active.dtypes.to_dict())], ignore_index=True)


def enrollment_changes(snapshot: store.Snapshot, new: pd.DataFrame) -> EnrollmentChanges:
    """Compare the active data with the data after importing `new` (validated rows)."""
    periods = sorted(new["period"].unique().tolist())
    after_rows = merged_rows(snapshot.rows, new)
    # coverage does not depend on provenance (it only labels the figures): none for the after
    args = (snapshot.areas, snapshot.targets)
    before = compute_metrics(
        snapshot.rows, *args, snapshot.provenance, level="regency", periods=periods
    )
    after = compute_metrics(after_rows, *args, None, level="regency", periods=periods)
    both = before.loc[:, ["kode", "nama", "period", "coverage_pct", "active_members"]].merge(
        after.loc[:, ["kode", "period", "coverage_pct", "active_members"]],
        on=["kode", "period"],
        suffixes=("_before", "_after"),
    )
    touched = set(zip(regency_codes(new["kode"]), new["period"], strict=True))
    moves = tuple(
        Move(
            str(r.kode),
            str(r.nama),
            str(r.period),
            _number(r.coverage_pct_before),
            _number(r.coverage_pct_after),
        )
        for r in both.itertuples()
        if (r.kode, r.period) in touched
    )
    known = set(zip(regency_codes(snapshot.rows["kode"]), snapshot.rows["period"], strict=True))
    missing = {
        p: tuple(
            sorted(both.loc[(both["period"] == p) & both["active_members_after"].isna(), "kode"])
        )
        for p in periods
    }
    replaced = len(snapshot.rows) + len(new) - len(after_rows)
    return EnrollmentChanges(
        rows=len(new),
        periods=tuple(periods),
        areas=new["kode"].nunique(),
        segments=_counts(new["segment"]),
        data_sources=_counts(new["data_source"]),
        replaced_rows=replaced,
        moves=moves,
        largest=tuple(
            sorted(
                (m for m in moves if m.change),
                key=lambda m: (-abs(m.change or 0), m.kode, m.period),
            )[:LARGEST_MOVES]
        ),
        new_areas=tuple(m for m in moves if (m.kode, m.period) not in known),
        missing={p: codes for p, codes in missing.items() if codes},
        map_period=periods[-1] if periods else None,
    )


@dataclass(frozen=True)
class TargetChange:
    """One target before and after an import."""

    kode: str
    nama: str
    year: int
    before: float  # the target in force before
    after: float
    source: str


def target_changes(
    active: pd.DataFrame, new: pd.DataFrame, names: dict[str, str]
) -> tuple[TargetChange, ...]:
    """Every target of the file that differs from the target in force for its area and year
    (the area's own, else its province's, else the default)."""
    current = {
        (k, int(y)): float(p)
        for k, y, p in active.loc[:, ["kode", "year", "target_pct"]].itertuples(index=False)
    }
    out = []
    for k, y, p, s in new.loc[:, ["kode", "year", "target_pct", "source"]].itertuples(index=False):
        year = int(y)
        before = current.get((k, year), current.get((k[:2], year), DEFAULT_TARGET_PCT))
        if before != float(p):
            out.append(TargetChange(k, names.get(k, k), year, before, float(p), s))
    return tuple(sorted(out, key=lambda c: (c.year, c.kode)))
