"""The OGC API's collections: which exist for the stored periods, what each holds, its title;
no Flask.

For each level (provinces, regencies, districts; districts have no history of their own):
- `regencies`: one feature per area, one period and segment at a time (default the latest
  period, all segments; `period`, `segment`, `datetime` or an equality in `filter` choose);
- `regencies_history`: one feature per area, period and segment (with `all`), every period;
- `regencies_2024-08_informal`: one feature per area for that period and segment, so that a
  client that filters on its own side (QGIS 3.22) can pick any period and segment by name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from geo_coverage.errors import NotFound
from geo_coverage.i18n import API_LANG, format_period, text
from geo_coverage.region import FIGURE_LEVELS, LAYER_NAMES, LEVELS, SEGMENT_CHOICES

LOGGER = logging.getLogger(__name__)

SNAPSHOT = "snapshot"
HISTORY = "history"
FIXED = "fixed"
HISTORY_SUFFIX = "history"
ID_SEPARATOR = "_"


@dataclass(frozen=True)
class Collection:
    """One collection: its id, level, kind, and the period and segment a fixed one holds."""

    id: str
    level: str
    kind: str
    period: str | None = None
    segment: str | None = None

    @property
    def layer(self) -> str:
        """The level's layer name: provinces, regencies."""
        return LAYER_NAMES[self.level]

    def title(self, lang: str) -> str:
        """Its title in a language."""
        base = text(f"ogc.{self.layer}", lang)
        if self.kind == HISTORY:
            return text("ogc.history_title", lang, base=base)
        if self.kind == FIXED:
            return text(
                "ogc.fixed_title",
                lang,
                base=base,
                period=format_period(str(self.period), lang),
                segment=text(f"segment.{self.segment}", lang),
            )
        return base

    def description(self, lang: str, areas: int) -> str:
        """Its description in a language: what a feature is, and the illustrative data."""
        what = text(f"ogc.{self.kind}.description", lang, count=areas, layer=self.layer)
        if self.level not in FIGURE_LEVELS:
            what += " " + text(f"ogc.{self.layer}.note", lang)
        return f"{what} {text('ogc.illustrative', lang)}"

    def feature_count(self, areas: int, periods: int) -> int:
        """How many features it holds."""
        return areas * periods * len(SEGMENT_CHOICES) if self.kind == HISTORY else areas


def fixed_id(level: str, period: str, segment: str) -> str:
    """The id of the collection of one period and segment: regencies_2024-08_informal."""
    return ID_SEPARATOR.join((LAYER_NAMES[level], period, segment))


def collections(periods: Sequence[str]) -> list[Collection]:
    """Every collection, in the order listed: the snapshots, the histories, then one per level,
    period (newest first) and segment."""
    out = [Collection(LAYER_NAMES[level], level, SNAPSHOT) for level in LEVELS]
    out += [
        Collection(f"{LAYER_NAMES[level]}{ID_SEPARATOR}{HISTORY_SUFFIX}", level, HISTORY)
        for level in FIGURE_LEVELS  # a district's history is its regency's
    ]
    out += [
        Collection(fixed_id(level, period, segment), level, FIXED, period, segment)
        for level in LEVELS
        for period in reversed(periods)
        for segment in SEGMENT_CHOICES
    ]
    return out


def find(collection_id: str, periods: Sequence[str]) -> Collection:
    """The collection of an id; NotFound saying which exist otherwise."""
    for found in collections(periods):
        if found.id == collection_id:
            return found
    named = [c.id for c in collections(periods) if c.kind != FIXED]
    pattern = f"{{layer}}{ID_SEPARATOR}{{period}}{ID_SEPARATOR}{{segment}}"
    raise NotFound(
        text(
            "error.no_collection",
            API_LANG,
            collection=collection_id,
            valid=", ".join(named),
            pattern=pattern,
            periods=", ".join(periods) or "–",
            segments=", ".join(SEGMENT_CHOICES),
        )
    )


def history_id(kode: str, period: str, segment: str) -> str:
    """A history feature's id: 73.71_2024-08_informal."""
    return ID_SEPARATOR.join((kode, period, segment))


def split_history_id(feature_id: str) -> tuple[str, str, str] | None:
    """(kode, period, segment) of a history feature id, or None when it is not one."""
    parts = feature_id.split(ID_SEPARATOR)
    if len(parts) != 3 or parts[2] not in SEGMENT_CHOICES:
        return None
    return parts[0], parts[1], parts[2]
