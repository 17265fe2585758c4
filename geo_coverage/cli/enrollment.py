"""Subcommands for enrollment data: import, rollback, summary, history."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import pandas as pd

from geo_coverage.cli.accounts import record
from geo_coverage.cli.output import complain, escape, say
from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.enrollment.importer import import_file, validate_file
from geo_coverage.enrollment.table import TableRejected, ValidationReport
from geo_coverage.enrollment.textfile import (
    UnreadableFile,
    check_file,
    display_name,
)
from geo_coverage.metrics import dataset
from geo_coverage.metrics.summary import FORMATS, format_summary
from geo_coverage.region import LEVELS, PERIOD_FORMAT, SEGMENT_CHOICES

LOGGER = logging.getLogger(__name__)

REGION = "region"
PROGRESS_MIN_BYTES = 20_000_000


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with --mirror on top."""
    return Settings.from_env(mirror=getattr(args, "mirror", None))


def usable_store(settings: Settings, write: bool, build: bool = True) -> None:
    """Build the store first if it is missing or not built (when `build`); raise a StoreError
    saying so if it is damaged, unreadable, or read-only when `write`."""
    status = open_store(settings).status()
    missing = status.state in (store.StoreState.MISSING, store.StoreState.NOT_BUILT)
    if missing and build:
        LOGGER.info("the enrollment store is not built yet: building it first")
        build_sample_store(settings, progress=LOGGER.info)
    elif not status.readable or (write and status.state is store.StoreState.READ_ONLY):
        raise status.error()


def _progress(name: str):
    """A progress callback logging how much of a big file has been read."""

    def report(done: int, total: int) -> None:
        if total >= PROGRESS_MIN_BYTES:
            LOGGER.info(f"{name}: read {done / 1e6:,.0f} of {total / 1e6:,.0f} MB")

    return report


def _print_rejection(report: ValidationReport) -> None:
    """Every listed problem as FILE:ROW:COLUMN: message, then how many there were."""
    for line in report.lines("errors"):
        complain(line)
    for line in report.lines("warnings"):
        complain(f"{line} (warning)")
    count = max(report.error_count, len(report.errors))
    rows = f" in {report.error_rows:,} rows" if report.error_rows > 1 else ""
    complain(
        f"{report.file_name} ({report.encoding}): rejected with {count:,} problem(s){rows}; "
        "nothing was imported and the active data is unchanged"
    )


def _print_accepted(report: ValidationReport, version: store.Version | None) -> None:
    """What was imported (or found valid), the warnings, and the data_source note."""
    labels = ", ".join(f"{n} {k}" for k, n in sorted(report.data_sources.items()))
    read_as = f"read as {report.encoding}, separated by {report.delimiter!r}"
    if version is None:
        say(
            f"{report.file_name}: valid, {report.row_count} rows ({labels}); not imported "
            f"(--check); {read_as}"
        )
    else:
        say(
            f"{report.file_name}: imported {report.row_count} rows ({labels}) as version "
            f"{version.id}; {version.total_rows} rows active; sha256 {report.sha256}; {read_as}"
        )
    for line in report.lines("warnings"):
        say(f"warning: {line}")
    if "data_source" not in report.columns:
        say(
            "note: rows without a data_source column are labelled 'published' (figures as "
            "reported, not modelled); add data_source=modelled for modelled figures"
        )


def cmd_import(args: argparse.Namespace) -> int:
    """Validate a file and import it as a new version; exit 1 with every problem if rejected."""
    settings = _settings(args)
    path = Path(args.file)
    options = {"allow_future": args.allow_future, "progress": _progress(display_name(path))}
    version = None
    try:
        check_file(path)
        usable_store(settings, write=not args.check)
        if args.check:
            report = validate_file(settings, path, **options)
            if not report.ok:
                raise TableRejected(report)
        else:
            report, version = import_file(settings, path, **options)
    except UnreadableFile as exc:
        complain(f"{args.file}:-:-: {exc.reason}")
        return 1
    except TableRejected as exc:
        if args.json:
            say(json.dumps(exc.report.as_dict() | {"imported": False}, ensure_ascii=False))
        else:
            _print_rejection(exc.report)
        return 1
    if version is not None:
        record(
            settings, "import", f"enrollment:{version.id}", f"{path.name}, {report.row_count} rows"
        )
    if args.json:
        extra = {"imported": version is not None, "version": version.id if version else None}
        say(json.dumps(report.as_dict() | extra, ensure_ascii=False))
    else:
        _print_accepted(report, version)
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Re-activate the previous version (or --to VERSION)."""
    settings = _settings(args)
    usable_store(settings, write=True, build=False)
    before, now = open_store(settings).activate(args.to)
    record(settings, "rollback", f"enrollment:{now.id}", f"from version {before}")
    say(
        f"version {now.id} ({now.file_name}, {now.created_at}) is active again; "
        f"version {before} is kept"
    )
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the metrics of every province or regency for a period."""
    settings = _settings(args)
    usable_store(settings, write=False)
    if args.level == REGION:
        frame = pd.DataFrame([dataset.region_metrics(settings, args.period, args.segment)])
        sys.stdout.write(escape(format_summary(frame, args.format), keep_lines=True))
        return 0
    frame = dataset.load_metrics(settings, args.level, args.period, args.segment)
    total = (
        dataset.region_metrics(settings, args.period, args.segment)
        if args.format == "table"
        else None
    )
    sys.stdout.write(escape(format_summary(frame, args.format, total), keep_lines=True))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """List the stored versions, newest first."""
    settings = _settings(args)
    usable_store(settings, write=False, build=False)
    for v in dataset.import_history(settings):
        mark = "*" if v["active"] else " "
        say(
            f"{mark} {v['version']:4d}  {v['time']}  {v['kind']:6s}  {v['rows']:7d} rows  "
            f"{v['warnings']:3d} warnings  {v['sha256'][:12]}  {v['file_name']}"
        )
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add import, rollback, summary and history to the geo-coverage command."""
    i = subparsers.add_parser("import", help="validate an enrollment CSV and import it")
    i.add_argument("file", help="CSV: kode, period, segment, potential_workers, active_members")
    i.add_argument("--check", action="store_true", help="validate only; import nothing")
    i.add_argument(
        "--allow-future",
        action="store_true",
        help="accept periods more than 12 months after today (refused by default as typos)",
    )
    i.add_argument("--json", action="store_true", help="print the report as JSON")
    i.add_argument("--mirror", help="folder laid out like shared/data, used if a build is needed")
    i.set_defaults(func=cmd_import)
    r = subparsers.add_parser("rollback", help="re-activate the previous enrollment version")
    r.add_argument("--to", type=int, help="activate this stored version instead")
    r.set_defaults(func=cmd_rollback)
    s = subparsers.add_parser("summary", help="print coverage metrics")
    s.add_argument("--level", required=True, choices=[*LEVELS, REGION])
    s.add_argument("--period", help=f"{PERIOD_FORMAT} (default: the latest)")
    s.add_argument("--segment", choices=SEGMENT_CHOICES)
    s.add_argument("--format", default="table", choices=FORMATS)
    s.add_argument("--mirror", help="folder laid out like shared/data, used if a build is needed")
    s.set_defaults(func=cmd_summary)
    h = subparsers.add_parser("history", help="list the stored enrollment versions")
    h.set_defaults(func=cmd_history)
