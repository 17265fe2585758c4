"""The region (a setting), its codes, levels, segments and periods: defined once, checked with
clear errors and 400s."""

from __future__ import annotations

import ast

import pytest
from repo import REPO_ROOT

from geo_coverage import region
from geo_coverage.config import Settings
from geo_coverage.errors import BadRequest
from geo_coverage.region import INDONESIA, SULAWESI_MALUKU, RegionError, parse_region

PACKAGE = REPO_ROOT / "geo_coverage"


def test_the_region_as_the_regional_office_defines_it():
    assert SULAWESI_MALUKU.provinces == ("71", "72", "73", "74", "75", "76", "81", "82")
    assert region.DEFAULT_REGION is SULAWESI_MALUKU and SULAWESI_MALUKU.slug == "sulama"
    assert region.LEVELS == region.BOUNDARY_LEVELS == ("province", "regency", "district")
    # figures are stored for provinces and regencies; districts show their regency's rates
    assert region.FIGURE_LEVELS == ("province", "regency")
    assert set(region.SEARCH_LEVELS) < set(region.LEVELS)
    assert region.SEGMENTS == ("wage", "informal", "construction", "migrant")
    assert region.SEGMENT_CHOICES[0] == region.ALL_SEGMENTS == "all"
    assert set(region.POTENTIAL_OPTIONAL) < set(region.SEGMENTS)
    assert set(region.LAYER_NAMES) == set(region.BOUNDARY_LEVELS) == set(region.CODE_PATTERNS)


@pytest.mark.parametrize(
    ("kode", "level", "province", "inside"),
    [("73", "province", "73", True), ("73.71", "regency", "73", True),
     ("82.72.01", "district", "82", True), ("31.71", "regency", "31", False)],
)  # fmt: skip
def test_codes(kode, level, province, inside):
    assert region.level_of(kode) == level and region.province_of(kode) == province
    assert SULAWESI_MALUKU.contains(kode) is inside and INDONESIA.contains(kode)
    assert region.is_code_of(kode, level)
    assert region.is_code_of(region.CODE_EXAMPLES[level], level)
    assert not region.is_code_of(kode + "x", level)


@pytest.mark.parametrize(
    ("check", "value", "name", "valid"),
    [
        (region.check_level, "village", "level", "province, regency, district"),
        (SULAWESI_MALUKU.check_province, "31", "province", "71, 72, 73, 74, 75, 76, 81, 82"),
        (parse_region("76,75").check_province, "73", "province", "75, 76"),
        (region.check_segment, "BPU", "segment", "all, wage, informal, construction, migrant"),
        (lambda v, **kw: region.check_period(v, ["2025-06", "2025-12"], **kw), "2025-07",
         "period", "2025-06, 2025-12"),
    ],
)  # fmt: skip
def test_checks_name_the_parameter_and_the_valid_values_in_either_language(
    check, value, name, valid
):
    with pytest.raises(BadRequest) as english:
        check(value)
    assert english.value.status == 400 and english.value.parameter == name
    assert str(english.value) == f"Invalid parameter '{name}': '{value}'. Valid values: {valid}."
    with pytest.raises(BadRequest, match=f"Nilai yang valid: {valid}") as indonesian:
        check(value, name="x", lang="id")
    assert indonesian.value.parameter == "x"


def test_checks_pass_valid_values_through():
    assert region.check_level("province") == "province"
    assert SULAWESI_MALUKU.check_province("76") == "76"
    assert region.check_segment("all") == "all"
    assert region.check_period("2025-06", ["2025-06"]) == "2025-06"


@pytest.mark.parametrize(
    ("period", "words"),
    [("2025-06", None), ("", "blank"), ("2025-13", "expected YYYY-MM"),
     ("2025-06-30", "only year and month, 2025-06"), ("1890-01", "expected YYYY-MM")],
)  # fmt: skip
def test_period_problems(period, words):
    problem = region.period_problem(period)
    assert problem is None if words is None else words in problem


def test_segment_problems_hint_at_the_bpjs_terms():
    assert region.segment_problem("informal") is None
    assert "BPU is written informal" in region.segment_problem("BPU")
    assert "use one of wage, informal, construction, migrant" in region.segment_problem("x")
    assert region.segment_problem("") == "segment is blank"


def _literal_sets(path) -> list[set[str]]:
    """The string members of every tuple, list and set written out in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        for node in ast.walk(tree)
        if isinstance(node, ast.Tuple | ast.List | ast.Set)
    ]


def test_no_other_module_lists_provinces_levels_or_segments():
    lists = {
        "province codes": {"71", "82"},
        "levels": set(region.LEVELS),
        "segments": {"wage", "informal", "construction"},
    }
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "region.py":
            continue
        for found in _literal_sets(path):
            for what, members in lists.items():
                assert not members <= found, f"{path.relative_to(REPO_ROOT)} lists {what}"


@pytest.mark.parametrize(
    ("value", "key", "code", "name", "slug"),
    [
        (None, "sulawesi-maluku", "SULAMA", "Sulawesi–Maluku", "sulama"),
        (" Sulawesi-Maluku ", "sulawesi-maluku", "SULAMA", "Sulawesi–Maluku", "sulama"),
        ("indonesia", "indonesia", "ID", "Indonesia", "indonesia"),
        ("75", "75", "PROV-75", "Gorontalo", "prov-75"),
        ("76, 75", "75,76", "PROV-75-76", "Gorontalo, Sulawesi Barat", "prov-75-76"),
        ("82,81,76,75,74,73,72,71", "sulawesi-maluku", "SULAMA", "Sulawesi–Maluku", "sulama"),
    ],
)
def test_the_region_setting_names_a_region(value, key, code, name, slug):
    found = parse_region(value)
    assert (found.key, found.code, found.name, found.slug) == (key, code, name, slug)
    assert parse_region(found.key) == found  # the canonical value reads back the same


def test_every_province_makes_indonesia():
    assert parse_region(",".join(region.PROVINCES)) is INDONESIA
    assert len(INDONESIA.provinces) == 38


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("sulawesi", "'sulawesi' is not a region name or a province code"),
        ("75,99,7", "'99', '7' are not a region name or a province code"),
        ("75,75", "75 given more than once"),
        ("75,", "'' is not a region name"),
    ],
)
def test_an_unknown_region_is_an_error_naming_the_setting(value, words):
    with pytest.raises(RegionError) as err:
        Settings.from_env(environ={"GEO_COVERAGE_REGION": value})
    message = str(err.value)
    assert message.startswith(f"GEO_COVERAGE_REGION={value!r}: ") and words in message
    assert "sulawesi-maluku, indonesia" in message and "75 Gorontalo" in message


def test_settings_read_the_region_from_the_environment_or_an_override():
    assert Settings.from_env(environ={}).region is SULAWESI_MALUKU
    assert Settings.from_env(environ={"GEO_COVERAGE_REGION": "indonesia"}).region is INDONESIA
    assert Settings.from_env(environ={"GEO_COVERAGE_REGION": "indonesia"}, region="75").region == (
        parse_region("75")
    )


def test_the_province_table_is_the_reference_tables(mirror_dir):
    from geo_coverage.sources.pinned import fetch_all
    from geo_coverage.sources.reference import load_reference

    settings = Settings.from_env(environ={}, region="indonesia", mirror=mirror_dir)
    reference = load_reference(fetch_all(settings, progress=lambda _m: None), INDONESIA)
    assert {a.kode: a.nama for a in reference.provinces()} == region.PROVINCES
    assert len(reference.regencies()) == 514
    # a typo of the population table, repaired from the area table and recorded
    assert reference.repaired_names["96"] == {
        "population_table": "Papua Barat Oaya",
        "used": "Papua Barat Daya",
    }
