"""The areas table of the store: the region's provinces and regencies, as validation reads it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo_coverage.enrollment import store
from geo_coverage.enrollment.table import AreaInfo
from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import DEFAULT_REGION, REGION_SETTING, Region
from geo_coverage.sources.reference import Reference

REGION_META = "region"  # the meta key holding the region the store was built for


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


def stored_region(path: Path) -> str:
    """The key of the region a store was built for (a store from before the region setting
    holds the default region); StoreError when there is no store."""
    store.require(path)
    return store.get_meta(path, REGION_META) or DEFAULT_REGION.key


def check_region(path: Path, region: Region) -> None:
    """GeoCoverageError when the store was built for another region than the setting's."""
    built = stored_region(path)
    if built != region.key:
        raise GeoCoverageError(
            f"the enrollment store {path} was built for the region '{built}', but "
            f"{REGION_SETTING} is '{region.key}': run geo-coverage build (or point "
            "GEO_COVERAGE_INSTANCE at a store of that region)"
        )
