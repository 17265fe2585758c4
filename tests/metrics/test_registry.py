"""The metric registry is the only list of metrics: every consumer and the docs follow it."""

from __future__ import annotations

import ast
import re
from dataclasses import replace

import pandas as pd
from repo import REPO_ROOT

from geo_coverage.gis import exports, openapi, params
from geo_coverage.i18n import LANGS
from geo_coverage.maps import state
from geo_coverage.metrics import registry, summary
from geo_coverage.metrics.compute import compute_metrics
from geo_coverage.metrics.registry import FIELD, FIELDS, MAP_METRICS
from geo_coverage.region import SULAWESI_MALUKU

PACKAGE = REPO_ROOT / "geo_coverage"
# Consumers that must take every metric from the registry, never name one themselves.
CONSUMERS = (
    "gis/exports.py",
    "gis/openapi.py",
    "gis/ogc.py",
    "gis/downloads.py",
    "maps/state.py",
    "maps/image.py",
    "metrics/summary.py",
    "metrics/dataset.py",
    "web/download_routes.py",
    "web/ogc_routes.py",
)


def _documented_table() -> str:
    """The generated part of data/README.md."""
    readme = (REPO_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    start = readme.index(registry.DOC_START) + len(registry.DOC_START) + 1
    return readme[start : readme.index(registry.DOC_END)]


def test_the_documented_metric_table_is_the_registry():
    expected = registry.markdown_table()
    assert _documented_table() == expected, (
        "data/README.md's metric table differs from geo_coverage/metrics/registry.py; "
        "paste markdown_table() between the markers:\n" + expected
    )


def test_the_readme_lists_the_export_properties_and_map_metrics():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    carried = readme.split("missing: ", 1)[1].split("Coordinates", 1)[0]
    assert re.findall(r"`(\w+)`", carried) == list(registry.PROPERTIES)
    metric_row = next(line for line in readme.splitlines() if line.startswith("| `metric` |"))
    assert re.findall(r"`(\w+)`", metric_row)[1:] == list(MAP_METRICS)


def test_keys_are_unique_and_the_derived_views_keep_the_registry_order():
    keys = [f.key for f in FIELDS]
    assert len(set(keys)) == len(keys)
    assert tuple(keys) == registry.COLUMNS
    assert registry.IDENTITY_COLUMNS + registry.METRIC_COLUMNS == registry.COLUMNS
    assert tuple(k for k in keys if FIELD[k].shapefile) == exports.PROPERTIES
    assert summary.SUMMARY_COLUMNS[4:] == registry.METRIC_COLUMNS
    assert tuple(MAP_METRICS) == state.METRICS


def test_the_export_properties_metric_part_is_the_registry():
    metric_part = [p for p in exports.PROPERTIES if p not in registry.IDENTITY_COLUMNS]
    assert metric_part == [k for k in registry.METRIC_COLUMNS if FIELD[k].exported]
    facts = params.facts_of(["2025-06"], 102, SULAWESI_MALUKU)
    schema = openapi.openapi("http://example.test/ogc", facts)["components"]["schemas"]
    properties = schema["featureGeoJSON"]["properties"]["properties"]
    assert list(properties["properties"]) == list(exports.PROPERTIES)
    for key, spec in properties["properties"].items():
        assert spec["type"] == FIELD[key].json_type
        assert spec["description"] == FIELD[key].description.en


def test_shapefile_names_fit_dbase_and_are_unique():
    names = list(registry.SHAPEFILE_NAMES.values())
    assert len(set(names)) == len(names)
    for key, name in registry.SHAPEFILE_NAMES.items():
        assert len(name) <= registry.SHAPEFILE_NAME_MAX, key
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), key


def test_every_field_speaks_both_languages():
    for field in FIELDS:
        for text in (field.label, field.description, *([field.map.title] if field.map else [])):
            for lang in LANGS:
                assert text.get(lang).strip(), (field.key, lang)
    for lang in LANGS:
        labels = [f.label.get(lang) for f in registry.TOOLTIP_FIELDS]
        assert len(set(labels)) == len(labels), lang  # tooltips are told apart by their label
        titles = [registry.metric_title(m, lang) for m in MAP_METRICS]
        assert len(set(titles)) == len(titles), lang


def test_every_entry_is_well_formed():
    for field in FIELDS:
        agg = field.aggregation
        assert field.unit in registry.UNITS and agg.kind in registry.AGGREGATIONS, field.key
        if agg.kind == "ratio":
            assert {agg.numerator, agg.denominator} <= set(registry.COUNT_COLUMNS), field.key
        if field.map:
            assert field.map.kind in registry.CLASSIFICATION_KINDS, field.key
            assert field.map.ramp_kind in registry.RAMP_KINDS, field.key
            assert field.lower_is_worse is not None, f"{field.key}: a map metric says which way"
    for attribute in ("tooltip", "table"):
        positions = sorted(
            getattr(f, attribute) for f in FIELDS if getattr(f, attribute) is not None
        )
        assert positions == list(range(len(positions))), attribute
    assert sorted(f.map.menu for f in MAP_METRICS.values()) == list(range(len(MAP_METRICS)))
    assert set(registry.TABLE_FIELDS) <= set(registry.TOOLTIP_FIELDS)


def test_a_diverging_ramp_puts_the_bad_end_on_the_same_side():
    gap, change = registry.map_metric("gap"), registry.map_metric("change")
    assert gap.reverse_ramp and not change.reverse_ramp  # higher gap, lower change: worse
    assert not registry.map_metric("coverage").reverse_ramp  # sequential ramps never turn
    assert replace(change, lower_is_worse=False).reverse_ramp


def test_formats_follow_the_unit():
    assert FIELD["coverage_pct"].format(35.0, "id") == "35,0 %"
    assert FIELD["active_members"].format(35_000, "en") == "35,000"
    assert FIELD["change_pp"].format(-1.25, "en") == "−1.25"
    assert FIELD["change_pp"].format(pd.NA, "en") == "–"


def test_compute_returns_exactly_the_registry_columns():
    areas = pd.DataFrame(
        {
            "kode": ["73", "73.71"],
            "nama": ["Sulawesi Selatan", "Kota Makassar"],
            "prov_kode": ["73", "73"],
            "level": ["province", "regency"],
        }
    )
    rows = pd.DataFrame(
        {
            "kode": ["73.71", "73.71"],
            "period": ["2025-06", "2025-06"],
            "segment": ["wage", "informal"],
            "potential_workers": [300_000, 200_000],
            "active_members": [250_000, 60_000],
            "data_source": ["modelled", "modelled"],
        }
    ).astype({"potential_workers": "Int64", "active_members": "Int64"})
    targets = pd.DataFrame(columns=["prov_kode", "year", "target_pct"])
    for level in ("regency", "province", "region"):
        frame = compute_metrics(rows, areas, targets, level=level)
        assert tuple(frame.columns) == registry.COLUMNS
        assert {c: str(t) for c, t in frame.dtypes.items()} == registry.DTYPES
        for field in FIELDS:
            if field.dtype == "Float64":
                values = frame[field.key].dropna().astype(float)
                assert (values == values.round(field.decimals)).all(), field.key


def _string_literals(path) -> set[str]:
    """Every string constant of a module, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    }


def test_consumers_name_no_metric_themselves():
    metric_names = set(registry.METRIC_COLUMNS) | set(MAP_METRICS)
    for module in CONSUMERS:
        named = _string_literals(PACKAGE / module) & metric_names
        assert not named, f"{module} names {sorted(named)}: take it from the metric registry"
