"""The metrics as text: an aligned table, CSV or JSON."""

from __future__ import annotations

import io
import json
import logging

import pandas as pd

from geo_coverage.metrics.registry import FIELD, FIELDS, METRIC_COLUMNS

LOGGER = logging.getLogger(__name__)

FORMATS = ("table", "csv", "json")
SUMMARY_COLUMNS = ("kode", "nama", "period", "segment", *METRIC_COLUMNS)
_RIGHT = {f.key for f in FIELDS if f.unit != "text"}  # numbers, right-aligned


def _cell(value, column: str) -> str:
    """One value as table text: thousands separated counts, 2-decimal percentages."""
    if value is None or value is pd.NA:
        return ""
    field = FIELD[column]
    if field.dtype == "Float64":
        return f"{float(value):.{field.decimals}f}"
    if field.dtype == "Int64":
        return f"{int(value):,}"
    return str(value)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts of plain Python values (None for NA)."""
    return [
        {
            c: (None if v is pd.NA else (v.item() if hasattr(v, "item") else v))
            for c, v in row.items()
        }
        for row in frame.loc[:, list(SUMMARY_COLUMNS)].to_dict("records")
    ]


def format_table(frame: pd.DataFrame, total: dict | None = None) -> str:
    """An aligned text table, with the region total as a last line if given."""
    rows = _records(frame) + ([{c: total.get(c) for c in SUMMARY_COLUMNS}] if total else [])
    cells = [[_cell(r[c], c) for c in SUMMARY_COLUMNS] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(SUMMARY_COLUMNS)]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if c in _RIGHT else v.ljust(w)
            for v, w, c in zip(values, widths, SUMMARY_COLUMNS, strict=True)
        ).rstrip()

    out = [line(list(SUMMARY_COLUMNS)), line(["-" * w for w in widths])]
    out += [line(c) for c in cells[: len(frame)]]
    if total:
        out += [line(["-" * w for w in widths]), line(cells[-1])]
    return "\n".join(out) + "\n"


def format_csv(frame: pd.DataFrame) -> str:
    """CSV with a header line; nulls are empty, percentages have 2 decimals."""
    out = io.StringIO()
    frame.loc[:, list(SUMMARY_COLUMNS)].to_csv(
        out, index=False, lineterminator="\n", float_format="%.2f"
    )
    return out.getvalue()


def format_json(frame: pd.DataFrame) -> str:
    """A JSON array of objects; nulls are null."""
    return json.dumps(_records(frame), ensure_ascii=False, indent=1) + "\n"


def format_summary(frame: pd.DataFrame, fmt: str = "table", total: dict | None = None) -> str:
    """The metrics in one of FORMATS (the region total is shown in the table format only)."""
    if fmt == "table":
        return format_table(frame, total)
    if fmt == "csv":
        return format_csv(frame)
    if fmt == "json":
        return format_json(frame)
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
