"""Blank enrollment tables to fill in: every regency/city of the region (or every district,
named with its regency, of the region or of one province) with its name, each segment, a chosen
period and empty number columns, as CSV or as an Excel workbook with a sheet explaining each
column, drop-down lists for segment and period, and codes stored as text."""

from __future__ import annotations

import csv
import io
import logging

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from geo_coverage.enrollment.rollup import regency_of
from geo_coverage.enrollment.spreadsheet import DATA_SHEET
from geo_coverage.i18n import LANGS, text
from geo_coverage.region import SEGMENT_TERMS, SEGMENTS

LOGGER = logging.getLogger(__name__)

COLUMNS = (
    "kode",
    "nama",
    "period",
    "segment",
    "potential_workers",
    "active_members",
    "source",
    "data_source",
)
REQUIRED = ("kode", "period", "segment", "potential_workers", "active_members")
NOTES_SHEET = "keterangan"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PERIOD_CHOICES = 13  # the chosen month and the twelve before it
TEMPLATE_LEVELS = ("regency", "district")  # the levels figures are imported at


def template_rows(
    areas: pd.DataFrame, period: str, level: str = "regency", province: str | None = None
) -> list[list[str]]:
    """One row per area of the level (in one province, if given) and segment, numbers left
    empty; a district's name says its regency ('Lolak, Kabupaten Bolaang Mongondow'), since
    district names repeat across regencies and a regency's figures need all its districts."""
    chosen = areas[areas["level"] == level]
    if province is not None:
        chosen = chosen[chosen["prov_kode"] == province]
    chosen = chosen.sort_values("kode")
    names = dict(zip(areas["kode"], areas["nama"], strict=True))
    rows: list[list[str]] = []
    for kode, nama in zip(chosen["kode"], chosen["nama"], strict=True):
        if level == "district":
            nama = f"{nama}, {names.get(regency_of(kode), regency_of(kode))}"
        rows.extend([kode, nama, period, segment, "", "", "", ""] for segment in SEGMENTS)
    return rows


def template_csv(rows: list[list[str]], period: str) -> bytes:
    """The blank table as CSV UTF-8 with a byte-order mark (as spreadsheets save it)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def previous_periods(period: str, n: int) -> list[str]:
    """period and the n − 1 months before it, newest first."""
    year, month = (int(x) for x in period.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def template_xlsx(rows: list[list[str]], period: str) -> bytes:
    """The blank table as an Excel workbook: a 'data' sheet and an explanation sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    last = len(rows) + 1
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for letter in ("A", "B", "C", "D", "G", "H"):  # text columns: codes stay text
        sheet.column_dimensions[letter].number_format = "@"
        for (cell,) in sheet.iter_rows(
            min_row=2, max_row=last, min_col=_col(letter), max_col=_col(letter)
        ):
            cell.number_format = "@"
    for letter, width in zip("ABCDEFGH", (12, 48, 10, 14, 19, 16, 30, 13), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    checks = (
        ("D", ",".join(SEGMENTS), "segment", "wage, informal, construction, migrant"),
        ("C", ",".join(previous_periods(period, PERIOD_CHOICES)), "period", "YYYY-MM"),
        ("H", "published,modelled", "data_source", "published, modelled"),
    )
    for letter, values, name, allowed in checks:
        rule = DataValidation(type="list", formula1=f'"{values}"', allow_blank=letter == "H")
        rule.error, rule.errorTitle = f"{name}: {allowed}", name
        rule.showErrorMessage = True
        rule.add(f"{letter}2:{letter}{last + 2000}")
        sheet.add_data_validation(rule)
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    whole.error, whole.errorTitle = "≥ 0, whole number / bilangan bulat", "count"
    whole.showErrorMessage = True
    whole.add(f"E2:F{last + 2000}")
    sheet.add_data_validation(whole)
    notes = book.create_sheet(NOTES_SHEET)
    notes.append(
        [_both("template.header.column"), _both("template.header.required")]
        + _each("template.header.meaning")
    )
    for name in COLUMNS:
        required = "yes" if name in REQUIRED else "no"
        notes.append(
            [name, _both(f"template.required.{required}"), *_each(f"template.column.{name}")]
        )
    notes.append([])
    terms = ", ".join(f"{s} = {t}" for s, t in SEGMENT_TERMS.items())
    notes.append(["segment", "", terms, terms])
    notes.append(["", "", *_each("template.upload_note")])
    for cell in notes[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for letter, width in zip("ABCD", (20, 16, 70, 70), strict=True):  # meaning: id, en
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _both(key: str) -> str:
    """A catalogue text in both languages: 'Indonesian / English'."""
    return " / ".join(_each(key))


def _each(key: str) -> list[str]:
    """A catalogue text in each language, Indonesian first."""
    return [text(key, lang) for lang in LANGS]


def _col(letter: str) -> int:
    """The 1-based index of a column letter."""
    return ord(letter) - ord("A") + 1
