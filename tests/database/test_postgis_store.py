"""The PostgreSQL back end against the GeoPackage: the same data after a build, the schema its
migrations make, versions seen across instances, serialised imports."""

from __future__ import annotations

import pandas as pd
from postgres import postgis_copy

from geo_coverage.enrollment.backend import open_store

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
