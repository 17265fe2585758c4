"""Targets as versioned data: validation, versions, rollback, the shipped table, and regency
targets in the metrics."""

from __future__ import annotations

import pandas as pd
import pytest

from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.store_file import StoreError
from geo_coverage.enrollment.targets import read_targets, validate_targets
from geo_coverage.metrics import dataset

pytest_plugins = ["enrollment_fixtures"]


def _rows(*targets: tuple[str, int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [(k, y, p, "test plan") for k, y, p in targets],
        columns=["kode", "year", "target_pct", "source"],
    )


def test_the_shipped_table_is_the_first_version(backend_settings, area_index):
    enrollment_settings = backend_settings
    history, active = open_store(enrollment_settings).target_versions()
    assert [(v.kind, v.file_name) for v in history] == [("builtin", "targets.csv")]
    assert active == history[0].id
    shipped = read_targets(area_index).rows
    stored = open_store(enrollment_settings).active_targets()
    assert stored["target_pct"].tolist() == shipped["target_pct"].tolist()


def test_every_problem_of_a_targets_table_is_named(area_index):
    data = (
        b"province;year;target_pct;source\n73;2025;62,93;ok\n73.71.01;2025;50;x\n"
        b"73;1850;50;x\n73;2025;0;x\n73;2025;61;x\n74;2026;12.345;x\n"
    )
    report = validate_targets(data, "t.csv", area_index)
    assert [(p.row, p.column) for p in report.errors] == [
        (3, "kode"),
        (4, "year"),
        (5, "target_pct"),
        (6, "kode"),
        (7, "target_pct"),
    ]
    assert "duplicate target for 73 2025 (first on row 2)" in report.errors[3].message
    assert report.rows["target_pct"].tolist() == [62.93]


def test_imports_keep_other_targets_and_roll_back(backend_settings):
    backend = open_store(backend_settings)
    first = backend.target_versions()[1]
    version = backend.write_targets_version(
        _rows(("73.71", 2025, 70.0), ("73", 2025, 65.0)),
        kind="import",
        file_name="a.csv",
        sha256="x",
    )
    active = backend.active_targets().set_index(["kode", "year"])["target_pct"]
    assert active.to_dict() == {("73", 2020): 60.0, ("73", 2025): 65.0, ("73.71", 2025): 70.0}
    assert version.total_rows == 3 and version.parent == first
    before, now = backend.activate_targets()
    assert (before, now.id) == (version.id, first)
    with pytest.raises(StoreError, match="no earlier one"):
        backend.activate_targets()


def test_the_shipped_table_never_replaces_imported_targets(backend_settings):
    backend = open_store(backend_settings)
    backend.write_targets_version(
        _rows(("71", 2025, 80.0)), kind="import", file_name="a.csv", sha256="x"
    )
    said = backend.store_builtin(_rows(("71", 2025, 10.0)), "targets.csv", "changed")
    assert "not stored over it" in said
    assert backend.active_targets().set_index("kode").loc["71", "target_pct"] == 80.0


def test_a_regency_target_moves_only_that_regency(backend_settings):
    s = backend_settings
    before = dataset.load_metrics(s, "regency", "2025-06").set_index("kode")
    province = dataset.load_metrics(s, "province", "2025-06").set_index("kode")
    open_store(s).write_targets_version(
        _rows(("73.71", 2025, 90.0)), kind="import", file_name="a.csv", sha256="x"
    )
    after = dataset.load_metrics(s, "regency", "2025-06").set_index("kode")
    assert before.loc["73.71", "target_pct"] == 62.93 and after.loc["73.71", "target_pct"] == 90.0
    potential = int(after.loc["73.71", "potential_workers"])
    members = int(after.loc["73.71", "active_members"])
    assert after.loc["73.71", "gap_to_target"] == -(-9000 * potential // 10000) - members
    assert after.drop(index="73.71")["target_pct"].equals(before.drop(index="73.71")["target_pct"])
    assert dataset.load_metrics(s, "province", "2025-06").set_index("kode").equals(province)
