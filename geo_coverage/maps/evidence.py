"""The published figures as people read them, in the page's language: one figure's period,
metric, value, qualifier and flags, and for an area on the map the figures around the period
shown with a note when the shown figure is modelled and differs from them; no Flask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from geo_coverage.i18n import MESSAGES, format_number, format_period, text
from geo_coverage.metrics.published import (
    COMPARED,
    WINDOW_MONTHS,
    allows,
    around,
    is_percentage,
)
from geo_coverage.metrics.registry import FIELD
from geo_coverage.sources.evidence import outlet

LOGGER = logging.getLogger(__name__)

SHOWN_PER_AREA = 4  # figures a tooltip lists; the sources page has them all
PUBLISHED = "published"


@dataclass(frozen=True)
class Figure:
    """One published figure as shown: every part already in the page's language."""

    line: int
    period: str
    metric: str
    value: str
    qualifier: str
    source: str
    conflicting: bool

    def to_json(self) -> dict:
        """The figure for the browser."""
        return {
            "line": self.line,
            "period": self.period,
            "metric": self.metric,
            "value": self.value,
            "qualifier": self.qualifier,
            "source": self.source,
            "conflicting": self.conflicting,
        }


@dataclass(frozen=True)
class AreaEvidence:
    """What the tooltip and the area's detail say about the published figures of an area."""

    figures: tuple[Figure, ...] = ()
    note: str | None = None  # the shown figure is modelled and differs, or nothing published
    more: int = 0  # further figures of the area on the sources page


def period_text(period: str, lang: str) -> str:
    """A published period as people read it: 'Juni 2025'; a year or '2019/2020' as written."""
    if len(period) == 7 and period[4] == "-":
        return format_period(period, lang)
    return period


def metric_text(metric: str, lang: str) -> str:
    """A published metric's name in lang, or its key where the catalogue has none."""
    key = f"figure.metric.{metric}"
    return text(key, lang) if key in MESSAGES else metric


def qualifier_text(qualifier: str, lang: str) -> str:
    """How exact a figure is, in lang."""
    return text(f"figure.qualifier.{qualifier}", lang)


def consistency_text(consistency: str, lang: str) -> str:
    """Whether a figure agrees with its source's other figures, in lang ('–' when unchecked)."""
    return text(f"figure.consistency.{consistency or 'unchecked'}", lang)


def basis_text(basis: str, lang: str) -> str:
    """What a figure is counted against, in lang; a stated variant keeps its own words."""
    known, _, rest = basis.partition(" ")
    key = f"figure.basis.{known}"
    if key not in MESSAGES:
        return basis
    return f"{text(key, lang)} {rest}".strip()


def value_text(metric: str, value: str, number, decimals, lang: str) -> str:
    """A published value with its written decimals in lang's format: '47,38 %', '1.327.000';
    text values (ranks, statements) as written."""
    if number is None or pd.isna(number):
        return value
    digits = 0 if decimals is None or pd.isna(decimals) else int(decimals)
    shown = format_number(float(number), lang, digits)
    return f"{shown} %" if is_percentage(metric) else shown


def figure(row, lang: str) -> Figure:
    """One evidence row (a namedtuple of the stored table with number and decimals)."""
    return Figure(
        line=int(row.line),
        period=period_text(str(row.period), lang),
        metric=metric_text(str(row.metric), lang),
        value=value_text(str(row.metric), str(row.value), row.number, row.decimals, lang),
        qualifier=qualifier_text(str(row.qualifier), lang),
        source=outlet(str(row.source)),
        conflicting=row.consistency == "conflicting",
    )


def _differs(near: pd.DataFrame, shown: dict, period: str, segment: str, lang: str):
    """The note on the first shown figure (headline first) that disagrees with the nearest
    published figure of its metric; None when every compared figure agrees."""
    usable = near[
        near["metric"].isin(list(COMPARED))
        & (near["consistency"] != "conflicting")
        & near["number"].notna()
    ]
    nearest = usable.sort_values(["distance", "line"]).drop_duplicates("metric")
    order = {metric: i for i, metric in enumerate(COMPARED)}
    nearest = nearest.assign(_order=nearest["metric"].map(order)).sort_values("_order")
    for row in nearest.itertuples(index=False):
        field_key, all_segments = COMPARED[row.metric]
        if all_segments and segment != "all":
            continue  # a figure of every segment says nothing about one segment's figure
        value = shown.get(field_key)
        if value is None or pd.isna(value):
            continue
        if allows(str(row.metric), float(row.number), int(row.decimals), row.qualifier, value):
            continue
        field_ = FIELD[field_key]
        key = "figure.differs_same" if row.period == period else "figure.differs"
        return text(
            key,
            lang,
            metric=field_.label.get(lang),
            shown=field_.format(value, lang),
            published=value_text(str(row.metric), str(row.value), row.number, row.decimals, lang),
            period=period_text(str(row.period), lang),
        )
    return None


def area_evidence(
    evidence: pd.DataFrame,
    kode: str,
    period: str,
    shown: dict,
    segment: str,
    data_source: str | None,
    lang: str,
) -> AreaEvidence:
    """The published figures of an area around the period shown (nearest first, at most
    SHOWN_PER_AREA), and a note when its shown figure is modelled and differs from them or
    when nothing was published around that period. `shown` holds the area's metrics row."""
    modelled = data_source is not None and data_source != PUBLISHED
    if evidence.empty:  # most areas: nothing published about them at all
        none_near = text("figure.none_near", lang, months=WINDOW_MONTHS) if modelled else None
        return AreaEvidence((), none_near, 0)
    near = around(evidence, kode, period)
    total = int((evidence["kode"] == kode).sum())
    figures = tuple(figure(r, lang) for r in near.head(SHOWN_PER_AREA).itertuples(index=False))
    note = None
    if modelled:
        note = _differs(near, shown, period, segment, lang)
        if near.empty:
            note = text("figure.none_near", lang, months=WINDOW_MONTHS)
    return AreaEvidence(figures, note, total - len(figures))
