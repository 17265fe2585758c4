"""The areas table of the store: the region's provinces and regencies, as validation reads it."""

from __future__ import annotations

import pandas as pd

from geo_coverage.enrollment.table import AreaInfo
from geo_coverage.sources.reference import Reference


def area_infos(areas: pd.DataFrame) -> dict[str, AreaInfo]:
    """The areas table as validation needs it."""
    return {
        k: AreaInfo(k, n, lv)
        for k, n, lv in zip(areas["kode"], areas["nama"], areas["level"], strict=True)
    }


def areas_frame(reference: Reference) -> pd.DataFrame:
    """The official provinces and regencies of the region as the store's areas table."""
    records = [
        {
            "kode": a.kode,
            "nama": a.nama,
            "prov_kode": a.kode.split(".")[0],
            "level": "regency" if "." in a.kode else "province",
            "population": a.population,
        }
        for a in reference.provinces() + reference.regencies()
    ]
    return pd.DataFrame.from_records(records)
