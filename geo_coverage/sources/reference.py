"""Official reference tables: names, areas (km²) and population of provinces and regencies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from geo_coverage.region import in_region, province_of
from geo_coverage.sources.dumps import read_rows

LUAS_KEY = "wilayah/db/wilayah_luas.sql"
PENDUDUK_KEY = "wilayah/db/wilayah_penduduk.sql"


@dataclass(frozen=True)
class Area:
    """An official province or regency: name, area and population."""

    kode: str
    nama: str
    luas_km2: float | None
    population: int


@dataclass(frozen=True)
class Reference:
    """The official tables for the region, keyed by Kemendagri code."""

    areas: Mapping[str, Area]
    repaired_codes: Mapping[str, str]

    def provinces(self) -> list[Area]:
        """The eight provinces, in code order."""
        return [a for k, a in sorted(self.areas.items()) if "." not in k]

    def regencies(self, province: str | None = None) -> list[Area]:
        """Regencies and cities, optionally of one province, in code order."""
        return [
            a
            for k, a in sorted(self.areas.items())
            if "." in k and (province is None or province_of(k) == province)
        ]


def load_reference(paths: Mapping[str, Path]) -> Reference:
    """Join the population table (codes, names) with the area table for the region.

    The area table lost trailing zeros in a few codes upstream ('11.1' for '11.10'); those rows
    are matched by name to the population table's code, and the repair is recorded.
    """
    population = {
        str(r.values["kode"]): r.values for r in read_rows(paths[PENDUDUK_KEY], "wilayah_penduduk")
    }
    by_name = {v["nama"]: k for k, v in population.items()}
    luas: dict[str, float] = {}
    repaired: dict[str, str] = {}
    for r in read_rows(paths[LUAS_KEY], "wilayah_luas"):
        kode = str(r.values["kode"])
        if kode not in population or population[kode]["nama"] != r.values["nama"]:
            fixed = by_name.get(r.values["nama"])
            if fixed is not None:
                repaired[kode] = fixed
                kode = fixed
        luas[kode] = float(r.values["luas"])
    areas = {
        k: Area(k, str(v["nama"]), luas.get(k), int(float(v["total"])))
        for k, v in population.items()
        if k != "0" and in_region(k)
    }
    return Reference(areas, repaired)
