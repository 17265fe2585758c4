"""Reading and validating enrollment tables: spreadsheet variants and the bad-file corpus."""

from __future__ import annotations

import codecs
import io

import pytest
from enrollment_helpers import DATA, HEADER
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_coverage.enrollment.cells import parse_count
from geo_coverage.enrollment.table import COLUMNS, Problem, to_csv
from geo_coverage.enrollment.validation import read_file, read_table

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
        # a district may have a row, but only with all its regency's districts, and never
        # beside the regency's own row
        (3, "kode", "valid rows for only 1 of the 15 districts of 73.71 (Kota Makassar)"),
        (4, "kode", "has a row of its own for 2025-06 wage and rows for 1 of its districts"),
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
    "bad_data_source.csv": [(2, "data_source", "unknown data_source 'estimated'")],
    "spreadsheet_with_errors.csv": [(3, "active_members", "'60.000,5'"), (4, "period", "2025-6")],
    "unclosed_quote.csv": [(3, None, 'a quote (") opened on row 3 is never closed')],
    "long_cell.csv": [(2, "source", "2,000 characters long; values are at most 1,024")],
    "code_without_dot.csv": [
        (2, "kode", "did you mean 71.01, Kabupaten Bolaang Mongondow?"),
        (3, "kode", "did you mean 73.01.01, Benteng, a district (kecamatan) of Kabupaten Kep"),
        (4, "kode", "did you mean 73.71, Kota Makassar?"),
    ],
    "invisible_characters.csv": [
        (2, "kode", "'73.71<U+200B>' is not a Kemendagri code"),
        (3, "potential_workers", "'12<U+00A0>500' is not a whole number"),
        (4, "segment", "U+200B ZERO WIDTH SPACE"),
    ],
    "future_period.csv": [(2, "period", "2052-06 is more than 12 months after today")],
    "nul_bytes.csv": [(3, None, "NUL characters (U+0000)")],
    "mixed_encoding.csv": [(3, None, "not UTF-8 (byte 0x96 at character 44); line 2 is UTF-8")],
    "not_windows1252.csv": [(2, None, "byte 0x81 at byte 35 is neither UTF-8 nor Windows-1252")],
    "zip_archive.csv": [(1, None, "the file is a ZIP archive")],
    "utf16_unknown_code.csv": [(2, "kode", "unknown regency/city code '73.99'")],
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


# --- encodings -----------------------------------------------------------------------------

GOOD_ENCODINGS = {
    "utf16_le_bom.csv": "UTF-16 LE with BOM",
    "utf16_le_no_bom.csv": "UTF-16 LE without BOM",
    "utf16_be_bom.csv": "UTF-16 BE with BOM",
    "utf16_be_no_bom.csv": "UTF-16 BE without BOM",
    "windows1252.csv": "Windows-1252",
    "spreadsheet_bom_semicolon_crlf.csv": "UTF-8 with BOM",
}


@pytest.mark.parametrize("name", sorted(GOOD_ENCODINGS))
def test_encodings_are_detected_and_named(name, area_index):
    report = read_file(DATA / "good" / name, area_index)
    assert report.ok, report.lines()
    assert report.encoding == GOOD_ENCODINGS[name]
    assert report.as_dict()["encoding"] == GOOD_ENCODINGS[name]
    assert report.rows.loc[0, "kode"] == "73.71"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_every_unicode_encoding_reads_the_same_rows(codec, area_index):
    text = _good_rows(area_index).replace("Juni", "Juni – Sulawesi Selatan")
    plain = read_table(text.encode("utf-8"), "u.csv", area_index)
    report = read_table(text.encode(codec), "u.csv", area_index)
    assert report.ok, report.lines()
    assert report.rows.drop(columns="line").equals(plain.rows.drop(columns="line"))


def test_windows_1252_is_read_with_a_warning_naming_the_byte(area_index):
    report = read_file(DATA / "good" / "windows1252.csv", area_index)
    assert report.rows["source"].tolist() == ["ok", "Kacab Parepare – laporan"]
    (first,) = [w for w in report.warnings if w.row is not None]
    assert (first.row, first.column) == (3, None)
    assert "not UTF-8 (byte 0x96" in first.message and "read as Windows-1252" in first.message


# --- limits and CSV errors ----------------------------------------------------------------


def test_an_over_long_line_is_skipped_and_later_rows_keep_their_numbers(area_index, tmp_path):
    path = tmp_path / "long_line.csv"
    path.write_text(
        f"{HEADER}\n73.71,2025-06,wage,10,5,ok\n{'x' * 70_000}\n73.72,2025-06,wage,10,x,\n"
    )
    report = read_file(path, area_index)
    assert [(p.row, p.column) for p in report.errors] == [(3, None), (4, "active_members")]
    assert "longer than 65,536 characters" in report.errors[0].message


def test_a_quote_never_closed_mid_file_is_one_problem_not_a_traceback(area_index):
    runaway = "".join(f"73.{i % 90 + 1:02d},2025-06,wage,10,5,text\n" for i in range(5000))
    data = f'{HEADER}\n73.71,2025-06,wage,10,5,"opened\n{runaway}'.encode()
    assert len(data) > 131_072
    report = read_table(data, "q.csv", area_index)
    assert [(p.row, p.column) for p in report.errors] == [(2, None)]
    assert "longer than 131,072 characters" in report.errors[0].message
    assert "not checked" in report.errors[0].message
    assert report.error_count == 1


@settings(deadline=None)
@given(st.binary(max_size=400))
def test_no_bytes_make_reading_raise(tail):
    report = read_table(HEADER.encode() + b"\n" + tail, "fuzz.csv", {})
    assert report.ok or report.errors
    assert all(p.message for p in report.errors + report.warnings)


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from(list(',;"\r\n\t\x00\x1b\u200b x73.-')), max_size=300))
def test_no_text_makes_reading_raise(body):
    report = read_table((HEADER + "\n" + body).encode(), "fuzz.csv", {})
    assert report.ok or report.errors
    assert sorted(report.errors, key=Problem.sort_key) == report.errors


# --- many problems -------------------------------------------------------------------------


def test_at_most_100_problems_are_listed_with_the_total(area_index):
    rows = [HEADER] + ["73.71,2025-06,wage,10,5,"] * 5000
    report = read_table("\n".join(rows).encode(), "dup.csv", area_index)
    assert len(report.errors) == 100
    assert [p.row for p in report.errors] == list(range(3, 103))
    assert report.error_count == 4999 and report.error_rows == 4999
    assert report.lines()[-1] == "dup.csv:-:-: … and 4,899 more problems (4,899 rows affected)"
    assert report.as_dict()["error_count"] == 4999
    assert len(report.rows) == 1


def test_listed_problems_are_the_first_rows_in_column_order(area_index):
    rows = [HEADER] + [f"73.99,2025-13,bpu,-{i},x{i}," for i in range(1, 60)]
    report = read_table("\n".join(rows).encode(), "m.csv", area_index)
    assert report.error_count == 59 * 5 and len(report.errors) == 100
    assert [(p.row, p.column) for p in report.errors[:5]] == [
        (2, "kode"),
        (2, "period"),
        (2, "segment"),
        (2, "potential_workers"),
        (2, "active_members"),
    ]
    assert report.errors[-1].row == 21
    assert report.lines()[-1].endswith("… and 195 more problems (39 rows affected)")


# --- hints --------------------------------------------------------------------------------


def test_control_characters_in_cells_are_shown_by_code(area_index):
    data = f"{HEADER}\n73.71\x1b[31m,2025-06,wage,10,5,\n".encode()
    (problem,) = read_table(data, "esc.csv", area_index).errors
    assert "'73.71<U+001B>[31m'" in problem.message and "\x1b" not in problem.message
    assert "U+001B ESCAPE" in problem.message


def test_a_header_name_with_an_invisible_character_is_pointed_out(area_index):
    data = "kode\u200b,period,segment,potential_workers,active_members\n73.71,2025-06,wage,1,1\n"
    report = read_table(data.encode(), "h.csv", area_index)
    (missing,) = [p for p in report.errors if p.column == "kode"]
    assert "'kode<U+200B>'" in missing.message


# --- future periods -----------------------------------------------------------------------


def test_periods_more_than_12_months_ahead_need_allow_future(area_index):
    from datetime import date

    data = f"{HEADER}\n73.71,2026-06,wage,10,5,\n73.72,2026-07,wage,10,5,\n".encode()
    today = date(2025, 6, 15)
    report = read_table(data, "f.csv", area_index, today=today)
    assert [(p.row, p.column) for p in report.errors] == [(3, "period")]
    assert "2026-07 is more than 12 months after today (2025-06)" in report.errors[0].message
    assert "--allow-future" in report.errors[0].message
    allowed = read_table(data, "f.csv", area_index, today=today, allow_future=True)
    assert allowed.ok and allowed.rows["period"].tolist() == ["2026-06", "2026-07"]


# --- the file itself ----------------------------------------------------------------------


def test_a_directory_or_a_pipe_is_not_a_file(area_index, tmp_path):
    import os

    from geo_coverage.enrollment.textfile import UnreadableFile

    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    cases = {
        tmp_path: "is a directory, not a file",
        pipe: "is a named pipe, not a regular file",
        tmp_path / "absent.csv": "no such file",
    }
    for path, words in cases.items():
        with pytest.raises(UnreadableFile) as caught:
            read_file(path, area_index)
        assert caught.value.reason == words and str(caught.value).startswith(path.name)


@pytest.mark.parametrize("change", ["append", "touch"])
def test_a_file_that_changes_while_it_is_read_is_refused(change, area_index, tmp_path):
    import os

    from geo_coverage.enrollment.textfile import FileChanged

    path = tmp_path / "moving.csv"
    rows = [HEADER] + [f"73.{i % 90 + 1:02d},{2000 + i // 90}-01,wage,10,5," for i in range(9000)]
    path.write_text("\n".join(rows) + "\n")
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            if change == "append":
                with path.open("a") as f:
                    f.write("73.71,2030-01,wage,10,5,\n")
            else:
                os.utime(path, ns=(0, 0))

    with pytest.raises(FileChanged, match="changed while it was being read; try again"):
        read_file(path, area_index, progress=progress, allow_future=True)
    assert len(calls) >= 2


def test_rows_go_to_the_sink_in_file_order_and_are_not_kept(area_index):
    from geo_coverage.enrollment.validation import read_stream

    got = []
    data = _good_rows(area_index).encode()
    report = read_stream(io.BytesIO(data), "s.csv", area_index, sink=got.append)
    assert report.rows is None and report.row_count == 3
    assert [r[:3] for r in got] == [
        ("73.71", "2025-06", "wage"),
        ("73.71", "2025-06", "informal"),
        ("73.06", "2025-06", "construction"),
    ]
    assert report.data_sources == {"published": 3}


def test_every_good_file_has_an_expected_encoding():
    assert sorted(p.name for p in (DATA / "good").glob("*.csv")) == sorted(GOOD_ENCODINGS)
