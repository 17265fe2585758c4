"""The region the service covers, its area codes, levels, worker segments and periods: each
defined once here, with the checks that turn a bad value into a 400 naming the valid ones.

Shared by every layer; imports no layer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from geo_coverage.errors import invalid_choice
from geo_coverage.i18n import API_LANG

LOGGER = logging.getLogger(__name__)

# Kanwil Sulama: the eight provinces of Sulawesi and Maluku (Kemendagri codes).
REGION_CODE = "SULAMA"
REGION_NAME = "Sulawesi–Maluku"
REGION_PROVINCES = ("71", "72", "73", "74", "75", "76", "81", "82")

# The levels maps, downloads and the OGC API serve; boundaries are also built for districts.
LEVELS = ("province", "regency")
BOUNDARY_LEVELS = (*LEVELS, "district")
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


def in_region(kode: str) -> bool:
    """Whether a code lies in one of the region's provinces."""
    return province_of(kode) in REGION_PROVINCES


def is_code_of(kode: str, level: str) -> bool:
    """Whether a text is written like a Kemendagri code of the level (not whether it exists)."""
    return re.fullmatch(CODE_PATTERNS[level], kode) is not None


def check_level(value: str, name: str = "level", lang: str = API_LANG) -> str:
    """The level if it is one of LEVELS; BadRequest naming the valid ones otherwise."""
    if value not in LEVELS:
        raise invalid_choice(name, value, LEVELS, lang)
    return value


def check_province(value: str, name: str = "province", lang: str = API_LANG) -> str:
    """The province code if it is one of the region; BadRequest listing them otherwise."""
    if value not in REGION_PROVINCES:
        raise invalid_choice(name, value, REGION_PROVINCES, lang)
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
