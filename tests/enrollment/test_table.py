"""Reading and validating enrollment tables: spreadsheet variants and the bad-file corpus."""

from __future__ import annotations

import codecs

import pytest
from enrollment_helpers import DATA, HEADER
from hypothesis import given
from hypothesis import strategies as st

from geo_coverage.enrollment.table import (
    COLUMNS,
    Problem,
    parse_count,
    read_file,
    read_table,
    to_csv,
)

pytest_plugins = ["enrollment_fixtures"]

BAD = DATA / "bad"

# Every bad file, with the (row, column, words in the message) each problem must name.
EXPECTED = {
    "empty.csv": [(1, None, "empty")],
    "blank_lines_only.csv": [(1, None, "empty")],
    "header_only.csv": [(1, None, "no data rows")],
    "missing_columns.csv": [
        (1, "segment", "missing required column"),
        (1, "active_members", "missing required column"),
    ],
    "duplicate_column.csv": [(1, "kode", "more than once")],
    "unknown_code.csv": [
        (3, "kode", "unknown regency/city code '73.99'"),
        (4, "kode", "not a Kemendagri code"),
        (5, "kode", "blank"),
    ],
    "wrong_level.csv": [
        (2, "kode", "province code of Sulawesi Selatan"),
        (3, "kode", "district (kecamatan) code"),
    ],
    "outside_region.csv": [(3, "kode", "not in the region (province codes 71, 72, 73, 74, 75, 76")],
    "dropped_trailing_zero.csv": [(2, "kode", "73.10 is Kabupaten Pangkajene dan Kepulauan")],
    "malformed_period.csv": [
        (2, "period", "2021-13"),
        (3, "period", "2021/12"),
        (4, "period", "write only year and month, 2021-12"),
        (5, "period", "Dec-21"),
        (6, "period", "blank"),
    ],
    "unknown_segment.csv": [
        (2, "segment", "BPU is written informal"),
        (3, "segment", "unknown segment 'formal'"),
        (4, "segment", "blank"),
    ],
    "non_integer_counts.csv": [
        (2, "potential_workers", "'12.500,5' is not a whole number"),
        (3, "potential_workers", "'12500.5' is not a whole number"),
        (4, "potential_workers", "'1e4'"),
        (4, "active_members", "'abc'"),
        (5, "active_members", "'12 500'"),
    ],
    "negative_counts.csv": [
        (2, "potential_workers", "negative"),
        (3, "active_members", "negative"),
    ],
    "thousands_separator.csv": [
        (2, "potential_workers", "thousands separator"),
        (3, "potential_workers", "thousands separator"),
    ],
    "duplicate_rows.csv": [(4, "kode", "first on row 2")],
    "blank_required.csv": [
        (2, "potential_workers", "required for segment wage"),
        (3, "active_members", "blank"),
        (4, "active_members", "blank"),
    ],
    "field_count.csv": [
        (3, None, "7 fields but the header has 6"),
        (4, None, "3 fields but the header has 6"),
    ],
    "not_utf8.csv": [(3, None, "not UTF-8 (byte 0x96")],
    "utf16.csv": [(1, None, "UTF-16")],
    "bad_data_source.csv": [(2, "data_source", "unknown data_source 'estimated'")],
    "spreadsheet_with_errors.csv": [(3, "active_members", "'60.000,5'"), (4, "period", "2025-6")],
}


def test_every_corpus_file_has_expectations():
    assert sorted(p.name for p in BAD.glob("*.csv")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_refused_with_each_problem_located(name, area_index):
    report = read_file(BAD / name, area_index)
    assert not report.ok
    found = [(p.row, p.column, p.message) for p in report.errors]
    for row, column, words in EXPECTED[name]:
        assert any(r == row and c == column and words in m for r, c, m in found), (
            f"{name}: expected a problem at row {row}, column {column} mentioning {words!r}; "
            f"got {found}"
        )
    assert len(found) == len(EXPECTED[name]), found
    for line in report.lines("errors"):
        file_name, row, column, message = line.split(":", 3)
        assert file_name == name and (row == "-" or row.isdigit()) and message.strip()


def test_rows_with_errors_name_their_line_after_quoted_multiline_text(area_index):
    data = (
        f'{HEADER}\n73.71,2025-06,wage,10,5,"a note\nover two lines"\n73.72,2025-06,wage,10,x,\n'
    ).encode()
    report = read_table(data, "t.csv", area_index)
    assert [(p.row, p.column) for p in report.errors] == [(4, "active_members")]


def _good_rows(area_index) -> str:
    return (
        f'{HEADER}\n73.71,2025-06,wage,300000,250000,"Kacab Makassar, Juni"\n'
        "73.71,2025-06,informal,200000,60000,\n73.06,2025-06,construction,,4200,Jakon\n"
    )


@pytest.mark.parametrize("variant", ["plain", "bom", "semicolon_crlf_bom", "tab", "cr"])
def test_spreadsheet_variants_read_the_same(variant, area_index):
    text = _good_rows(area_index)
    plain = read_table(text.encode(), "plain.csv", area_index)
    if variant == "bom":
        data = codecs.BOM_UTF8 + text.encode()
    elif variant == "semicolon_crlf_bom":
        data = (
            codecs.BOM_UTF8
            + text.replace(",", ";")
            .replace('"Kacab Makassar; Juni"', '"Kacab Makassar, Juni"')
            .replace("\n", "\r\n")
            .encode()
        )
    elif variant == "tab":
        data = (
            text.replace(",", "\t")
            .replace('"Kacab Makassar\t Juni"', '"Kacab Makassar, Juni"')
            .encode()
        )
    elif variant == "cr":
        data = text.replace("\n", "\r").encode()
    else:
        data = text.encode()
    report = read_table(data, "v.csv", area_index)
    assert report.ok, report.lines()
    cols = ["kode", "period", "segment", "potential_workers", "active_members", "source"]
    assert report.rows[cols].equals(plain.rows[cols])
    assert report.rows.loc[0, "source"] == "Kacab Makassar, Juni"


def test_spreadsheet_export_in_the_corpus_is_valid(area_index):
    report = read_file(DATA / "good" / "spreadsheet_bom_semicolon_crlf.csv", area_index)
    assert report.ok, report.lines()
    assert report.delimiter == ";"
    assert len(report.rows) == 6
    sources = report.rows["source"].tolist()
    assert sources[2] == "=SUM(A1)"
    assert sources[3] == 'kutipan "apa adanya"'
    construction = report.rows[report.rows["segment"] == "construction"].iloc[0]
    assert construction["potential_workers"] is __import__("pandas").NA
    assert [w.column for w in report.warnings].count("active_members") == 1


def test_free_text_is_stored_verbatim(area_index):
    texts = ['=HYPERLINK("x")', "1.234,5", "  padded  ", "Rp 12.500", "NULL", "nan", "-"]
    lines = [HEADER] + [
        f'73.{i + 1:02d},2025-06,wage,10,5,"{t.replace(chr(34), 2 * chr(34))}"'
        for i, t in enumerate(texts)
    ]
    report = read_table("\n".join(lines).encode(), "t.csv", area_index)
    assert report.ok, report.lines()
    assert report.rows["source"].tolist() == texts


def test_warnings_do_not_block_and_name_rows(area_index):
    data = f"{HEADER}\n73.71,2025-06,wage,100,120,\n".encode()
    report = read_table(data, "w.csv", area_index)
    assert report.ok
    above = [w for w in report.warnings if w.column == "active_members"]
    assert [(w.row, "exceed" in w.message) for w in above] == [(2, True)]
    missing = [w for w in report.warnings if w.row is None]
    assert len(missing) == 1 and "101 of 102 regencies" in missing[0].message


def test_missing_regency_warning_counts_the_active_data(area_index):
    data = f"{HEADER}\n73.71,2025-06,wage,100,50,\n".encode()
    everyone = [(k, "2025-06") for k, a in area_index.items() if a.level == "regency"]
    last = everyone[-1][0]
    assert last != "73.71"
    report = read_table(data, "w.csv", area_index, existing=everyone[:-1])
    missing = [w.message for w in report.warnings if w.row is None]
    assert missing == [
        f"period 2025-06: 1 of 102 regencies/cities have no figures after this import ({last})"
    ]
    complete = read_table(data, "w.csv", area_index, existing=everyone)
    assert [w for w in complete.warnings if w.row is None] == []


def test_every_problem_is_reported_at_once(area_index):
    rows = [HEADER] + [f"73.99,2025-13,bpu,-{i},x{i}," for i in range(1, 6)]
    report = read_table("\n".join(rows).encode(), "m.csv", area_index)
    assert len(report.errors) == 5 * 5
    assert sorted({p.row for p in report.errors}) == [2, 3, 4, 5, 6]


def test_written_sample_round_trips(area_index):
    data = f'{HEADER},data_source\n73.71,2025-06,wage,100,50,"a, b",modelled\n'.encode()
    report = read_table(data, "r.csv", area_index)
    again = read_table(to_csv(report.rows).encode(), "r2.csv", area_index)
    assert again.ok and again.rows[list(COLUMNS)].equals(report.rows[list(COLUMNS)])


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_plain_digits_parse_to_the_number(n):
    assert parse_count(str(n)) == (n, None)
    assert parse_count(f" {n} ") == (n, None)


@given(st.integers(min_value=1, max_value=10**9))
def test_negative_and_decimal_counts_are_refused(n):
    assert parse_count(f"-{n}")[0] is None and "negative" in parse_count(f"-{n}")[1]
    assert parse_count(f"{n},5")[0] is None
    assert parse_count(f"{n}.25")[0] is None


def test_problem_format():
    assert Problem(3, "kode", "bad").format("f.csv") == "f.csv:3:kode: bad"
    assert Problem(None, None, "bad").format("f.csv") == "f.csv:-:-: bad"
