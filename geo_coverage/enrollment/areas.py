"""The areas table of the store: the region's provinces, regencies and districts, as validation
reads it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from geo_coverage.enrollment.table import AreaInfo
from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import DEFAULT_REGION, REGION_SETTING, Region
from geo_coverage.sources.reference import Reference

if TYPE_CHECKING:
    from geo_coverage.enrollment.backend import Store

REGION_META = "region"  # the meta key holding the region the store was built for


def area_infos(areas: pd.DataFrame) -> dict[str, AreaInfo]:
    """The areas table as validation needs it."""
    return {
        k: AreaInfo(k, n, lv)
        for k, n, lv in zip(areas["kode"], areas["nama"], areas["level"], strict=True)
    }


def areas_frame(reference: Reference, districts: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The official provinces and regencies of the region, and its districts (kode to name, no
    population: the reference tables hold none), as the store's areas table."""
    records: list[dict[str, str | int | None]] = [
        {
            "kode": a.kode,
            "nama": a.nama,
            "prov_kode": a.kode.split(".")[0],
            "level": "regency" if "." in a.kode else "province",
            "population": a.population,
        }
        for a in reference.provinces() + reference.regencies()
    ]
    records += [
        {
            "kode": kode,
            "nama": nama,
            "prov_kode": kode.split(".")[0],
            "level": "district",
            "population": None,
        }
        for kode, nama in (districts or {}).items()
    ]
    return pd.DataFrame.from_records(records).astype({"population": "Int64"})


def stored_region(backend: Store) -> str:
    """The key of the region a store was built for (a store from before the region setting
    holds the default region); StoreError when there is no store."""
    backend.require()
    return backend.get_meta(REGION_META) or DEFAULT_REGION.key


def check_region(backend: Store, region: Region) -> None:
    """GeoCoverageError when the store was built for another region than the setting's."""
    built = stored_region(backend)
    if built != region.key:
        raise GeoCoverageError(
            f"the enrollment store {backend.location} was built for the region '{built}', but "
            f"{REGION_SETTING} is '{region.key}': run geo-coverage build (or point "
            "GEO_COVERAGE_INSTANCE or GEO_COVERAGE_DATABASE_URL at a store of that region)"
        )
