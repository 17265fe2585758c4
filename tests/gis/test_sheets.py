"""Files spreadsheets cannot break: the Excel workbook and the CSV zip with its .csvt."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from geo_coverage import create_app
from geo_coverage.gis import sheets
from geo_coverage.gis.exports import PROPERTIES
from geo_coverage.metrics.registry import FIELD


@pytest.fixture(scope="module")
def client(served_settings):
    """A test client over the session build and store."""
    return create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes}
    ).test_client()


@pytest.fixture(scope="module")
def figures(client) -> dict[str, dict]:
    """The GeoJSON download's properties by code: what the other files must say."""
    doc = client.get("/download/regency.geojson").json
    return {f["id"]: f["properties"] for f in doc["features"]}


def test_the_workbook_keeps_codes_as_text_and_percentages_as_numbers(client, figures):
    resp = client.get("/download/regency.xlsx?lang=en")
    book = load_workbook(io.BytesIO(resp.data))
    assert book.sheetnames == ["data", "fields", "sources and notes"]
    sheet = book["data"]
    header = [c.value for c in sheet[1]]
    assert header == list(PROPERTIES)
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 102
    col = {name: i for i, name in enumerate(header)}
    for row in rows:
        kode = row[col["kode"]]
        assert kode.data_type == "s" and kode.number_format == "@"
        expected = figures[kode.value]
        assert row[col["prov_kode"]].value == expected["prov_kode"]
        coverage = row[col["coverage_pct"]]
        if expected["coverage_pct"] is None:
            assert coverage.value is None
        else:
            assert coverage.value == pytest.approx(expected["coverage_pct"] / 100, abs=1e-9)
            assert coverage.number_format == "0.0%"
        target = row[col["target_pct"]]
        assert target.number_format == "0.00%"
        workers = row[col["potential_workers"]]
        assert workers.value == expected["potential_workers"] and workers.number_format == "#,##0"
    assert any(r[col["kode"]].value.endswith("0") for r in rows)  # e.g. 71.10 kept whole
    fields = book["fields"]
    assert [c.value for c in fields["A"]][1:] == list(PROPERTIES)
    assert fields["C2"].value == FIELD["kode"].description.en
    notes = [(a.value, b.value) for a, b in book["sources and notes"].iter_rows(min_row=2)]
    assert any("0.352" in str(v) for _, v in notes)
    assert any(k == "source" for k, _ in notes) and any(k == "licence" for k, _ in notes)


def test_the_workbook_speaks_indonesian_by_default(client):
    book = load_workbook(io.BytesIO(client.get("/download/regency.xlsx").data))
    assert book.sheetnames == ["data", "kolom", "sumber dan catatan"]


def test_a_text_cell_that_looks_like_a_formula_stays_text(tmp_path):
    import geopandas as gpd
    import shapely

    from geo_coverage.gis.exports import Metadata

    frame = gpd.GeoDataFrame(
        {"kode": ["73.71"], "nama": ['=HYPERLINK("x")'], "coverage_pct": [35.25]},
        geometry=[shapely.box(0, 0, 1, 1)],
        crs="EPSG:4326",
    )
    meta = Metadata("n", "t", "regency", "2025-06", "all", "full", "v", "b")
    book = load_workbook(io.BytesIO(sheets.to_xlsx(frame, meta, "en")))
    cell = book["data"]["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("x")'
    assert book["data"]["I2"].value == pytest.approx(0.3525)


def test_the_csv_zip_names_each_columns_type(client, figures):
    resp = client.get("/download/regency.csv.zip")
    with zipfile.ZipFile(io.BytesIO(resp.data)) as archive:
        names = archive.namelist()
        assert [n.rsplit(".", 1)[1] for n in names] == ["csv", "csvt"]
        assert all(i.date_time == sheets.ZIP_TIME for i in archive.infolist())
        types = next(csv.reader(io.StringIO(archive.read(names[1]).decode())))
        table = archive.read(names[0])
    assert table == client.get("/download/regency.csv").data
    assert dict(zip(PROPERTIES, types, strict=True)) == {
        key: {"text": "String", "workers": "Integer", "rank": "Integer"}.get(
            FIELD[key].unit, "Real"
        )
        for key in PROPERTIES
    }
    assert resp.data == client.get("/download/regency.csv.zip?lang=en").data
    with zipfile.ZipFile(
        io.BytesIO(client.get("/download/regency.csv.zip?geometry=wkt").data)
    ) as z:
        assert [n.rsplit(".", 1)[1] for n in z.namelist()] == ["csv", "csvt", "prj"]
        assert z.read(z.namelist()[1]).decode().strip().endswith('"WKT"')
