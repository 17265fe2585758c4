"""The targets table shipped with the code may list any province of Indonesia; a region reads
its own rows, and an uploaded table is checked against the region."""

import pytest

from geo_coverage.enrollment.table import AreaInfo
from geo_coverage.enrollment.targets import read_targets, validate_targets
from geo_coverage.errors import GeoCoverageError

TABLE = "kode,year,target_pct,source\n73,2025,62.93,a\n31,2025,70,b\n75.01,2025,61,c\n"


def _areas(*provinces):
    """The areas of a region of these provinces (one regency each)."""
    out = {p: AreaInfo(p, f"P{p}", "province") for p in provinces}
    out |= {f"{p}.01": AreaInfo(f"{p}.01", f"R{p}", "regency") for p in provinces}
    return out


def test_a_region_reads_the_shipped_rows_of_its_own_areas(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(TABLE, encoding="utf-8")
    assert list(read_targets(_areas("73", "75"), path).rows["kode"]) == ["73", "75.01"]
    assert list(read_targets(_areas("31", "73", "75"), path).rows["kode"]) == ["73", "31", "75.01"]
    assert read_targets(_areas("11"), path).rows.empty  # nothing of Aceh listed: no targets


def test_a_code_that_is_no_province_fails_whatever_the_region(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(TABLE + "99,2025,60,d\n", encoding="utf-8")
    with pytest.raises(GeoCoverageError) as err:
        read_targets(_areas("75"), path)
    assert "targets.csv:5:kode: '99' is not a province (75) or regency/city code" in str(err.value)


def test_an_uploaded_table_is_checked_against_the_region():
    report = validate_targets(TABLE.encode(), "t.csv", _areas("73"))
    assert report.lines("errors") == [
        "t.csv:3:kode: '31' is not a province (73) or regency/city code of the region",
        "t.csv:4:kode: '75.01' is not a province (73) or regency/city code of the region",
    ]
