"""The region the service covers, its area codes, levels, worker segments and periods: each
defined once here, with the checks that turn a bad value into a 400 naming the valid ones.

The region is a setting (GEO_COVERAGE_REGION, read by config.Settings): the regional office's
Sulawesi–Maluku (the default), all of Indonesia, or a list of province codes. Shared by every
layer; imports no layer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from geo_coverage.errors import ConfigError, invalid_choice
from geo_coverage.i18n import API_LANG

LOGGER = logging.getLogger(__name__)

# Indonesia's 38 provinces (Kemendagri codes and names, Kepmendagri 300.2.2-2138/2025; the
# reference tables agree, which tests/test_region.py checks).
PROVINCES = {
    "11": "Aceh",
    "12": "Sumatera Utara",
    "13": "Sumatera Barat",
    "14": "Riau",
    "15": "Jambi",
    "16": "Sumatera Selatan",
    "17": "Bengkulu",
    "18": "Lampung",
    "19": "Kepulauan Bangka Belitung",
    "21": "Kepulauan Riau",
    "31": "Daerah Khusus Ibukota Jakarta",
    "32": "Jawa Barat",
    "33": "Jawa Tengah",
    "34": "Daerah Istimewa Yogyakarta",
    "35": "Jawa Timur",
    "36": "Banten",
    "51": "Bali",
    "52": "Nusa Tenggara Barat",
    "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat",
    "62": "Kalimantan Tengah",
    "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur",
    "65": "Kalimantan Utara",
    "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah",
    "73": "Sulawesi Selatan",
    "74": "Sulawesi Tenggara",
    "75": "Gorontalo",
    "76": "Sulawesi Barat",
    "81": "Maluku",
    "82": "Maluku Utara",
    "91": "Papua",
    "92": "Papua Barat",
    "93": "Papua Selatan",
    "94": "Papua Tengah",
    "95": "Papua Pegunungan",
    "96": "Papua Barat Daya",
}
REGION_SETTING = "GEO_COVERAGE_REGION"


class RegionError(ConfigError):
    """The region setting names no region: says what was given and what is valid."""


@dataclass(frozen=True)
class Region:
    """A set of provinces served together: its setting value, code, name and file-name slug."""

    key: str  # the setting's canonical value: 'sulawesi-maluku', 'indonesia' or '75,76'
    code: str  # the code of the whole region in tables and summaries ('SULAMA', 'ID')
    name: str  # as titles write it, the same in both languages
    slug: str  # the start of download file names ('sulama_regency_2025-06.geojson')
    provinces: tuple[str, ...]

    def contains(self, kode: str) -> bool:
        """Whether an area code lies in one of the region's provinces."""
        return province_of(kode) in self.provinces

    def check_province(self, value: str, name: str = "province", lang: str = API_LANG) -> str:
        """The province code if it is one of the region's; BadRequest listing them otherwise."""
        if value not in self.provinces:
            raise invalid_choice(name, value, self.provinces, lang)
        return value


# Kanwil Sulama, the regional office for Sulawesi and Maluku: eight provinces.
SULAWESI_MALUKU = Region(
    "sulawesi-maluku",
    "SULAMA",
    "Sulawesi–Maluku",
    "sulama",
    ("71", "72", "73", "74", "75", "76", "81", "82"),
)
INDONESIA = Region("indonesia", "ID", "Indonesia", "indonesia", tuple(PROVINCES))
NAMED_REGIONS = {r.key: r for r in (SULAWESI_MALUKU, INDONESIA)}
DEFAULT_REGION = SULAWESI_MALUKU
# The region the modelled sample describes: its published region totals are Kanwil Sulama's
# (published_figures.csv, kode SULAMA). REGION_CODE is the name enrollment/sample.py reads.
SAMPLE_REGION = SULAWESI_MALUKU
REGION_CODE = SAMPLE_REGION.code


def region_of_provinces(codes: Sequence[str]) -> Region:
    """The region of some province codes: a named region when they are exactly its provinces."""
    provinces = tuple(sorted(set(codes)))
    for named in NAMED_REGIONS.values():
        if provinces == named.provinces:
            return named
    return Region(
        ",".join(provinces),
        "PROV-" + "-".join(provinces),
        ", ".join(PROVINCES[p] for p in provinces),
        "prov-" + "-".join(provinces),
        provinces,
    )


def parse_region(value: str | None, setting: str = REGION_SETTING) -> Region:
    """The region a setting names: 'sulawesi-maluku' (or empty), 'indonesia', or province
    codes separated by commas ('75,76'); RegionError naming the setting otherwise."""
    text = (value or "").strip().lower()
    if text == "":
        return DEFAULT_REGION
    if text in NAMED_REGIONS:
        return NAMED_REGIONS[text]
    codes = [c.strip() for c in text.split(",")]
    unknown = [c for c in codes if c not in PROVINCES]
    repeated = sorted({c for c in codes if codes.count(c) > 1})
    if unknown or repeated:
        problems = []
        if unknown:
            shown = ", ".join(f"'{c}'" for c in unknown)
            problems.append(
                f"{shown} {'is' if len(unknown) == 1 else 'are'} not a region name "
                "or a province code"
            )
        if repeated:
            problems.append(f"{', '.join(repeated)} given more than once")
        valid = ", ".join(f"{k} {n}" for k, n in PROVINCES.items())
        raise RegionError(
            f"{setting}={value!r}: {'; '.join(problems)}. Use {', '.join(NAMED_REGIONS)}, or "
            f"province codes separated by commas, e.g. 75,76. Province codes: {valid}."
        )
    return region_of_provinces(codes)


# The levels maps, downloads and the OGC API serve, and boundaries are built for.
LEVELS = ("province", "regency", "district")
BOUNDARY_LEVELS = LEVELS
# The levels figures are stored and computed at; a district shows its regency's rates.
FIGURE_LEVELS = ("province", "regency")
# The levels the place search finds (the districts are many and found by their regency).
SEARCH_LEVELS = ("province", "regency")
# The steps figures are summed through, from the regency rows up to the whole region.
ROLLUP_LEVELS = ("regency", "province", "region")
CODE_PATTERNS = {
    "province": r"\d{2}",
    "regency": r"\d{2}\.\d{2}",
    "district": r"\d{2}\.\d{2}\.\d{2}",
}
CODE_EXAMPLES = {"province": "73", "regency": "73.71", "district": "73.71.01"}
# Official names start with the kind of area (Kemendagri): names, not texts to translate.
REGENCY_PREFIX = "Kabupaten "
CITY_PREFIX = "Kota "
# What people may type before a name in a search, full or abbreviated.
NAME_PREFIXES = ("Kabupaten", "Kab.", "Kab", "Kota", "Provinsi", "Prov.", "Prov")
# Layer names of each level: shapefiles, TopoJSON objects and OGC API collections.
LAYER_NAMES = {"province": "provinces", "regency": "regencies", "district": "districts"}

# Worker segments and the terms BPJS Ketenagakerjaan uses for them.
SEGMENT_TERMS = {"wage": "PU", "informal": "BPU", "construction": "Jakon", "migrant": "PMI"}
SEGMENTS = tuple(SEGMENT_TERMS)
ALL_SEGMENTS = "all"
SEGMENT_CHOICES = (ALL_SEGMENTS, *SEGMENTS)
# Segments whose workers are already counted in the employed population: potential optional.
POTENTIAL_OPTIONAL = ("construction", "migrant")

# A period is the month the figures refer to.
PERIOD_FORMAT = "YYYY-MM"
PERIOD_PATTERN = r"\d{4}-\d{2}"
PERIOD_YEARS = (1990, 2100)
_PERIOD = re.compile(r"(\d{4})-(\d{2})")


def province_of(kode: str) -> str:
    """The province code of any area code ('73.71.01' -> '73')."""
    return kode.split(".")[0]


def level_of(kode: str) -> str:
    """'province', 'regency' or 'district' from the shape of a Kemendagri code."""
    return {1: "province", 2: "regency", 3: "district"}.get(kode.count(".") + 1, "unknown")


def is_code_of(kode: str, level: str) -> bool:
    """Whether a text is written like a Kemendagri code of the level (not whether it exists)."""
    return re.fullmatch(CODE_PATTERNS[level], kode) is not None


def check_level(value: str, name: str = "level", lang: str = API_LANG) -> str:
    """The level if it is one of LEVELS; BadRequest naming the valid ones otherwise."""
    if value not in LEVELS:
        raise invalid_choice(name, value, LEVELS, lang)
    return value


def check_segment(value: str, name: str = "segment", lang: str = API_LANG) -> str:
    """A segment or 'all'; BadRequest listing SEGMENT_CHOICES otherwise."""
    if value not in SEGMENT_CHOICES:
        raise invalid_choice(name, value, SEGMENT_CHOICES, lang)
    return value


def check_period(
    value: str, known: Sequence[str], name: str = "period", lang: str = API_LANG
) -> str:
    """A period of the data; BadRequest listing the known periods otherwise."""
    if value not in known:
        raise invalid_choice(name, value, known, lang)
    return value


def period_problem(period: str) -> str | None:
    """What is wrong with a YYYY-MM period written in a file, or None."""
    m = _PERIOD.fullmatch(period)
    low, high = PERIOD_YEARS
    if m and 1 <= int(m.group(2)) <= 12 and low <= int(m.group(1)) <= high:
        return None
    if period == "":
        return "period is blank"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", period):
        return f"malformed period '{period}': write only year and month, {period[:7]}"
    return f"malformed period '{period}': expected {PERIOD_FORMAT}, e.g. 2025-06"


def segment_problem(segment: str) -> str | None:
    """What is wrong with a segment written in a file, or None; BPJS terms get a hint."""
    if segment in SEGMENTS:
        return None
    if segment == "":
        return "segment is blank"
    terms = {v.lower(): k for k, v in SEGMENT_TERMS.items()}
    hint = f" ({segment} is written {terms[segment.lower()]})" if segment.lower() in terms else ""
    return f"unknown segment '{segment}': use one of {', '.join(SEGMENTS)}{hint}"
