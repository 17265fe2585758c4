"""Official reference tables: names, areas (km²) and population of provinces and regencies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from geo_coverage.region import Region, province_of
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
    repaired_names: Mapping[str, dict[str, str]]

    def provinces(self) -> list[Area]:
        """The region's provinces, in code order."""
        return [a for k, a in sorted(self.areas.items()) if "." not in k]

    def regencies(self, province: str | None = None) -> list[Area]:
        """Regencies and cities, optionally of one province, in code order."""
        return [
            a
            for k, a in sorted(self.areas.items())
            if "." in k and (province is None or province_of(k) == province)
        ]


def _spaced(name: str) -> str:
    """A name with its runs of spaces made single ('Kabupaten  Kerinci')."""
    return " ".join(name.split())


def load_reference(paths: Mapping[str, Path], region: Region) -> Reference:
    """Join the population table (codes, names) with the area table for the region.

    The area table lost trailing zeros in a few codes upstream ('11.1' for '11.10'); those rows
    are matched by name to the population table's code, and the repair is recorded. Names are
    the population table's with single spaces; where the two tables still name a code
    differently, the area table's name is used ('Papua Barat Oaya' is 'Papua Barat Daya' there
    and in the boundary dumps), and that repair is recorded too.
    """
    population_rows = {
        str(r.values["kode"]): r for r in read_rows(paths[PENDUDUK_KEY], "wilayah_penduduk")
    }
    population = {k: r.values for k, r in population_rows.items()}
    by_name = {v["nama"]: k for k, v in population.items()}
    luas: dict[str, float] = {}
    luas_names: dict[str, str] = {}
    repaired: dict[str, str] = {}
    for r in read_rows(paths[LUAS_KEY], "wilayah_luas"):
        kode = str(r.values["kode"])
        if kode not in population or population[kode]["nama"] != r.values["nama"]:
            fixed = by_name.get(r.values["nama"])
            if fixed is not None:
                repaired[kode] = fixed
                kode = fixed
        luas[kode] = r.number("luas")
        luas_names[kode] = _spaced(str(r.values["nama"]))
    areas, renamed = {}, {}
    for k, v in population.items():
        if k == "0" or not region.contains(k):
            continue
        name = _spaced(str(v["nama"]))
        if luas_names.get(k, name) != name:
            renamed[k] = {"population_table": str(v["nama"]), "used": luas_names[k]}
            name = luas_names[k]
        areas[k] = Area(k, name, luas.get(k), int(population_rows[k].number("total")))
    return Reference(areas, repaired, renamed)
