"""The published-figures table: read and typed, every problem located, written back as is."""

from __future__ import annotations

import re

import pytest

from geo_coverage.sources.evidence import (
    COLUMNS,
    EVIDENCE_CSV,
    QUALIFIERS,
    EvidenceError,
    evidence_csv,
    in_area,
    read_evidence,
)

HEADER = ",".join(COLUMNS)
GOOD = '73,Sulawesi Selatan,province,2025-06,coverage_pct,47.38,exact,,bpjs,"Bisnis, 16 Jul 2025",'


def write(tmp_path, *lines: str, header: str = HEADER):
    path = tmp_path / "figures.csv"
    path.write_text("\r\n".join([header, *lines]) + "\r\n", encoding="utf-8")
    return path


def test_the_shipped_table_is_the_shared_one_and_reads_back_byte_for_byte(mirror_dir):
    assert EVIDENCE_CSV.read_bytes() == (mirror_dir / "published_figures.csv").read_bytes()
    frame = read_evidence()
    assert len(frame) == 217 and frame["line"].is_unique
    assert set(frame["qualifier"]) <= set(QUALIFIERS)
    assert evidence_csv(frame).encode("utf-8") == EVIDENCE_CSV.read_bytes()


def test_values_are_typed_with_their_decimals(tmp_path):
    frame = read_evidence(
        write(tmp_path, GOOD, GOOD.replace("47.38", "51").replace("2025-06", "2025"))
    )
    assert frame["number"].tolist() == [47.38, 51.0]
    assert frame["decimals"].tolist() == [2, 0]
    assert frame["value"].tolist() == ["47.38", "51"]  # as written
    assert frame["line"].tolist() == [2, 3]


def test_text_values_are_allowed_for_ranks_only(tmp_path):
    rank = GOOD.replace("coverage_pct,47.38,exact", "rank,4th of 38,ordinal")
    frame = read_evidence(write(tmp_path, rank))
    assert frame["number"].isna().all() and frame["value"].iloc[0] == "4th of 38"


def test_every_problem_is_reported_with_its_line_and_column(tmp_path):
    lines = [
        GOOD.replace("47.38", "1.327.000"),  # thousands separators
        GOOD.replace(",exact,", ",roughly,"),  # unknown qualifier
        GOOD.replace("exact,,", "exact,maybe,"),  # unknown consistency
        GOOD.replace("73,Sulawesi", "73.71,Sulawesi"),  # a regency code at province level
        GOOD.replace("2025-06", "2025-13"),  # no such month
        GOOD.replace(',"Bisnis, 16 Jul 2025",', ",,"),  # no source
        GOOD.replace(",bpjs,", ",newspaper,"),  # unknown basis
        GOOD.replace("73,Sulawesi", "31,DKI"),  # outside the region
        "73,too,few",
    ]
    with pytest.raises(EvidenceError) as caught:
        read_evidence(write(tmp_path, *lines))
    found = re.findall(r"figures\.csv:(\d+):([a-z_-]+): ", str(caught.value))
    assert found == [
        ("2", "value"),
        ("3", "qualifier"),
        ("4", "consistency"),
        ("5", "kode"),
        ("6", "period"),
        ("7", "source"),
        ("8", "basis"),
        ("9", "kode"),
        ("10", "-"),
    ]


def test_header_problems(tmp_path):
    header = HEADER.replace("qualifier", "qualifer") + ",value"
    with pytest.raises(EvidenceError) as caught:
        read_evidence(write(tmp_path, GOOD, header=header))
    message = str(caught.value)
    assert "missing column 'qualifier'" in message
    assert "unknown column 'qualifer'" in message
    assert "column 'value' appears twice" in message


def test_codes_can_be_checked_against_the_official_list(tmp_path):
    path = write(
        tmp_path, GOOD.replace("73,Sulawesi", "73.99,Kabupaten X").replace("province", "regency")
    )
    assert len(read_evidence(path)) == 1
    with pytest.raises(EvidenceError, match=r"figures\.csv:2:kode: '73\.99' is not an official"):
        read_evidence(path, known_codes={"73", "73.01"})


def test_in_area_takes_the_areas_inside():
    frame = read_evidence()
    got = in_area(frame, "73")
    assert set(got["kode"].str[:2]) == {"73"} and {"73", "73.71"} <= set(got["kode"])
    assert set(in_area(frame, "73.71")["kode"]) == {"73.71"}
