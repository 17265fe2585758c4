"""`geo-coverage evidence`: every published figure with its source, from the store."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from geo_coverage.sources.evidence import COLUMNS, EVIDENCE_CSV

pytest_plugins = ["enrollment_fixtures"]


@pytest.fixture
def cli(enrollment_settings, monkeypatch, capsys):
    """Run `geo-coverage ARGS` in-process against a fresh copy of the sample store."""
    from geo_coverage.cli.main import main

    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(enrollment_settings.instance))

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def shipped() -> pd.DataFrame:
    return pd.read_csv(EVIDENCE_CSV, dtype=str, keep_default_na=False)


def test_csv_lists_every_figure_with_the_shared_columns(cli):
    code, out, _ = cli("evidence", "--format", "csv")
    assert code == 0
    assert out.encode("utf-8") == EVIDENCE_CSV.read_bytes()
    frame = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS) and len(frame) == 217


def test_kode_selects_an_area_and_the_areas_inside_it(cli):
    code, out, _ = cli("evidence", "--kode", "82", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    every = shipped()
    expected = every[(every["kode"] == "82") | every["kode"].str.startswith("82.")]
    assert code == 0 and frame.equals(expected.reset_index(drop=True))
    code, out, _ = cli("evidence", "--kode", "SULAMA", "--format", "json")
    rows = json.loads(out)
    assert {r["kode"] for r in rows} == {"SULAMA"}
    assert len(rows) == (every["kode"] == "SULAMA").sum()


def test_json_says_how_each_figure_is_used(cli):
    code, out, _ = cli("evidence", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 217
    assert list(rows[0]) == ["line", *COLUMNS, "use"]
    for row in rows:
        assert row["use"], row
        if row["consistency"] == "conflicting":
            assert row["use"].startswith("skipped: conflicting"), row
        if row["use"].startswith("anchor"):
            assert row["consistency"] != "conflicting" and row["basis"].startswith("bpjs")


def test_table_and_an_area_without_figures(cli):
    code, out, _ = cli("evidence", "--kode", "73.71")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["kode", "period", "metric"]
    assert len(lines) == 2 + (shipped()["kode"] == "73.71").sum()
    code, out, err = cli("evidence", "--kode", "76.01", "--format", "json")
    assert code == 0 and json.loads(out) == [] and "no published figures for 76.01" in err


def test_unknown_area_code_is_a_clear_error(cli):
    code, out, err = cli("evidence", "--kode", "73.99")
    assert code == 2 and out == ""
    assert "unknown area code '73.99'" in err and "SULAMA" in err
