"""The evidence command: every published figure with its source, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import json
import logging
import sys

import pandas as pd

from geo_coverage.cli.output import complain, escape
from geo_coverage.config import Settings
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import REGION_CODE
from geo_coverage.sources.evidence import COLUMNS, NATIONAL_CODE, evidence_csv, in_area

LOGGER = logging.getLogger(__name__)

FORMATS = ("table", "csv", "json")
TABLE_COLUMNS = (
    "kode",
    "period",
    "metric",
    "value",
    "qualifier",
    "consistency",
    "basis",
    "use",
    "source",
)


def format_table(frame: pd.DataFrame) -> str:
    """An aligned text table (the source, last, is not padded)."""
    rows = [[str(v) for v in r] for r in frame.loc[:, list(TABLE_COLUMNS)].itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(TABLE_COLUMNS)]

    def line(values: list[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(list(TABLE_COLUMNS)), line(["-" * w for w in widths])]
    return "\n".join(out + [line(r) for r in rows]) + "\n"


def format_json(frame: pd.DataFrame) -> str:
    """A JSON array of objects: the file's columns, its line number and how the sample uses
    the figure."""
    records = [
        {"line": int(r["line"]), **{c: r[c] for c in COLUMNS}, "use": r["use"]}
        for r in frame.to_dict("records")
    ]
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def format_evidence(frame: pd.DataFrame, fmt: str) -> str:
    """The figures in one of FORMATS; the CSV has exactly the published file's columns."""
    if fmt == "csv":
        return evidence_csv(frame)
    if fmt == "json":
        return format_json(frame)
    if fmt == "table":
        return format_table(frame)
    raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")


def cmd_evidence(args: argparse.Namespace) -> int:
    """Print the published figures (of one area and the areas inside it with --kode)."""
    settings = Settings.from_env(mirror=getattr(args, "mirror", None))
    backend = open_store(settings)
    if not backend.is_built():
        LOGGER.info("the enrollment store is not built yet: building it first")
        build_sample_store(settings, progress=LOGGER.info)
    frame = backend.read_evidence()
    if args.kode is not None:
        kode = args.kode.strip()
        areas = backend.read_areas()
        figured = areas[areas["level"] != "district"]  # no figure is published per district
        known = set(figured["kode"]) | {REGION_CODE, NATIONAL_CODE}
        if kode not in known:
            raise GeoCoverageError(
                f"unknown area code '{args.kode}' for --kode; use a province or regency code "
                f"of the region (73, 73.71), {REGION_CODE} for the region or "
                f"{NATIONAL_CODE} for Indonesia"
            )
        frame = in_area(frame, kode)
        if frame.empty:
            complain(f"no published figures for {kode}")
    # escaped, but the CSV's CRLF line ends kept: the output is the published file, byte for byte
    lines = format_evidence(frame, args.format).split("\r\n")
    sys.stdout.write("\r\n".join(escape(line, keep_lines=True) for line in lines))
    return 0


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add the evidence command."""
    e = subparsers.add_parser(
        "evidence", help="list the published figures with their sources and how they are used"
    )
    e.add_argument("--kode", help="an area code: its figures and those of the areas inside it")
    e.add_argument("--format", default="table", choices=FORMATS)
    e.add_argument("--mirror", help="folder laid out like shared/data, used if a build is needed")
    e.set_defaults(func=cmd_evidence)
