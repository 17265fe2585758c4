"""The region's official districts (kecamatan): codes and names, from the boundary dumps.

The reference tables hold provinces and regencies only; the boundary dumps hold every district
with its Kemendagri 2025 code, the codes the built district layer keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from geo_coverage.region import Region, level_of
from geo_coverage.sources.dumps import read_rows
from geo_coverage.sources.pinned import region_files

DISTRICT_FOLDER = "db/kec/"


def district_files(region: Region) -> list[str]:
    """Keys (dataset/path) of the boundary dumps holding the region's districts."""
    return [
        pin.key
        for pin in region_files(region)
        if pin.dataset == "wilayah_boundaries" and pin.path.startswith(DISTRICT_FOLDER)
    ]


def load_districts(paths: Mapping[str, Path], region: Region) -> dict[str, str]:
    """The region's districts, kode to name (single-spaced), in code order."""
    found: dict[str, str] = {}
    for key in district_files(region):
        for row in read_rows(paths[key], "wilayah_boundaries"):
            kode = str(row.values["kode"])
            if level_of(kode) == "district" and region.contains(kode):
                found[kode] = " ".join(str(row.values["nama"]).split())
    return dict(sorted(found.items()))
