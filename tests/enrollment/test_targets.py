"""The targets table: any province of Indonesia may be listed; a region reads its own."""

import pytest

from geo_coverage.enrollment.targets import read_targets
from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import INDONESIA, SULAWESI_MALUKU, parse_region

TABLE = "province,year,target_pct,source\n73,2025,62.93,a\n31,2025,70,b\n"


def test_a_region_reads_the_targets_of_its_provinces(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(TABLE, encoding="utf-8")
    assert list(read_targets(SULAWESI_MALUKU, path)["prov_kode"]) == ["73"]
    assert list(read_targets(INDONESIA, path)["prov_kode"]) == ["73", "31"]
    assert read_targets(parse_region("75"), path).empty


def test_a_code_that_is_no_province_fails_whatever_the_region(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text(TABLE + "99,2025,60,c\n73,2025,61,d\n", encoding="utf-8")
    with pytest.raises(GeoCoverageError) as err:
        read_targets(parse_region("75"), path)
    message = str(err.value)
    assert "targets.csv:4:province: '99' is not a province code (Kemendagri: 11, 12," in message
    assert "targets.csv:5:province: duplicate target for 73 2025 (first on row 2)" in message
