"""The one rule that labels every figure published, mixed or modelled, by provenance.

Values are never compared with published figures: a modelled value that happens to equal a
published one is still modelled. What counts is what the store says each figure is: the
data_source of each stored row, and the provenance the sample build recorded for an area
(which of its members, potential workers and coverage were set from published figures).
"""

from __future__ import annotations

import logging

import pandas as pd

from geo_coverage.region import DEFAULT_REGION, ROLLUP_LEVELS

LOGGER = logging.getLogger(__name__)

ALL_SEGMENTS = "all"
_PARTS = ("members", "potential", "coverage")


def data_source_rule() -> str:
    """The rule that labels an area's figures published, mixed or modelled."""
    return (
        "Each figure is labelled by provenance, never by comparing values. A regency's "
        "figure combines its stored rows of the selected segments; a province's, its "
        "regencies'; the region's, its provinces': all 'published' gives 'published', all "
        "'modelled' gives 'modelled', anything else 'mixed'. The area's provenance (recorded "
        "when the modelled sample is built) then decides: members and potential workers both "
        "set from exact published figures gives 'published'; otherwise any of members, "
        "potential workers or coverage set from, or limited by, a published figure (exact, "
        "rounded, approximate or a bound) turns 'modelled' into 'mixed'. A modelled value "
        "that happens to equal a published one stays 'modelled'."
    )


def apply_provenance(parts: pd.Series, provenance: pd.DataFrame) -> pd.Series:
    """Labels from the parts' combined label and the area's provenance (aligned rows; NA
    provenance columns where none was recorded)."""
    published = (provenance["members"] == "published") & (provenance["potential"] == "published")
    touched = pd.Series(False, index=provenance.index)
    for column in ("members", "potential", "coverage"):
        touched |= provenance[column].isin(["published", "constrained"]).fillna(False)
    out = parts.astype("string").copy()
    out[published.fillna(False)] = "published"
    out[~published.fillna(False) & touched & (parts == "modelled").fillna(False)] = "mixed"
    return out


def data_source_labels(
    rows: pd.DataFrame,
    provenance: pd.DataFrame | None,
    level: str,
    segment: str | None,
    region_code: str = DEFAULT_REGION.code,
) -> pd.DataFrame:
    """data_source per (kode, period) of a level ('regency', 'province' or 'region', whose
    code is region_code).

    rows: the selected regency rows (kode, period, data_source); provenance: kode, period,
    segment, members, potential, coverage (the store's records of the active version).
    """
    seg = segment or ALL_SEGMENTS
    records = (
        provenance[provenance["segment"] == seg].loc[:, ["kode", "period", *_PARTS]]
        if provenance is not None and not provenance.empty
        else pd.DataFrame(columns=["kode", "period", *_PARTS], dtype="string")
    )
    parts = rows.loc[:, ["kode", "period", "data_source"]].astype({"kode": "string"})
    labels = pd.DataFrame(columns=["kode", "period", "data_source"])
    for step in ROLLUP_LEVELS:
        if step == "province":
            parts = labels.assign(kode=labels["kode"].str.split(".", n=1).str[0])
        elif step == "region":
            parts = labels.assign(kode=region_code)
        if parts.empty:
            return labels.astype({"kode": "string", "period": "string", "data_source": "string"})
        grouped = (
            parts.groupby(["kode", "period"], observed=True)["data_source"]
            .agg(["nunique", "first"])
            .reset_index()
        )
        grouped["data_source"] = grouped["first"].where(grouped["nunique"] <= 1, "mixed")
        grouped = grouped.drop(columns=["nunique", "first"])
        merged = grouped.merge(records, on=["kode", "period"], how="left")
        merged["data_source"] = apply_provenance(merged["data_source"], merged)
        labels = merged.loc[:, ["kode", "period", "data_source"]]
        if step == level:
            break
    return labels.astype({"kode": "string", "period": "string", "data_source": "string"})
