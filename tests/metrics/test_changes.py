"""What an upload would change: moves in coverage, new and missing areas, replaced rows."""

from __future__ import annotations

import pandas as pd

from geo_coverage.enrollment.backend import open_store
from geo_coverage.metrics.changes import enrollment_changes, merged_rows, target_changes

pytest_plugins = ["enrollment_fixtures"]


def _rows(*rows: tuple) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(*r, "test", "published") for r in rows],
        columns=[
            "kode",
            "period",
            "segment",
            "potential_workers",
            "active_members",
            "source",
            "data_source",
        ],
    )
    return frame.astype(
        {
            "kode": "string",
            "period": "string",
            "segment": "string",
            "potential_workers": "Int64",
            "active_members": "Int64",
            "source": "string",
            "data_source": "string",
        }
    )


def test_changes_against_the_active_data(sample_store_template):
    snap = open_store(sample_store_template).read_snapshot()
    new = _rows(
        ("73.71", "2025-12", "wage", 300000, 15000),
        ("73.71", "2025-12", "informal", 200000, 5000),
        ("73.72", "2026-01", "wage", 1000, 500),
    )
    found = enrollment_changes(snap, new)
    assert found.rows == 3 and found.periods == ("2025-12", "2026-01") and found.areas == 2
    assert found.replaced_rows == 2 and found.segments == {"informal": 1, "wage": 2}
    makassar = next(m for m in found.moves if m.kode == "73.71")
    rest = snap.rows[(snap.rows["kode"] == "73.71") & (snap.rows["period"] == "2025-12")]
    rest = rest[~rest["segment"].isin(["wage", "informal"])]  # segments the file leaves active
    members = 20000 + int(rest["active_members"].sum())
    potential = 500000 + int(rest["potential_workers"].fillna(0).sum())
    assert makassar.after == round(100 * members / potential, 2) and makassar.before > 4.0
    assert found.largest[0] == makassar
    assert [(m.kode, m.period, m.before, m.after) for m in found.new_areas] == [
        ("73.72", "2026-01", None, 50.0)
    ]
    assert len(found.missing["2026-01"]) == 101 and "2025-12" not in found.missing
    assert found.map_period == "2026-01" and found.map_changes() == {"73.72": None}


def test_merged_rows_follow_the_stores_copy_on_write(sample_store_template):
    snap = open_store(sample_store_template).read_snapshot()
    new = _rows(("73.71", "2025-12", "wage", 1, 1))
    merged = merged_rows(snap.rows, new)
    assert len(merged) == len(snap.rows)
    key = (
        (merged["kode"] == "73.71")
        & (merged["period"] == "2025-12")
        & (merged["segment"] == "wage")
    )
    assert merged.loc[key, "active_members"].tolist() == [1]


def test_target_changes_compare_with_the_target_in_force():
    active = pd.DataFrame(
        [("73", 2025, 62.93, "x")], columns=["kode", "year", "target_pct", "source"]
    )
    new = pd.DataFrame(
        [("73.71", 2025, 70.0, "p"), ("73", 2025, 62.93, "p"), ("74", 2025, 55.0, "p")],
        columns=["kode", "year", "target_pct", "source"],
    )
    changed = target_changes(active, new, {"73.71": "Kota Makassar"})
    assert [(c.kode, c.before, c.after) for c in changed] == [
        ("73.71", 62.93, 70.0),
        ("74", 60.0, 55.0),
    ]


def test_district_rows_replace_their_regencys_row_in_the_preview(sample_store_template):
    snap = open_store(sample_store_template).read_snapshot()
    areas = snap.areas
    codes = sorted(areas.loc[areas["kode"].str.startswith("73.72."), "kode"])
    new = _rows(*((kode, "2025-12", "wage", 10000, 6000 + i) for i, kode in enumerate(codes)))
    after = merged_rows(snap.rows, new)
    wage = after[(after["period"] == "2025-12") & (after["segment"] == "wage")]
    assert "73.72" not in set(wage["kode"]) and set(codes) <= set(wage["kode"])
    found = enrollment_changes(snap, new)
    assert found.replaced_rows == 1 and found.areas == len(codes) == 4
    parepare = [m for m in found.moves if m.period == "2025-12"]
    assert [m.kode for m in parepare] == ["73.72"]  # the regency the districts sum into
    rest = snap.rows[(snap.rows["kode"] == "73.72") & (snap.rows["period"] == "2025-12")]
    rest = rest[rest["segment"] != "wage"]
    members = sum(6000 + i for i in range(4)) + int(rest["active_members"].sum())
    potential = 40000 + int(rest["potential_workers"].fillna(0).sum())
    assert parepare[0].after == round(100 * members / potential, 2)
    # and a regency row replaces the districts' rows again
    back = merged_rows(after, _rows(("73.72", "2025-12", "wage", 50000, 20000)))
    wage = back[(back["period"] == "2025-12") & (back["segment"] == "wage")]
    assert "73.72" in set(wage["kode"]) and not set(codes) & set(wage["kode"])
