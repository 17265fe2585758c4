"""The coverage figures published in the press (data/published_coverage.csv), typed."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from geo_coverage.package_files import data_dir

LOGGER = logging.getLogger(__name__)

PUBLISHED_CSV = data_dir() / "published_coverage.csv"


def _decimals(text: str) -> int | None:
    """How many decimals a published percentage was written with."""
    text = text.strip()
    if not text:
        return None
    return len(text.split(".", 1)[1]) if "." in text else 0


def read_published(path: Path = PUBLISHED_CSV) -> pd.DataFrame:
    """Published figures: kode, nama, level, period, counts, coverage and its decimals, source."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = pd.DataFrame(
        {
            "kode": raw["kode"].str.strip(),
            "nama": raw["nama"],
            "level": raw["level"].str.strip(),
            "period": raw["as_of"].str.strip(),
            "active_members": pd.to_numeric(raw["active_members"].replace("", None)),
            "potential_workers": pd.to_numeric(raw["potential_workers"].replace("", None)),
            "coverage_pct": pd.to_numeric(raw["coverage_pct"].replace("", None)),
            "coverage_decimals": raw["coverage_pct"].map(_decimals),
            "target_pct": pd.to_numeric(raw["target_pct"].replace("", None)),
            "note": raw["note"],
            "source": raw["source"],
        }
    )
    return frame.astype(
        {
            "kode": "string",
            "nama": "string",
            "level": "string",
            "period": "string",
            "active_members": "Int64",
            "potential_workers": "Int64",
            "coverage_pct": "Float64",
            "coverage_decimals": "Int64",
            "target_pct": "Float64",
            "note": "string",
            "source": "string",
        }
    )


def with_figures(published: pd.DataFrame) -> pd.DataFrame:
    """Only the rows that publish at least one figure (members, potential or coverage)."""
    has = (
        published["active_members"].notna()
        | published["potential_workers"].notna()
        | published["coverage_pct"].notna()
    )
    return published[has].reset_index(drop=True)
