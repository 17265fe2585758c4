"""The sources page's model: every published figure (or those of one area and the areas
inside it) with its source, period, metric, value, qualifier, consistency and basis, and the
choices of the area filter, in the page's language; no Flask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from geo_coverage.errors import BadRequest
from geo_coverage.i18n import text
from geo_coverage.maps.evidence import (
    basis_text,
    consistency_text,
    metric_text,
    period_text,
    qualifier_text,
    value_text,
)
from geo_coverage.region import SAMPLE_REGION, Region
from geo_coverage.sources.evidence import NATIONAL_CODE, in_area, resolved_links, source_parts

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    """One published figure as the page lists it."""

    line: int
    kode: str
    area: str
    period: str
    metric: str
    metric_key: str
    value: str
    qualifier: str
    qualifier_key: str
    consistency: str
    consistency_key: str
    basis: str
    basis_key: str
    source: tuple[tuple[str, str | None], ...]  # text pieces, a URL where the text is an address
    links: tuple[str, ...]  # the source's URLs (those of the same article for "(same)")
    note: str

    @property
    def cited(self) -> tuple[tuple[str, str], ...]:
        """(host, URL) of the links the source's own text does not hold: the article a row
        citing "(same ...)" shares with another row."""
        own = {href for _text, href in self.source if href}
        return tuple((url.split("/")[2], url) for url in self.links if url not in own)


@dataclass(frozen=True)
class Option:
    """One choice of the area filter: a code, its label, and how many figures it lists."""

    kode: str
    label: str
    count: int
    group: str | None = None  # the province it is listed under


@dataclass(frozen=True)
class SourcesPage:
    """Everything the sources page shows."""

    rows: tuple[Row, ...]
    total: int
    kode: str | None
    area: str | None
    options: tuple[Option, ...]
    nested: bool = False  # the filter is a province: its regencies' figures are listed too

    def heading(self, lang: str) -> str:
        """How many figures are listed, and of which area."""
        if self.kode is None:
            return text("sources.count", lang, count=self.total)
        key = "sources.count_area" if self.nested else "sources.count_one"
        return text(key, lang, count=len(self.rows), total=self.total, area=self.area)


def _names(places: list[dict], evidence: pd.DataFrame, lang: str) -> dict[str, str]:
    """Display names by code: the official names of the region's areas, the region and
    Indonesia in lang, and the table's own name for any other code."""
    names = dict(zip(evidence["kode"], evidence["nama"], strict=True))
    names |= {p["kode"]: p["name"] for p in places}
    names[SAMPLE_REGION.code] = text("sources.region", lang)
    names[NATIONAL_CODE] = text("sources.national", lang)
    return names


def region_figures(evidence: pd.DataFrame, region: Region) -> pd.DataFrame:
    """The figures about the region served: its areas', Indonesia's, and the regional
    office's totals (kode SULAMA) when the region holds all of its provinces."""
    codes = evidence["kode"]
    whole = set(SAMPLE_REGION.provinces) <= set(region.provinces)
    keep = codes.map(region.contains) | (codes == NATIONAL_CODE)
    if whole:
        keep |= codes == SAMPLE_REGION.code
    return evidence[keep.astype(bool)]


def _totals(region: Region) -> tuple[str, ...]:
    """The codes of whole regions the filter offers besides the areas."""
    whole = set(SAMPLE_REGION.provinces) <= set(region.provinces)
    return (SAMPLE_REGION.code, NATIONAL_CODE) if whole else (NATIONAL_CODE,)


def check_kode(kode: str | None, places: list[dict], region: Region, lang: str) -> str | None:
    """The area filter's code (None for every figure); BadRequest for an unknown one."""
    if kode is None or kode.strip() == "":
        return None
    kode = kode.strip()
    known = {p["kode"] for p in places} | set(_totals(region))
    if kode not in known:
        totals = _totals(region)
        key = "error.sources_kode" if len(totals) == 2 else "error.sources_kode_nation"
        raise BadRequest(
            text(key, lang, value=kode, region=totals[0], nation=NATIONAL_CODE), "kode"
        )
    return kode


def _options(evidence: pd.DataFrame, places: list[dict], names: dict, region: Region):
    """The filter's choices: the region, Indonesia, then each province and its regencies."""
    codes = evidence["kode"]
    options = [Option(c, names[c], int((codes == c).sum())) for c in _totals(region)]
    provinces = [p for p in places if p["level"] == "province"]
    for province in provinces:
        group = province["name"]
        inside = [
            p for p in places if p["level"] == "regency" and p["province"] == province["kode"]
        ]
        for place in [province, *inside]:
            count = len(in_area(evidence, place["kode"]))
            options.append(Option(place["kode"], f"{place['kode']} {place['name']}", count, group))
    return tuple(options)


def sources_page(
    evidence: pd.DataFrame, places: list[dict], region: Region, kode: str | None, lang: str
) -> SourcesPage:
    """The page of every figure about the region, or of one area and the areas inside it
    ('73': Sulawesi Selatan and its regencies). `evidence` is the stored table with number and
    decimals; `places` the region's provinces and regencies (maps.view.places)."""
    evidence = region_figures(evidence, region)
    names = _names(places, evidence, lang)
    links = dict(zip(evidence["line"], resolved_links(list(evidence["source"])), strict=True))
    shown = evidence if kode is None else in_area(evidence, kode)
    rows = []
    for r in shown.itertuples(index=False):
        rows.append(
            Row(
                line=int(r.line),
                kode=str(r.kode),
                area=names.get(r.kode, str(r.nama)),
                period=period_text(str(r.period), lang),
                metric=metric_text(str(r.metric), lang),
                metric_key=str(r.metric),
                value=value_text(str(r.metric), str(r.value), r.number, r.decimals, lang),
                qualifier=qualifier_text(str(r.qualifier), lang),
                qualifier_key=str(r.qualifier),
                consistency=consistency_text(str(r.consistency or ""), lang),
                consistency_key=str(r.consistency or "unchecked"),
                basis=basis_text(str(r.basis), lang),
                basis_key=str(r.basis),
                source=tuple(source_parts(str(r.source))),
                links=links[r.line],
                note=str(r.note or ""),
            )
        )
    return SourcesPage(
        rows=tuple(rows),
        total=len(evidence),
        kode=kode,
        area=names.get(kode) if kode else None,
        options=_options(evidence, places, names, region),
        nested=any(p["kode"] == kode and p["level"] == "province" for p in places),
    )
