"""Files that spreadsheets and GIS tools read without guessing types: an Excel workbook (codes as
text, percentages as numbers in a percentage format, a sheet of fields and one of sources and
notes) and a zip of the CSV with a .csvt file naming each column's type; no Flask.
"""

from __future__ import annotations

import io
import logging
import zipfile

import geopandas as gpd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from geo_coverage.gis import exports
from geo_coverage.gis.exports import Metadata
from geo_coverage.i18n import text
from geo_coverage.metrics.registry import EXPORTED, Field

LOGGER = logging.getLogger(__name__)

DATA_SHEET = "data"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
# The GDAL/QGIS .csvt type of each unit of the registry.
CSVT_TYPES = {"text": "String", "workers": "Integer", "rank": "Integer"}
CSVT_REAL = "Real"
CSVT_WKT = "WKT"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold
PRJ_WGS84 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]'
)


def csvt(wkt: bool = False) -> str:
    """The .csvt line of the CSV download: one quoted type per column."""
    types = [CSVT_TYPES.get(f.unit, CSVT_REAL) for f in EXPORTED]
    if wkt:
        types.append(CSVT_WKT)
    return ",".join(f'"{t}"' for t in types) + "\r\n"


def to_csv_zip(frame: gpd.GeoDataFrame, metadata: Metadata, wkt: bool) -> bytes:
    """The CSV with its .csvt (and .prj with WKT geometry), zipped: nothing else, so that GDAL
    and QGIS open the zip itself as a CSV source (/vsizip/file.csv.zip)."""
    name = metadata.name
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, f"{name}.csv", exports.to_csv(frame, wkt=wkt))
        _add(archive, f"{name}.csvt", csvt(wkt).encode())
        if wkt:
            _add(archive, f"{name}.prj", PRJ_WGS84.encode())
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    """A member with a fixed time, so that the same data make the same bytes."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _cell_value(f: Field, value):
    """A value as the workbook stores it: percentages as fractions, text as text."""
    if value is None:
        return None
    if f.unit == "percent":
        return round(float(value) / 100, (f.decimals or 0) + 2)
    if f.unit == "text":
        return ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return value


def _number_format(f: Field) -> str:
    """How a column's numbers are shown: 35.2%, 1,234, +1.25, or text (@)."""
    decimals = f.display_decimals or 0
    places = "." + "0" * decimals if decimals else ""
    if f.unit == "percent":
        return f"0{places}%"
    if f.unit in ("workers", "rank"):
        return "#,##0"
    if f.unit == "points":
        return f"+0{places};-0{places};0{places}"
    return "@"


def _header(sheet) -> None:
    """The first row bold and shaded, frozen."""
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    sheet.freeze_panes = "A2"


def _data_sheet(book: Workbook, frame: gpd.GeoDataFrame) -> None:
    """One row per feature, one column per exported field, typed."""
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append([f.key for f in EXPORTED])
    for props in exports.properties_of(frame):
        sheet.append([_cell_value(f, props[f.key]) for f in EXPORTED])
    for column, f in enumerate(EXPORTED, start=1):
        letter = get_column_letter(column)
        style = _number_format(f)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = style
            if f.unit == "text" and cell.value is not None:
                cell.data_type = "s"  # a name starting with '=' stays text, not a formula
        width = max(len(f.key), *(len(str(c.value or "")) for c in sheet[letter][1:60]), 8)
        sheet.column_dimensions[letter].width = min(width + 2, 40)
    _header(sheet)
    sheet.auto_filter.ref = sheet.dimensions


def _fields_sheet(book: Workbook, lang: str) -> None:
    """Each column's label, meaning and unit."""
    sheet = book.create_sheet(text("download.xlsx.fields_sheet", lang))
    sheet.append([text(f"download.xlsx.{k}", lang) for k in ("field", "label", "meaning", "unit")])
    for f in EXPORTED:
        sheet.append([f.key, f.label.get(lang), f.description.get(lang), f.unit])
    for letter, width in zip("ABCD", (22, 34, 90, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    _header(sheet)


def _about_sheet(book: Workbook, metadata: Metadata, lang: str) -> None:
    """Where the data come from, under which terms, and how to read the workbook."""
    sheet = book.create_sheet(text("download.xlsx.about_sheet", lang))
    sheet.append([text("download.xlsx.key", lang), text("download.xlsx.value", lang)])
    for key in ("note_percent", "note_codes", "note_source"):
        sheet.append([text("download.xlsx.note", lang), text(f"download.xlsx.{key}", lang)])
    for key, value in metadata.rows():
        sheet.append([key, ILLEGAL_CHARACTERS_RE.sub("", value)])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 120
    for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.data_type = "s"
    _header(sheet)


def to_xlsx(frame: gpd.GeoDataFrame, metadata: Metadata, lang: str) -> bytes:
    """The data as an Excel workbook: data, fields, and sources with notes."""
    book = Workbook()
    _data_sheet(book, frame)
    _fields_sheet(book, lang)
    _about_sheet(book, metadata, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
