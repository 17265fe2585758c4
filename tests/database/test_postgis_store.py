"""The PostgreSQL back end against the GeoPackage: the same data after a build, the schema its
migrations make, versions seen across instances, serialised imports."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pandas as pd
import pytest
from enrollment_helpers import HEADER, store_state
from postgres import HOLD_LOCK, free_port, postgis_copy

from geo_coverage.database import migrate
from geo_coverage.database.engine import connection, engine_for
from geo_coverage.database.schema import METADATA
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.enrollment.pg_store import PostgresStore
from geo_coverage.enrollment.store_file import StoreError, StoreLocked, StoreState

pytest_plugins = ["enrollment_fixtures"]


def test_a_build_stores_the_same_data_in_both_back_ends(
    postgres_server, postgis_sample_template, sample_store_template
):
    file_store = open_store(sample_store_template)
    with postgis_copy(postgres_server, postgis_sample_template, sample_store_template) as pg:
        database = open_store(pg)
        assert database.kind == "postgis" and file_store.kind == "file"
        assert database.is_built()
        mine, theirs = database.read_snapshot(), file_store.read_snapshot()
        for name in ("rows", "areas", "targets", "provenance", "uncertainty"):
            pd.testing.assert_frame_equal(getattr(mine, name), getattr(theirs, name))
        pd.testing.assert_frame_equal(database.read_evidence(), file_store.read_evidence())
        ours, active = database.versions()
        assert [(v.kind, v.file_name, v.sha256, v.total_rows) for v in ours] == [
            (v.kind, v.file_name, v.sha256, v.total_rows) for v in file_store.versions()[0]
        ]
        assert active == ours[-1].id


@pytest.fixture
def pg_settings(postgres_server, postgis_sample_template, sample_store_template):
    """Settings over a fresh copy of the built PostgreSQL store (with the session's shapes)."""
    with postgis_copy(postgres_server, postgis_sample_template, sample_store_template) as found:
        yield found


def test_the_migrations_make_exactly_the_schema_the_code_uses(pg_settings):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine_for(pg_settings.database_url).connect() as conn:
        found = compare_metadata(MigrationContext.configure(conn), METADATA)
    ours = [d for d in found if "spatial_ref_sys" not in str(d) and "topology" not in str(d)]
    assert ours == []
    assert migrate.revision(pg_settings.database_url) == migrate.head()
    assert migrate.upgrade(pg_settings.database_url) is False  # nothing left to do


def test_states_of_a_database(pg_settings, postgres_server):
    assert open_store(pg_settings).status().state is StoreState.OK
    empty = postgres_server.create_database()
    try:
        bare = pg_settings.with_(database_url=postgres_server.url(empty))
        found = open_store(bare).status()
        assert found.state is StoreState.NOT_BUILT and not found.readable
        with pytest.raises(StoreError, match="geo-coverage build"):
            open_store(bare).read_snapshot()
        assert not open_store(bare).is_built()
    finally:
        PostgresStore.forget(postgres_server.url(empty))
        postgres_server.drop_database(empty)
    nowhere = pg_settings.with_(database_url=f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    found = open_store(nowhere).status()
    assert found.state is StoreState.UNREADABLE
    assert "cannot be reached" in found.detail and "127.0.0.1" in found.detail
    with pytest.raises(StoreError, match="cannot be reached"):
        open_store(nowhere).read_snapshot()
    PostgresStore.forget(nowhere.database_url)


def test_a_database_of_an_older_schema_says_to_upgrade(pg_settings):
    with connection(pg_settings.database_url) as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    other = PostgresStore(pg_settings.database_url)  # a process that starts now
    assert other.status().state is StoreState.NOT_BUILT
    with pytest.raises(StoreError, match="geo-coverage db upgrade"):
        other.read_snapshot()


def test_another_instance_sees_an_import_within_a_second(pg_settings, tmp_path):
    """Two stores on one database, as two app instances have: B notices A's import at most
    VERSION_TTL_S after it commits, and reads the new version whole."""
    a, b = PostgresStore(pg_settings.database_url), PostgresStore(pg_settings.database_url)
    before = b.current_version()
    file = tmp_path / "june.csv"
    file.write_text(f"{HEADER}\n73.71,2025-06,wage,400000,390000,\n", encoding="utf-8")
    _, version = import_file(pg_settings, file)
    committed = time.monotonic()
    while b.current_version() == before:
        assert time.monotonic() - committed < 1.0, "not seen within a second"
        time.sleep(0.01)
    seen = time.monotonic() - committed
    snapshot = b.read_snapshot()
    assert snapshot.active == version.id and snapshot.data_version == b.data_version()
    assert a.current_version() == b.current_version()
    print(f"instance B saw the import after {seen * 1000:.0f} ms")


def test_two_imports_at_once_are_serialised_and_the_second_is_told_why(pg_settings, tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, pg_settings.database_url, "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        backend = PostgresStore(pg_settings.database_url)
        assert backend.status().state is StoreState.LOCKED
        backend.lock_wait = 0.3
        file = tmp_path / "july.csv"
        file.write_text(f"{HEADER}\n73.71,2025-07,wage,10,5,\n", encoding="utf-8")
        state = store_state(pg_settings)
        draft = backend.draft_version(kind="import", file_name="july.csv")
        with pytest.raises(StoreLocked) as caught, draft as started:
            started.finish(sha256="y", file_rows=0, warnings=[])
        message = str(caught.value)
        assert "another import is in progress" in message and "try again" in message
        assert "june.csv by rina" in message and re.search(r"started at 20\d\d-", message)
        assert store_state(pg_settings) == state
        # one that may wait long enough goes in after the first, on top of it
        backend.lock_wait = 30
        _, version = import_file(pg_settings.with_(), file)
        assert holder.wait(30) == 0
        history, active = open_store(pg_settings).versions()
        assert [v.file_name for v in history[-2:]] == ["june.csv", "july.csv"]
        assert version.parent == history[-2].id and active == version.id
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
