"""District rows in the enrollment table: validated against the region's districts, summed
into their regency (its own row or all its districts, never both, never some), stored by both
back ends, and the regency's figures are the sums.

The tests taking `backend_settings` run once on the GeoPackage file and once on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from enrollment_helpers import HEADER, store_state

from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.enrollment.table import TableRejected
from geo_coverage.enrollment.validation import read_table
from geo_coverage.metrics import dataset
from geo_coverage.metrics.compute import compute_metrics

pytest_plugins = ["enrollment_fixtures"]

MAKASSAR = "73.71"


@pytest.fixture
def stored(enrollment_settings, built_settings):
    """A fresh copy of the sample store with the session's built shapes beside it."""
    return enrollment_settings.with_(shapes=built_settings.shapes)


@pytest.fixture
def both(backend_settings, built_settings):
    """backend_settings (the file, then PostgreSQL) with the session's built shapes."""
    return backend_settings.with_(shapes=built_settings.shapes)


def districts_of(settings, regency: str) -> list[str]:
    """The districts of a regency as the store holds them (from the built district layer)."""
    areas = open_store(settings).read_areas()
    return sorted(areas.loc[areas["kode"].str.startswith(regency + "."), "kode"])


def latest(settings) -> str:
    return dataset.periods(settings)[-1]


def district_lines(codes: list[str], period: str, segments=("wage", "informal")) -> list[str]:
    """One row per district and segment, with counts that differ per district."""
    lines = []
    for i, kode in enumerate(codes):
        for j, segment in enumerate(segments):
            potential = "" if segment in ("construction", "migrant") else str(9000 + 97 * i + j)
            lines.append(f"{kode},{period},{segment},{potential},{3000 + 41 * i + 7 * j},kacab")
    return lines


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_the_store_knows_the_built_districts(enrollment_settings, built_settings):
    """The store's districts are the built district layer's, code for code."""
    from geo_coverage.boundaries.shape_source import shape_source

    areas = open_store(enrollment_settings).read_areas()
    stored = set(areas.loc[areas["level"] == "district", "kode"])
    layer = shape_source(built_settings).read_layer("district", simplified=True)
    assert stored == set(layer["kode"]) and len(stored) == 1265
    assert districts_of(enrollment_settings, MAKASSAR)[:2] == ["73.71.01", "73.71.02"]


def test_district_rows_sum_into_their_regency_on_both_back_ends(both, tmp_path):
    settings = both
    period = latest(settings)
    codes = districts_of(settings, MAKASSAR)
    assert len(codes) == 15
    before = dataset.load_metrics(settings, "regency", period, "wage").set_index("kode")
    lines = district_lines(codes, period)
    report, version = import_file(settings, write_csv(tmp_path / "kecamatan.csv", lines))
    assert report.row_count == 30 and version.file_rows == 30

    rows = open_store(settings).read_snapshot().rows
    here = rows[(rows["period"] == period) & rows["kode"].str.startswith(MAKASSAR)]
    # the regency's own wage and informal rows are replaced by its districts' rows
    kept = set(here.loc[here["kode"] == MAKASSAR, "segment"])
    assert kept and not kept & {"wage", "informal"}
    assert set(here.loc[here["kode"] != MAKASSAR, "kode"]) == set(codes)

    for segment in ("wage", "informal"):
        given = here[(here["segment"] == segment) & (here["kode"] != MAKASSAR)]
        regency = dataset.load_metrics(settings, "regency", period, segment).set_index("kode")
        assert regency.loc[MAKASSAR, "potential_workers"] == given["potential_workers"].sum()
        assert regency.loc[MAKASSAR, "active_members"] == given["active_members"].sum()
        assert regency.loc[MAKASSAR, "data_source"] == "published"
        districts = dataset.load_metrics(settings, "district", period, segment).set_index("kode")
        own = districts.loc[codes]
        assert set(own["figure_level"]) == {"district"} and set(own["level"]) == {"district"}
        assert own["active_members"].sum() == given["active_members"].sum()
        first = given.set_index("kode").loc[codes[0]]
        assert own.loc[codes[0], "coverage_pct"] == round(
            100 * first["active_members"] / first["potential_workers"], 2
        )
        assert own["priority_rank_province"].notna().all() == (segment == "informal")
        # a district of another regency still carries its regency's rates, without counts
        other = districts.loc["73.72.01"]
        assert other["figure_level"] == "regency" and pd_na(other["active_members"])
        assert other["coverage_pct"] == regency.loc["73.72", "coverage_pct"]
    # the other regencies are as they were
    after = dataset.load_metrics(settings, "regency", period, "wage").set_index("kode")
    assert after.drop(index=MAKASSAR)["active_members"].equals(
        before.drop(index=MAKASSAR)["active_members"]
    )
    # with every segment selected, the regency still has rows of its own (construction):
    # its districts carry its rates, labelled so
    every = dataset.load_metrics(settings, "district", period).set_index("kode")
    assert set(every.loc[codes, "figure_level"]) == {"regency"}
    assert every.loc[codes, "active_members"].isna().all()

    # a later regency row for the same period and segment replaces the districts' rows
    own = f"{MAKASSAR},{period},wage,500000,200000,kantor wilayah"
    import_file(settings, write_csv(tmp_path / "kota.csv", [own]))
    rows = open_store(settings).read_snapshot().rows
    wage = rows[(rows["period"] == period) & (rows["segment"] == "wage")]
    assert not wage["kode"].str.startswith(MAKASSAR + ".").any()
    assert len(wage[wage["kode"] == MAKASSAR]) == 1
    informal = rows[(rows["period"] == period) & (rows["segment"] == "informal")]
    assert informal["kode"].str.startswith(MAKASSAR + ".").sum() == 15
    regency = dataset.load_metrics(settings, "regency", period, "wage").set_index("kode")
    assert regency.loc[MAKASSAR, "active_members"] == 200000


def pd_na(value) -> bool:
    import pandas as pd

    return value is pd.NA or pd.isna(value)


def test_every_segment_given_per_district_gives_districts_their_own_totals(stored, tmp_path):
    settings = stored
    period = latest(settings)
    codes = districts_of(settings, MAKASSAR)
    segments = ("wage", "informal", "construction", "migrant")
    import_file(settings, write_csv(tmp_path / "all.csv", district_lines(codes, period, segments)))
    every = dataset.load_metrics(settings, "district", period).set_index("kode")
    assert set(every.loc[codes, "figure_level"]) == {"district"}
    regency = dataset.load_metrics(settings, "regency", period).set_index("kode")
    assert every.loc[codes, "active_members"].sum() == regency.loc[MAKASSAR, "active_members"]
    assert every.loc[codes, "potential_workers"].sum() == regency.loc[MAKASSAR, "potential_workers"]
    ranks = every.loc[codes, "priority_rank_province"]
    assert sorted(ranks.astype(int)) == list(range(1, 16))  # the only districts with figures


def test_mixed_and_incomplete_files_are_refused_with_every_problem(both, tmp_path):
    settings = both
    period = latest(settings)
    codes = districts_of(settings, MAKASSAR)
    lines = [
        f"{MAKASSAR},{period},wage,500000,200000,",  # row 2: the regency's own
        *district_lines(codes, period, ("wage",)),  # rows 3-17: and all its districts
        *district_lines(codes[:3], period, ("informal",)),  # rows 18-20: 3 of 15
    ]
    before = store_state(settings)
    with pytest.raises(TableRejected) as refused:
        import_file(settings, write_csv(tmp_path / "campur.csv", lines))
    errors = refused.value.report.lines("errors")
    missing = ", ".join(codes[3:13])
    assert errors == [
        f"campur.csv:2:kode: regency 73.71 (Kota Makassar) has a row of its own for {period} "
        "wage and rows for 15 of its districts (rows 3, 4, 5, 6, 7, …); its figures are either "
        "its own row or the sum of its districts' rows: remove one or the other",
        f"campur.csv:18:kode: valid rows for only 3 of the 15 districts of 73.71 (Kota Makassar) "
        f"in {period} informal; missing 12: {missing}, …; a regency's figures are the sum of "
        "all its districts: give a row for every district, or only the regency's row",
    ]
    assert store_state(settings) == before


def test_district_codes_are_checked_with_hints(area_index):
    text = "\n".join(
        [
            HEADER,
            "73.71.16,2025-06,wage,10,5,",
            "73.71.51,2025-06,wage,10,5,",
            "73.71.1,2025-06,wage,10,5,",
            "737101,2025-06,wage,10,5,",
            "73.99.01,2025-06,wage,10,5,",
            "73.72.01,2025-06,wage,10,5,",
        ]
    )
    report = read_table(text.encode(), "kec.csv", area_index)
    errors = report.lines("errors")
    assert errors[:5] == [
        "kec.csv:2:kode: unknown district (kecamatan) code '73.71.16' of Kota Makassar (73.71); "
        "its districts are 73.71.01 to 73.71.15",
        "kec.csv:3:kode: unknown district (kecamatan) code '73.71.51' of Kota Makassar (73.71); "
        "its districts are 73.71.01 to 73.71.15 (did you mean 73.71.15, Kepulauan Sangkarrang? "
        "the digits look swapped)",
        "kec.csv:4:kode: '73.71.1' is not a Kemendagri code like 73.71 or 73.71.01 (did you mean "
        "73.71.01, Mariso? district codes have two digits after the last dot; format the column "
        "as text)",
        "kec.csv:5:kode: '737101' is not a Kemendagri code like 73.71 or 73.71.01 (did you mean "
        "73.71.01, Mariso, a district (kecamatan) of Kota Makassar? a spreadsheet may have "
        "turned the code into a number; format the column as text)",
        "kec.csv:6:kode: unknown district (kecamatan) code '73.99.01': there is no regency/city "
        "73.99 of Sulawesi Selatan",
    ]
    # 73.72.01 is a known district, refused only because its regency's other districts are
    # missing
    assert errors[5].startswith("kec.csv:7:kode: valid rows for only 1 of the 4 districts of 73.72")


def test_without_district_rows_the_metrics_are_as_before(stored):
    """A store holding no district rows: the district level is all carried rates, and the
    regencies are computed from their own rows exactly as without districts in the areas."""
    snap = open_store(stored).read_snapshot()
    regency_areas = snap.areas[snap.areas["level"] != "district"]
    with_districts = compute_metrics(snap.rows, snap.areas, snap.targets, snap.provenance)
    without = compute_metrics(snap.rows, regency_areas, snap.targets, snap.provenance)
    assert with_districts.equals(without)
    own = compute_metrics(snap.rows, snap.areas, snap.targets, level="district")
    assert own.empty
    districts = dataset.load_metrics(stored, "district")
    assert set(districts["figure_level"]) == {"regency"}
