"""`geo-coverage import` and `summary` with district rows: all of a regency's districts sum
into it; a file mixing levels is refused with exit status 1 and nothing changes."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from enrollment_helpers import HEADER, store_state

pytest_plugins = ["enrollment_fixtures"]


@pytest.fixture
def cli(enrollment_settings, built_settings, monkeypatch, capsys):
    """`geo-coverage ARGS` in-process over a fresh copy of the sample store and the session's
    built shapes (the district level reads the built districts)."""
    from geo_coverage.cli import main as entry

    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(enrollment_settings.instance))
    monkeypatch.setenv("GEO_COVERAGE_SHAPES", str(built_settings.shapes))
    monkeypatch.delenv("GEO_COVERAGE_MIRROR", raising=False)
    monkeypatch.delenv("GEO_COVERAGE_DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = entry.main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).set_index("kode")


def test_district_rows_import_and_the_summary_shows_them(cli, area_index, tmp_path):
    parepare = sorted(k for k, a in area_index.items() if k.startswith("73.72."))
    lines = [f"{k},2025-06,wage,{20000 + i},{9000 + i},kacab" for i, k in enumerate(parepare)]
    path = tmp_path / "parepare.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    code, out, err = cli("import", str(path))
    assert code == 0, err
    assert "imported 4 rows (4 published)" in out
    args = ("summary", "--period", "2025-06", "--segment", "wage", "--format", "csv")
    districts = _csv(cli(*args, "--level", "district")[1])
    assert list(districts.loc[parepare, "figure_level"].unique()) == ["district"]
    assert districts.loc[parepare[0], "active_members"] == "9000"
    assert districts.loc["73.71.01", "figure_level"] == "regency"
    assert districts.loc["73.71.01", "active_members"] == ""
    regencies = _csv(cli(*args, "--level", "regency")[1])
    assert int(regencies.loc["73.72", "active_members"]) == sum(9000 + i for i in range(4))


def test_a_file_mixing_a_regency_and_its_districts_is_refused(cli, enrollment_settings, tmp_path):
    lines = [
        "73.72,2025-06,wage,80000,36000,",
        "73.72.01,2025-06,wage,20000,9000,",
    ]
    path = tmp_path / "campur.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    before = store_state(enrollment_settings)
    code, out, err = cli("import", str(path))
    assert code == 1
    assert (
        "campur.csv:2:kode: regency 73.72 (Kota Parepare) has a row of its own for 2025-06 wage "
        "and rows for 1 of its districts (row 3)"
    ) in err + out
    assert "campur.csv:3:kode: valid rows for only 1 of the 4 districts of 73.72" in err + out
    assert store_state(enrollment_settings) == before
