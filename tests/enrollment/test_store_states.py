"""Every state a store file can be in, told apart by store.state(); a full and a read-only
disk are real (a small tmpfs in a private mount namespace, see tests/mounts.py)."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from enrollment_helpers import HEADER, copy_store, store_state
from mounts import run_on_tmpfs

from geo_coverage.enrollment import store, store_file
from geo_coverage.enrollment.store import StoreState

pytest_plugins = ["enrollment_fixtures"]

TESTS = Path(__file__).resolve().parent.parent


def damaged_copy(template: Path, target: Path, offset: int) -> Path:
    """A copy of a store with one page overwritten by garbage."""
    copy_store(template, target)
    with target.open("r+b") as f:
        f.seek(offset)
        f.write(b"\xa5" * 4096)
    return target


def test_missing_and_not_built(tmp_path):
    path = tmp_path / "coverage.gpkg"
    assert store.state(path).state is StoreState.MISSING
    path.write_bytes(b"")
    assert store.state(path).state is StoreState.NOT_BUILT
    path.unlink()
    store.initialise(path)
    assert store.state(path).state is StoreState.NOT_BUILT
    with pytest.raises(store.StoreError, match="not built yet.*geo-coverage build"):
        store.versions(path)


def test_a_built_store_is_ok(enrollment_settings):
    found = store.state(enrollment_settings.store_path)
    assert found.state is StoreState.OK and found.readable


@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        ("text", "not an SQLite file"),
        ("other_sqlite", "not an enrollment store: no table meta, versions, enrollment, areas"),
        ("first_page", "malformed"),
        ("inner_page", "Page"),
        ("directory", "not a regular file"),
    ],
)
def test_a_damaged_store_is_corrupt_and_says_how_to_restore(
    damage, detail, tmp_path, sample_store_template
):
    path = tmp_path / "coverage.gpkg"
    if damage == "text":
        path.write_text("kode,period\n73.71,2025-06\n")
    elif damage == "other_sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()
    elif damage == "first_page":
        damaged_copy(sample_store_template.store_path, path, 100)
    elif damage == "inner_page":
        damaged_copy(sample_store_template.store_path, path, 4096 * 3)
    else:
        path.mkdir()
    found = store.state(path)
    assert found.state is StoreState.CORRUPT and not found.readable
    assert detail in found.detail
    message = str(found.error())
    assert str(path) in message and "damaged" in message
    assert "restore it from a backup" in message and "geo-coverage build" in message


def test_an_unreachable_store_is_unreadable(tmp_path):
    (tmp_path / "file").write_text("")
    found = store.state(tmp_path / "file" / "coverage.gpkg")
    assert found.state is StoreState.UNREADABLE and "Not a directory" in found.detail


def test_a_store_another_process_writes_is_locked(enrollment_settings, monkeypatch):
    path = enrollment_settings.store_path
    before = store_state(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert store.state(path).state is StoreState.LOCKED
        assert len(store.versions(path)[0]) == 1, "readers are not blocked by a writer"
        monkeypatch.setattr(store_file, "BUSY_TIMEOUT_S", 0.2)
        with pytest.raises(store_file.StoreLocked, match="locked by another process"):
            store.activate(path, 1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store_state(path) == before
    assert store.state(path).state is StoreState.OK


FULL_DISK = """
import contextlib, io, json, pathlib, sys
sys.path.insert(0, sys.argv[1])
from enrollment_helpers import store_state
from geo_coverage.cli.main import main
from geo_coverage.enrollment import store

path, big, small = (pathlib.Path(a) for a in sys.argv[2:5])
before = store_state(path)

def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()

full = run("import", "--allow-future", str(big))
after = store_state(path)
state = store.state(path).state.value
again = run("import", str(small))
print(json.dumps({"full": full, "unchanged": before == after, "integrity": after["integrity"],
                  "state": state, "again": again}))
"""


def _rows(count: int) -> str:
    """count rows with distinct keys: the regencies of Sulawesi Selatan, every segment, month
    after month from 1990-01 (past 2026 for big counts: import with --allow-future)."""
    regencies = [f"73.{i:02d}" for i in (*range(1, 19), 22, 24, 26, 71, 72, 73)]
    segments = ("wage", "informal", "construction", "migrant")
    combos = [(k, s) for k in regencies for s in segments]
    lines = [HEADER]
    for i in range(count):
        kode, segment = combos[i % len(combos)]
        month = i // len(combos)
        lines.append(f"{kode},{1990 + month // 12}-{month % 12 + 1:02d},{segment},1000,500,")
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_a_full_disk_changes_nothing_and_says_so(sample_store_template, tmp_path):
    """A real full disk: the store on a tmpfs (in a private mount namespace) with 1.5 MB to
    spare and an import of 60,000 rows, which needs more; then a small import still works."""
    big, small = tmp_path / "big.csv", tmp_path / "small.csv"
    big.write_text(_rows(60_000))
    small.write_text(_rows(20))
    store_copy = tmp_path / "template.gpkg"
    copy_store(sample_store_template.store_path, store_copy)
    disk = tmp_path / "disk"
    instance = disk / "instance"
    done = run_on_tmpfs(
        disk,
        store_copy.stat().st_size // 1024 + 1536,
        [f"mkdir {instance}", f"cp {store_copy} {instance}/coverage.gpkg"],
        [
            sys.executable,
            "-c",
            FULL_DISK,
            str(TESTS),
            str(instance / "coverage.gpkg"),
            str(big),
            str(small),
        ],
        {**os.environ, "GEO_COVERAGE_INSTANCE": str(instance)},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    code, out, err = result["full"]
    assert code == 2 and out == ""
    assert "the disk is full: nothing was changed" in err
    assert "cannot rollback" not in err + done.stderr and "Traceback" not in err
    assert result["unchanged"] and result["integrity"] == "ok"
    assert result["state"] == "ok"
    code, out, err = result["again"]
    assert code == 0 and "imported 20 rows" in out, err


READ_ONLY = """
import contextlib, io, json, pathlib, sys
from geo_coverage.cli.main import main
from geo_coverage.enrollment import store

def run(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()

found = store.state(pathlib.Path(sys.argv[1]))
print(json.dumps({
    "state": [found.state.value, found.detail],
    "history": run("history"),
    "summary": run("summary", "--level", "province", "--period", "2021-12", "--format", "csv"),
    "check": run("import", "--check", sys.argv[2]),
    "import": run("import", sys.argv[2]),
    "rollback": run("rollback", "--to", "1"),
}))
"""


def test_a_read_only_store_can_be_read_but_not_changed(sample_store_template, tmp_path):
    """A real read-only disk: the store on a tmpfs remounted read-only."""
    store_copy = tmp_path / "template.gpkg"
    copy_store(sample_store_template.store_path, store_copy)
    good = TESTS / "data" / "good" / "spreadsheet_bom_semicolon_crlf.csv"
    disk = tmp_path / "disk"
    instance = disk / "instance"
    done = run_on_tmpfs(
        disk,
        2048,
        [f"mkdir {instance}", f"cp {store_copy} {instance}/coverage.gpkg"],
        [
            sys.executable,
            "-c",
            READ_ONLY,
            str(instance / "coverage.gpkg"),
            str(good),
        ],
        {**os.environ, "GEO_COVERAGE_INSTANCE": str(instance)},
        read_only=True,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["state"] == ["read_only", "the disk it is on is mounted read-only"]
    code, out, _ = result["history"]
    assert code == 0 and "sample (modelled)" in out
    code, out, _ = result["summary"]
    assert code == 0 and "71,Sulawesi Utara,2021-12" in out
    code, out, _ = result["check"]
    assert code == 0 and "valid, 6 rows" in out
    for command in ("import", "rollback"):
        code, out, err = result[command]
        assert code == 2 and out == "", command
        assert "is read-only (the disk it is on is mounted read-only): nothing was changed" in err
        assert "Traceback" not in err and "not built" not in err and "building" not in err
