"""The region's codes, levels, segments and periods: defined once, checked with clear 400s."""

from __future__ import annotations

import ast

import pytest
from repo import REPO_ROOT

from geo_coverage import region
from geo_coverage.errors import BadRequest

PACKAGE = REPO_ROOT / "geo_coverage"


def test_the_region_as_the_regional_office_defines_it():
    assert region.REGION_PROVINCES == ("71", "72", "73", "74", "75", "76", "81", "82")
    assert region.LEVELS == ("province", "regency")
    assert region.BOUNDARY_LEVELS == ("province", "regency", "district")
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
    assert region.in_region(kode) is inside
    assert region.is_code_of(kode, level)
    assert region.is_code_of(region.CODE_EXAMPLES[level], level)
    assert not region.is_code_of(kode + "x", level)


@pytest.mark.parametrize(
    ("check", "value", "name", "valid"),
    [
        (region.check_level, "district", "level", "province, regency"),
        (region.check_province, "31", "province", "71, 72, 73, 74, 75, 76, 81, 82"),
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
    assert region.check_province("76") == "76"
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
