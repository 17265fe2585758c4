"""The versioned store: atomic imports, rejected and interrupted imports, readers, rollback.

The tests taking `backend_settings` run once on the GeoPackage file and once on PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyogrio
import pytest
from enrollment_helpers import DATA, HEADER, quiet, settings_for, store_state

from geo_coverage.enrollment import pg_store, store
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.enrollment.sample import PERIODS
from geo_coverage.enrollment.segments import SEGMENTS
from geo_coverage.enrollment.table import TableRejected
from geo_coverage.metrics import dataset

pytest_plugins = ["enrollment_fixtures"]

# The sample: its periods, and Σ members in 2021-12 (its rows bumped by 1 each add BUMP).
SAMPLE_PERIODS = len(PERIODS)
BUMP = 102 * len(SEGMENTS)


def regencies(settings) -> list[str]:
    areas = open_store(settings).read_areas()
    return sorted(areas.loc[areas["level"] == "regency", "kode"])


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def bumped_2021(settings, bump: int = 1) -> list[str]:
    """2021-12 rows for every regency: the active figures with members + bump."""
    rows = open_store(settings).read_snapshot().rows
    rows = rows[rows["period"] == "2021-12"]
    return [
        f"{r.kode},{r.period},{r.segment},{r.potential_workers},{r.active_members + bump},"
        for r in rows.itertuples()
    ]


def extra_periods(codes: list[str], count: int) -> list[str]:
    """Rows for `count` months before 2021 for every regency, both segments."""
    lines = []
    for i in range(count):
        period = f"{2001 + i // 12}-{i % 12 + 1:02d}"
        for kode in codes:
            lines += [f"{kode},{period},wage,1000,700,", f"{kode},{period},informal,2000,300,"]
    return lines


def totals(settings) -> tuple[int, int]:
    """(number of periods, Σ members in 2021-12) from one consistent snapshot."""
    snap = open_store(settings).read_snapshot()
    rows = snap.rows
    return rows["period"].nunique(), int(
        rows.loc[rows["period"] == "2021-12", "active_members"].sum()
    )


def test_import_replaces_only_the_combinations_in_the_file(backend_settings, tmp_path):
    enrollment_settings = backend_settings
    before = open_store(enrollment_settings).read_snapshot()
    file = write_csv(
        tmp_path / "update.csv",
        ["73.71,2025-06,wage,400000,390000,kacab", "73.71,2019-01,informal,10,5,"],
    )
    report, version = import_file(enrollment_settings, file)
    after = open_store(enrollment_settings).read_snapshot()
    assert version.parent == before.active and after.active == version.id
    assert version.kind == "import" and version.file_name == "update.csv"
    assert version.sha256 == report.sha256 and version.file_rows == 2
    assert version.total_rows == len(before.rows) + 1 == len(after.rows)
    assert any("period 2019-01: 101 of 102" in w for w in version.warnings)
    key = ["kode", "period", "segment"]
    old = before.rows.set_index(key)
    new = after.rows.set_index(key)
    changed = new.loc[("73.71", "2025-06", "wage")]
    assert (changed["potential_workers"], changed["active_members"]) == (400000, 390000)
    assert changed["data_source"] == "published" and changed["source"] == "kacab"
    untouched = old.drop(index=[("73.71", "2025-06", "wage")])
    assert new.loc[untouched.index].equals(untouched)
    assert after.data_version != before.data_version


def test_every_bad_file_leaves_the_store_unchanged(backend_settings):
    enrollment_settings = backend_settings
    state = store_state(enrollment_settings)
    tag = dataset.data_version(enrollment_settings)
    files = sorted((DATA / "bad").glob("*.csv"))
    assert len(files) >= 20
    for file in files:
        with pytest.raises(TableRejected) as caught:
            import_file(enrollment_settings, file)
        assert caught.value.report.errors, file.name
        assert all(line.startswith(f"{file.name}:") for line in caught.value.report.lines())
    assert store_state(enrollment_settings) == state
    assert dataset.data_version(enrollment_settings) == tag


def _chunk_writer(settings):
    """The module and name of the function that writes a chunk of rows in this back end."""
    return (pg_store, "_copy") if settings.database_url else (store, "_write_chunk")


def test_failure_inside_the_transaction_leaves_the_store_unchanged(
    backend_settings, tmp_path, monkeypatch
):
    enrollment_settings = backend_settings
    state = store_state(enrollment_settings)
    file = write_csv(tmp_path / "update.csv", bumped_2021(enrollment_settings))
    written: list[int] = []
    module, name = _chunk_writer(enrollment_settings)
    original = getattr(module, name)

    def fail_on_second_chunk(conn, first, *rest):
        original(conn, first, *rest)
        if module is pg_store and first != "enrollment":
            return
        written.append(len(rest[-1]))
        if len(written) == 2:
            raise OSError("disk full (simulated after two chunks were written)")

    monkeypatch.setattr(store, "CHUNK_ROWS", 50)  # both stores' drafts chunk by it
    monkeypatch.setattr(module, name, fail_on_second_chunk)
    with pytest.raises(OSError, match="simulated"):
        import_file(enrollment_settings, file)
    assert written == [50, 50]
    assert store_state(enrollment_settings) == state
    monkeypatch.setattr(module, name, original)
    base = totals(enrollment_settings)[1]
    _, version = import_file(enrollment_settings, file)
    assert totals(enrollment_settings) == (SAMPLE_PERIODS, base + BUMP)
    assert version.id == state["versions"][-1][0] + 1


SLOW_IMPORT = """
import pathlib, sys, time
from geo_coverage.enrollment import pg_store, store
from geo_coverage.config import Settings
from geo_coverage.enrollment.importer import import_file

file, marker, instance, pause = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4]
url = sys.argv[5] or None
module, name = (pg_store, "_copy") if url else (store, "_write_chunk")
original = getattr(module, name)
store.CHUNK_ROWS = 1000  # both stores' drafts chunk by it

def slow(conn, *rest):
    original(conn, *rest)
    if url and rest[0] != "enrollment":
        return
    marker.touch()
    time.sleep(float(pause))

setattr(module, name, slow)
settings = Settings.from_env(environ={}, instance=instance, database_url=url)
import_file(settings, pathlib.Path(file))
"""


def start_slow_import(settings, file: Path, marker: Path, pause: float) -> subprocess.Popen:
    """Import in another process, pausing after each chunk written inside the transaction."""
    log = marker.with_suffix(".log")
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                SLOW_IMPORT,
                str(file),
                str(marker),
                str(settings.instance),
                str(pause),
                settings.database_url or "",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the import process ended early: {log.read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the import process did not start writing within 120 s")
        time.sleep(0.02)
    return proc


def test_killed_import_leaves_the_store_unchanged(backend_settings, tmp_path):
    enrollment_settings = backend_settings
    state = store_state(enrollment_settings)
    base = totals(enrollment_settings)[1]
    codes = regencies(enrollment_settings)
    file = write_csv(
        tmp_path / "big.csv", bumped_2021(enrollment_settings) + extra_periods(codes, 20)
    )
    proc = start_slow_import(enrollment_settings, file, tmp_path / "writing", pause=120)
    proc.kill()
    proc.wait()
    assert store_state(enrollment_settings) == state
    assert totals(enrollment_settings) == (SAMPLE_PERIODS, base)
    _, version = import_file(enrollment_settings, file)
    assert totals(enrollment_settings) == (SAMPLE_PERIODS + 20, base + BUMP)
    assert version.total_rows == len(state["rows"]) + 20 * len(codes) * 2


@pytest.mark.slow
def test_concurrent_reader_sees_only_complete_versions(backend_settings, tmp_path):
    settings = backend_settings
    codes = regencies(settings)
    file = write_csv(tmp_path / "big.csv", bumped_2021(settings) + extra_periods(codes, 200))
    old = totals(settings)
    new = (SAMPLE_PERIODS + 200, old[1] + BUMP)
    assert totals(settings) == old
    proc = start_slow_import(settings, file, tmp_path / "writing", pause=0.03)
    seen: list[tuple] = []
    while proc.poll() is None:
        seen.append(("snapshot", totals(settings)))
        frame = dataset.load_metrics(settings, "province", "2021-12")
        seen.append(("metrics", int(frame["active_members"].sum())))
    assert proc.wait() == 0, (tmp_path / "writing.log").read_text()
    seen.append(("snapshot", totals(settings)))
    snapshots = [v for kind, v in seen if kind == "snapshot"]
    metric_totals = {v for kind, v in seen if kind == "metrics"}
    assert set(snapshots) <= {old, new}, set(snapshots)
    assert metric_totals <= {old[1], new[1]}, metric_totals
    assert snapshots.count(old) >= 3, "the reader should have read while the import ran"
    assert snapshots[-1] == new
    frame = dataset.load_metrics(settings, "province", "2021-12")
    assert int(frame["active_members"].sum()) == new[1]


def test_rollback_returns_to_the_previous_version_and_is_recorded(backend_settings, tmp_path):
    enrollment_settings = backend_settings
    backend = open_store(enrollment_settings)
    first = backend.read_snapshot()
    tags = [first.data_version]
    a = write_csv(tmp_path / "a.csv", ["73.71,2025-06,wage,400000,390000,"])
    b = write_csv(tmp_path / "b.csv", ["73.71,2025-06,wage,400000,1,"])
    _, va = import_file(enrollment_settings, a)
    after_a = backend.read_snapshot()
    _, vb = import_file(enrollment_settings, b)
    tags += [after_a.data_version, backend.data_version()]

    before, now = backend.activate()
    assert (before, now.id) == (vb.id, va.id)
    rolled = backend.read_snapshot()
    assert rolled.rows.equals(after_a.rows)
    tags.append(rolled.data_version)
    before, now = backend.activate()
    assert (before, now.id) == (va.id, first.active)
    assert backend.read_snapshot().rows.equals(first.rows)
    tags.append(backend.data_version())
    with pytest.raises(store.StoreError, match="first version"):
        backend.activate()
    assert len(set(tags)) == len(tags), "every import and rollback changes the data version"

    _, vc = import_file(enrollment_settings, a)
    assert vc.parent == first.active
    assert backend.activate()[1].id == first.active
    assert backend.activate(vb.id)[1].id == vb.id
    with pytest.raises(store.StoreError, match="no version 99"):
        backend.activate(99)

    history, active = backend.versions()
    assert [v.id for v in history] == [first.active, va.id, vb.id, vc.id] and active == vb.id
    state = store_state(enrollment_settings)
    actions = [(a[2], a[3], a[4]) for a in state["activations"]]
    assert actions == [
        ("sample", first.active, None),
        ("import", va.id, first.active),
        ("import", vb.id, va.id),
        ("rollback", va.id, vb.id),
        ("rollback", first.active, va.id),
        ("import", vc.id, first.active),
        ("rollback", first.active, vc.id),
        ("rollback", vb.id, first.active),
    ]


def test_store_is_a_geopackage_gdal_reads(enrollment_settings):
    path = enrollment_settings.store_path
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert {"enrollment_active", "versions", "areas", "targets"} <= layers
    frame = pyogrio.read_dataframe(path, layer="enrollment_active")
    assert len(frame) == 102 * SAMPLE_PERIODS * len(SEGMENTS)
    assert frame["kode"].map(type).eq(str).all()


def test_importing_before_a_build_says_how_to_build(tmp_path, mirror_dir):
    settings = settings_for(tmp_path, mirror_dir)
    file = write_csv(tmp_path / "a.csv", ["73.71,2025-06,wage,10,5,"])
    with pytest.raises(store.StoreError, match="geo-coverage build"):
        import_file(settings, file)
    assert not settings.store_path.exists()


def test_provenance_is_kept_only_where_the_import_leaves_the_rows(backend_settings, tmp_path):
    enrollment_settings = backend_settings
    backend = open_store(enrollment_settings)
    before = backend.read_snapshot().provenance
    file = write_csv(tmp_path / "a.csv", ["73.71,2025-06,wage,400000,390000,kacab"])
    import_file(enrollment_settings, file)
    after = backend.read_snapshot().provenance

    def keys(frame):
        return set(zip(frame["kode"], frame["period"], frame["segment"], strict=True))

    # the regency, its province and the region lose their provenance for that period only
    dropped = {k for k in keys(before) if k[1] == "2025-06" and k[0] in ("73.71", "73", "SULAMA")}
    assert dropped and keys(after) == keys(before) - dropped
    backend.activate()
    assert backend.read_snapshot().provenance.equals(before)


def test_a_store_of_the_older_layout_is_updated_by_the_next_build(enrollment_settings, tmp_path):
    path = enrollment_settings.store_path
    _, imported = import_file(
        enrollment_settings, write_csv(tmp_path / "a.csv", ["73.71,2025-06,wage,10,5,"])
    )
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    for table in ("provenance", "evidence", "uncertainty"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("CREATE TABLE published (kode TEXT)")
    conn.commit()
    conn.close()
    assert not store.is_store_built(path)
    with pytest.raises(store.StoreError, match="older geo_coverage .*geo-coverage build"):
        store.read_snapshot(path)
    build_sample_store(enrollment_settings, progress=quiet)
    assert store.is_store_built(path)
    history, active = store.versions(path)
    assert active == imported.id  # the imported data stays active
    tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert "published" not in tables and {"evidence", "provenance", "uncertainty"} <= tables
    assert len(store.read_evidence(path)) == 217


def test_data_version_follows_commits_and_replaced_files(served_settings, tmp_path):
    path = tmp_path / "coverage.gpkg"
    shutil.copy(served_settings.store_path, path)
    first = store.current_version(path)
    assert store.current_version(path) == first
    time.sleep(1.1)  # the change time has whole seconds
    snapshot = store.read_snapshot(path)
    store.write_reference(path, snapshot.areas, store.read_evidence(path), snapshot.uncertainty)
    changed = store.current_version(path)
    assert changed.tag != first.tag and changed.changed_at > first.changed_at
    store.set_meta(path, "data_version", "set-by-another-connection")
    assert store.data_version(path) == "set-by-another-connection"
    seen = []
    reader = threading.Thread(target=lambda: seen.append(store.data_version(path)))
    reader.start()
    reader.join()
    assert seen == ["set-by-another-connection"]
    _checkpoint(path)  # files are swapped only without pending WAL frames
    replacement = tmp_path / "other.gpkg"
    shutil.copy(served_settings.store_path, replacement)
    os.replace(replacement, path)  # a new file under the same name
    assert store.current_version(path) == open_store(served_settings).current_version()
    other = tmp_path / "again.gpkg"
    shutil.copy(path, other)
    store.set_meta(other, "data_version", "copied-over")
    _checkpoint(other)
    _checkpoint(path)
    time.sleep(0.01)
    shutil.copyfile(other, path)  # rewritten in place, same inode
    assert store.data_version(path) == "copied-over"


def _checkpoint(path: Path) -> None:
    """Move a store's WAL into the main file and empty it."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
