"""Subcommands for enrollment data: import, rollback, summary, history."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from geo_coverage.config import Settings
from geo_coverage.enrollment import store
from geo_coverage.enrollment.build import build_sample_store
from geo_coverage.enrollment.importer import import_file, validate_file
from geo_coverage.enrollment.store import is_store_built
from geo_coverage.enrollment.table import TableRejected
from geo_coverage.metrics import dataset
from geo_coverage.metrics.summary import FORMATS, format_summary
from geo_coverage.region import LEVELS, PERIOD_FORMAT, SEGMENT_CHOICES

LOGGER = logging.getLogger(__name__)

REGION = "region"


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with --mirror on top."""
    return Settings.from_env(mirror=getattr(args, "mirror", None))


def _ensure_store(settings: Settings) -> None:
    """Build the store (reference tables and sample) first if it is not built."""
    if not is_store_built(settings.store_path):
        LOGGER.info("the enrollment store is not built yet: building it first")
        build_sample_store(settings, progress=LOGGER.info)


def cmd_import(args: argparse.Namespace) -> int:
    """Validate a file and import it as a new version; exit 1 with every problem if rejected."""
    settings = _settings(args)
    path = Path(args.file)
    if not path.is_file():
        print(f"{path}:-:-: no such file", file=sys.stderr)
        return 1
    _ensure_store(settings)
    try:
        if args.check:
            report = validate_file(settings, path)
            if not report.ok:
                raise TableRejected(report)
            version = None
        else:
            report, version = import_file(settings, path)
    except TableRejected as exc:
        for line in exc.report.lines("errors"):
            print(line, file=sys.stderr)
        for line in exc.report.lines("warnings"):
            print(f"{line} (warning)", file=sys.stderr)
        print(
            f"{path.name}: rejected with {len(exc.report.errors)} problem(s); nothing was "
            "imported and the active data is unchanged",
            file=sys.stderr,
        )
        return 1
    sources = report.rows["data_source"].value_counts().to_dict()
    labels = ", ".join(f"{n} {k}" for k, n in sorted(sources.items()))
    if version is None:
        print(f"{path.name}: valid, {len(report.rows)} rows ({labels}); not imported (--check)")
    else:
        print(
            f"{path.name}: imported {len(report.rows)} rows ({labels}) as version "
            f"{version.id}; {version.total_rows} rows active; sha256 {report.sha256}"
        )
    for line in report.lines("warnings"):
        print(f"warning: {line}")
    if "data_source" not in report.columns:
        print(
            "note: rows without a data_source column are labelled 'published' (figures as "
            "reported, not modelled); add data_source=modelled for modelled figures"
        )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Re-activate the previous version (or --to VERSION)."""
    settings = _settings(args)
    store.require(settings.store_path)
    before, now = store.activate(settings.store_path, args.to)
    print(
        f"version {now.id} ({now.file_name}, {now.created_at}) is active again; "
        f"version {before} is kept"
    )
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    """Print the metrics of every province or regency for a period."""
    settings = _settings(args)
    _ensure_store(settings)
    if args.level == REGION:
        frame = pd.DataFrame([dataset.region_metrics(settings, args.period, args.segment)])
        sys.stdout.write(format_summary(frame, args.format))
        return 0
    frame = dataset.load_metrics(settings, args.level, args.period, args.segment)
    total = (
        dataset.region_metrics(settings, args.period, args.segment)
        if args.format == "table"
        else None
    )
    sys.stdout.write(format_summary(frame, args.format, total))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """List the stored versions, newest first."""
    settings = _settings(args)
    store.require(settings.store_path)
    for v in dataset.import_history(settings):
        mark = "*" if v["active"] else " "
        print(
            f"{mark} {v['version']:4d}  {v['time']}  {v['kind']:6s}  {v['rows']:7d} rows  "
            f"{v['warnings']:3d} warnings  {v['sha256'][:12]}  {v['file_name']}"
        )
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add import, rollback, summary and history to the geo-coverage command."""
    i = subparsers.add_parser("import", help="validate an enrollment CSV and import it")
    i.add_argument("file", help="CSV: kode, period, segment, potential_workers, active_members")
    i.add_argument("--check", action="store_true", help="validate only; import nothing")
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
