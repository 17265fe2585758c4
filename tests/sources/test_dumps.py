"""The MySQL dump reader on small dumps written by the tests."""

import pytest

from geo_coverage.sources.dumps import DumpError, iter_rows

DUMP = """/* header with a quote ' and (parentheses), like upstream's licence text */
-- comment line
DELETE FROM t WHERE kode BETWEEN '73.00' AND '73.99';
INSERT INTO t(kode,nama,lat,lng,path) VALUES
\t('73.18.13','Sangalla''',-3.1, 119.8,'[[[-3.1,119.8]]]'),
\t('73.26.06','Sa''Dan', -2.9,119.9 ,'x'),
\t('73.99','Back\\\\slash \\'quoted\\'',1e-3,-5,NULL);
INSERT INTO other(kode) VALUES ('9');
"""


def test_rows_values_and_lines():
    rows = list(iter_rows(DUMP, "fixture.sql"))
    assert [r.table for r in rows] == ["t", "t", "t", "other"]
    first, second, third, _ = rows
    assert first.values == {
        "kode": "73.18.13",
        "nama": "Sangalla'",
        "lat": -3.1,
        "lng": 119.8,
        "path": "[[[-3.1,119.8]]]",
    }
    assert first.line == 5 and second.line == 6 and third.line == 7
    assert second.values["nama"] == "Sa'Dan"
    assert second.values["lng"] == 119.9
    assert third.values["nama"] == "Back\\slash 'quoted'"
    assert third.values["lat"] == 0.001 and third.values["path"] is None


def test_codes_stay_strings():
    rows = list(iter_rows("INSERT INTO t(kode,n) VALUES ('71.10',1),('08',2);"))
    assert [r.values["kode"] for r in rows] == ["71.10", "08"]


def test_wrong_number_of_values_names_the_line():
    text = "INSERT INTO t(kode,nama,path) VALUES\n('71','A','p'),\n('72','B');"
    with pytest.raises(DumpError, match=r"x\.sql, line 3: expected 3 values .* found 2"):
        list(iter_rows(text, "x.sql"))


def test_garbage_names_the_line():
    with pytest.raises(DumpError, match=r"line 2: cannot read"):
        list(iter_rows("INSERT INTO t(kode) VALUES\n('71'), ?;", "x.sql"))
