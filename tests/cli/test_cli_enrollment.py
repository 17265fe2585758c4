"""The import, rollback, summary and history commands."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from enrollment_helpers import DATA, HEADER, store_state

from geo_coverage.enrollment.sample import PERIODS
from geo_coverage.sources.evidence import read_evidence

pytest_plugins = ["enrollment_fixtures"]


def main():
    """The current geo-coverage entry point (imported late: a test may have purged modules)."""
    from geo_coverage.cli import main as cli

    return cli.main


LINE = re.compile(r"^(?P<file>[^:]+):(?P<row>\d+|-):(?P<column>[a-z_]+|-): (?P<message>.+)$")


def _runner(settings, monkeypatch, capsys):
    """`geo-coverage ARGS` run in-process with the store of settings."""
    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(settings.instance))
    monkeypatch.delenv("GEO_COVERAGE_MIRROR", raising=False)
    if settings.database_url:
        monkeypatch.setenv("GEO_COVERAGE_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("GEO_COVERAGE_DATABASE_URL", raising=False)

    def run(*args: str) -> tuple[int, str, str]:
        code = main()(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    run.settings = settings
    return run


@pytest.fixture
def cli(enrollment_settings, monkeypatch, capsys):
    """Run `geo-coverage ARGS` in-process against a fresh copy of the sample store."""
    return _runner(enrollment_settings, monkeypatch, capsys)


@pytest.fixture
def backend_cli(backend_settings, monkeypatch, capsys):
    """As cli, once on the GeoPackage file and once on a PostgreSQL database."""
    return _runner(backend_settings, monkeypatch, capsys)


def read_csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_summary_csv_shows_the_published_december_2021_figures(cli):
    code, out, _ = cli("summary", "--level", "province", "--period", "2021-12", "--format", "csv")
    assert code == 0
    table = read_csv(out).set_index("kode")
    assert list(table.columns[:8]) == [
        "nama",
        "period",
        "segment",
        "potential_workers",
        "active_members",
        "coverage_pct",
        "coverage_pct_low",
        "coverage_pct_high",
    ]
    assert len(table) == 8
    ev = read_evidence()
    counts = ev[
        (ev["level"] == "province")
        & (ev["period"] == "2021-12")
        & ev["metric"].isin(["active_members", "potential_workers"])
    ]
    assert counts["kode"].nunique() == 7  # no figure for Sulawesi Barat
    for row in counts.itertuples():
        got = table.loc[row.kode]
        assert int(got[row.metric]) == int(row.value)
        assert got["data_source"] == "published" and got["coverage_pct_low"] == ""
        assert got["nama"] == row.nama
    assert table.loc["71", "coverage_pct"] == "79.86"
    assert table.loc["76", "data_source"] == "modelled"
    assert float(table.loc["76", "coverage_pct_low"]) < float(table.loc["76", "coverage_pct"])


def test_spreadsheet_file_imports(backend_cli):
    cli = backend_cli
    before = json.loads(
        cli("summary", "--level", "regency", "--period", "2025-06", "--format", "json")[1]
    )
    code, out, err = cli("import", str(DATA / "good" / "spreadsheet_bom_semicolon_crlf.csv"))
    assert code == 0, err
    assert "imported 6 rows (6 published)" in out
    assert re.search(r"warning: spreadsheet_bom_semicolon_crlf\.csv:5:active_members: ", out)
    assert "have no figures" not in out  # the active data covers every regency already
    after = json.loads(
        cli("summary", "--level", "regency", "--period", "2025-06", "--format", "json")[1]
    )
    old = {r["kode"]: r for r in before}
    new = {r["kode"]: r for r in after}
    jakon = json.loads(
        cli(
            "summary",
            "--level",
            "regency",
            "--period",
            "2025-06",
            "--segment",
            "construction",
            "--format",
            "json",
        )[1]
    )
    kept = {r["kode"]: r for r in jakon}["73.71"]  # the sample's construction row stays
    assert new["73.71"]["active_members"] == 250_000 + 60_000 + kept["active_members"]
    assert new["73.06"]["active_members"] == 70_000 + 160_000 + 4_200  # construction counts
    assert new["73.06"]["potential_workers"] == 90_000 + 150_000
    assert new["73.06"]["data_source"] == "published"
    same = ("potential_workers", "active_members", "coverage_pct", "data_source")
    assert {k: new["73.01"][k] for k in same} == {k: old["73.01"][k] for k in same}
    code, out, _ = cli("history")
    assert code == 0 and out.splitlines()[0].startswith("*")
    assert "spreadsheet_bom_semicolon_crlf.csv" in out and "sample (modelled)" in out


@pytest.mark.parametrize(
    "name",
    [
        "unknown_code.csv",
        "non_integer_counts.csv",
        "empty.csv",
        "spreadsheet_with_errors.csv",
        "missing_columns.csv",
    ],
)
def test_bad_file_is_refused_with_located_problems(backend_cli, name):
    cli = backend_cli
    state = store_state(cli.settings)
    code, out, err = cli("import", str(DATA / "bad" / name))
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert "rejected" in lines[-1] and "active data is unchanged" in lines[-1]
    problems = [LINE.match(line) for line in lines[:-1] if not line.endswith("(warning)")]
    assert problems and all(problems), lines
    assert {m["file"] for m in problems} == {name}
    assert all(m["row"] != "-" for m in problems)
    assert store_state(cli.settings) == state


def test_check_validates_without_importing(cli):
    state = store_state(cli.settings.store_path)
    good = DATA / "good" / "spreadsheet_bom_semicolon_crlf.csv"
    code, out, _ = cli("import", "--check", str(good))
    assert code == 0 and "valid, 6 rows" in out and "not imported" in out
    assert store_state(cli.settings.store_path) == state


def test_rollback(backend_cli):
    cli = backend_cli
    cli("import", str(DATA / "good" / "spreadsheet_bom_semicolon_crlf.csv"))
    code, out, _ = cli("rollback")
    assert code == 0 and "version 1 (sample (modelled)" in out and "version 2 is kept" in out
    code, _, err = cli("rollback")
    assert code == 2 and "first version" in err
    code, out, _ = cli("rollback", "--to", "2")
    assert code == 0 and "version 2 (spreadsheet_bom_semicolon_crlf.csv" in out


def test_summary_table_and_json(cli):
    code, out, _ = cli("summary", "--level", "province", "--period", "2025-06")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["kode", "nama", "period"]
    assert len(lines) == 2 + 8 + 2 and lines[-1].startswith("SULAMA")
    assert "47.38" in out and "2,801,936" in out
    assert lines[0].split()[6:9] == ["coverage_pct", "coverage_pct_low", "coverage_pct_high"]
    # Sulawesi Barat is modelled: coverage, then its likely range, all with two decimals
    sulbar = next(line for line in lines if line.startswith("76 "))
    assert re.search(r" \d+\.\d\d +\d+\.\d\d +\d+\.\d\d ", sulbar), sulbar
    code, out, _ = cli("summary", "--level", "regency", "--segment", "informal", "--format", "json")
    rows = json.loads(out)
    assert len(rows) == 102 and {r["period"] for r in rows} == {"2025-12"}
    assert {r["segment"] for r in rows} == {"informal"}
    assert sorted(r["priority_rank_region"] for r in rows) == list(range(1, 103))


def test_summary_unknown_period_lists_valid_ones(cli):
    code, _, err = cli("summary", "--level", "province", "--period", "2019-01")
    assert code == 2 and "Valid values: " + ", ".join(PERIODS) in err


def test_import_builds_the_store_first(tmp_path, mirror_dir, monkeypatch, capsys):
    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("GEO_COVERAGE_MIRROR", str(mirror_dir))
    (tmp_path / "instance").mkdir()
    code = main()(["import", str(DATA / "good" / "spreadsheet_bom_semicolon_crlf.csv")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "as version 2" in out


def test_console_script(cli):
    exe = shutil.which("geo-coverage")
    assert exe, "the geo-coverage console script is not installed (pip install -e .)"
    env = {**os.environ, "GEO_COVERAGE_INSTANCE": str(cli.settings.instance)}
    done = subprocess.run(
        [exe, "summary", "--level", "province", "--period", "2021-12", "--format", "csv"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "71,Sulawesi Utara,2021-12,all,780666,623409,79.86" in done.stdout


def test_import_names_the_encoding(cli):
    code, out, err = cli("import", str(DATA / "good" / "utf16_le_no_bom.csv"))
    assert code == 0, err
    assert "imported 1 rows (1 published)" in out
    assert "read as UTF-16 LE without BOM, separated by ','" in out
    code, _, err = cli("import", str(DATA / "bad" / "utf16_unknown_code.csv"))
    assert code == 1
    assert "utf16_unknown_code.csv:2:kode: unknown regency/city code '73.99'" in err
    assert "utf16_unknown_code.csv (UTF-16 LE without BOM): rejected with 1 problem(s)" in err


@pytest.mark.parametrize("what", ["directory", "missing"])
def test_import_of_something_not_a_file_says_what_it_is(cli, tmp_path, what):
    state = store_state(cli.settings.store_path)
    target = tmp_path / "folder.csv"
    if what == "directory":
        target.mkdir()
    code, out, err = cli("import", str(target))
    words = "is a directory, not a file" if what == "directory" else "no such file"
    assert (code, out, err) == (1, "", f"{target}:-:-: {words}\n")
    assert store_state(cli.settings.store_path) == state


def test_many_problems_are_capped_and_counted(cli, tmp_path):
    state = store_state(cli.settings.store_path)
    path = tmp_path / "dups.csv"
    path.write_text("\n".join([HEADER] + ["73.71,2025-06,wage,10,5,"] * 20_000) + "\n")
    code, out, err = cli("import", str(path))
    lines = err.strip().splitlines()
    assert code == 1 and out == ""
    assert len(lines) == 100 + 2
    assert all(LINE.match(line) for line in lines[:-1])
    assert lines[-2] == "dups.csv:-:-: … and 19,899 more problems (19,899 rows affected)"
    assert lines[-1].startswith("dups.csv (UTF-8): rejected with 19,999 problem(s) in 19,999 rows")
    code, out, _ = cli("import", "--json", str(path))
    report = json.loads(out)
    assert code == 1 and report["error_count"] == 19_999 and report["error_rows"] == 19_999
    assert len(report["errors"]) == 100 and report["imported"] is False
    assert store_state(cli.settings.store_path) == state


def test_future_periods_need_allow_future(cli):
    bad = str(DATA / "bad" / "future_period.csv")
    code, _, err = cli("import", bad)
    assert code == 1 and "future_period.csv:2:period: period 2052-06 is more than 12" in err
    code, out, err = cli("import", "--allow-future", "--json", bad)
    report = json.loads(out)
    assert code == 0 and report["imported"] and report["rows"] == 2, err
    assert report["version"] == 2


def test_control_characters_from_files_and_names_are_escaped(cli, tmp_path):
    path = tmp_path / "laporan\x1b[2J\x1b[31mmerah\r.csv"
    path.write_text(f"{HEADER}\n73.71,2025-06,wage,400000,390000,\x1b]0;judul\x07\n")
    code, out, err = cli("import", str(path))
    assert code == 0, err
    assert "\x1b" not in out and "\r" not in out
    assert "laporan\\x1b[2J\\x1b[31mmerah\\r.csv: imported 1 rows" in out
    code, out, _ = cli("history")
    assert code == 0 and "\x1b" not in out and "\r" not in out
    assert out.splitlines()[0].endswith("laporan\\x1b[2J\\x1b[31mmerah\\r.csv")
    bad = tmp_path / "bad\x1b[1m.csv"
    bad.write_text(f"{HEADER}\n73.71\x1b[5m,2025-06,wage,10,5,\n")
    code, _, err = cli("import", str(bad))
    assert code == 1 and "\x1b" not in err
    assert "bad\\x1b[1m.csv:2:kode: '73.71<U+001B>[5m' is not a Kemendagri code" in err


def _corrupt(path: Path) -> None:
    """Overwrite an inner page of a store with garbage."""
    with path.open("r+b") as f:
        f.seek(4096 * 3)
        f.write(b"\xa5" * 4096)


@pytest.mark.parametrize(
    "args",
    [
        ("history",),
        ("rollback",),
        ("import", str(DATA / "good" / "spreadsheet_bom_semicolon_crlf.csv")),
        ("summary", "--level", "province"),
    ],
)
def test_a_damaged_store_is_named_with_how_to_restore_it(cli, args):
    path = cli.settings.store_path
    _corrupt(path)
    before = path.read_bytes()
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    assert f"the enrollment store {path} is damaged" in err
    assert "restore it from a backup" in err and "geo-coverage build" in err
    assert "building" not in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_a_locked_store_is_reported_after_waiting(cli, monkeypatch):
    from geo_coverage.enrollment import store_file

    path = cli.settings.store_path
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store_file, "BUSY_TIMEOUT_S", 0.2)
    try:
        code, out, err = cli("rollback", "--to", "1")
        assert code == 2 and out == ""
        assert "is locked by another process" in err and "nothing was changed" in err
        good = str(DATA / "good" / "spreadsheet_bom_semicolon_crlf.csv")
        code, _, err = cli("import", good)
        assert code == 2 and "is locked by another process" in err
        code, out, _ = cli("history")
        assert code == 0 and "sample (modelled)" in out
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_history_and_rollback_before_a_build_say_so_without_building(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(tmp_path / "instance"))
    for command in ("history", "rollback"):
        code = main()([command])
        out, err = capsys.readouterr()
        assert code == 2 and out == ""
        assert "is not built yet" in err and "geo-coverage build" in err
    assert not (tmp_path / "instance" / "coverage.gpkg").exists()


def test_many_warnings_are_capped_and_history_counts_them_all(cli, tmp_path):
    path = tmp_path / "above.csv"
    regencies = [f"73.{i:02d}" for i in range(1, 19)]
    rows = [
        f"{k},20{10 + m // 12:02d}-{m % 12 + 1:02d},wage,10,20,"
        for m in range(9)
        for k in regencies
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    code, out, err = cli("import", str(path))
    assert code == 0, err
    warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 101 and len(rows) == 162
    assert warnings[-1].startswith("warning: above.csv:-:-: … and ")
    code, out, _ = cli("history")
    top = out.splitlines()[0]
    assert top.startswith("*") and "above.csv" in top
    assert f"{162 + 9:3d} warnings" in top  # every row, and the 9 periods with regencies missing
