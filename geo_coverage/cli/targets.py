"""Subcommands for coverage targets: targets import, rollback, history."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from geo_coverage.cli.accounts import record
from geo_coverage.cli.enrollment import usable_store
from geo_coverage.cli.output import complain, say
from geo_coverage.config import Settings
from geo_coverage.enrollment import target_store, uploads

LOGGER = logging.getLogger(__name__)


def cmd_import(args: argparse.Namespace) -> int:
    """Validate a targets file (CSV or Excel) and import it; exit 1 with every problem."""
    settings = Settings.from_env()
    path = Path(args.file)
    if not path.is_file():
        complain(f"{path}:-:-: no such file")
        return 1
    usable_store(settings, write=True)
    checked, version = uploads.import_upload(
        settings, "targets", path.read_bytes(), path.name, activate=not args.check
    )
    for line in checked.report.lines("errors"):
        complain(line)
    for line in checked.report.lines("warnings"):
        complain(f"warning: {line}")
    if not checked.report.ok:
        complain(
            f"{path.name}: rejected with {len(checked.report.errors)} problem(s); nothing was "
            "imported and the active targets are unchanged"
        )
        return 1
    rows = len(checked.report.table)
    if version is None:
        say(f"{path.name}: valid, {rows} targets; not imported (--check)")
        return 0
    record(settings, "import", f"targets:{version}", f"{checked.file_name}, {rows} targets")
    say(f"{path.name}: imported {rows} targets as targets version {version}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    """Re-activate the previous targets version (or --to VERSION)."""
    settings = Settings.from_env()
    before, now = target_store.activate_targets(settings.store_path, args.to)
    record(settings, "rollback", f"targets:{now.id}", f"from targets version {before}")
    say(f"targets version {now.id} ({now.file_name}) is active again; version {before} is kept")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """List the stored targets versions, newest first."""
    settings = Settings.from_env()
    history, active = target_store.target_versions(settings.store_path)
    for v in reversed(history):
        mark = "*" if v.id == active else " "
        say(
            f"{mark} {v.id:4d}  {v.created_at}  {v.kind:7s}  {v.total_rows:4d} targets  "
            f"{v.sha256[:12]}  {v.file_name}"
        )
    return 0


def cmd_targets(args: argparse.Namespace) -> int:
    """Dispatch targets import|rollback|history."""
    return {"import": cmd_import, "rollback": cmd_rollback, "history": cmd_history}[
        args.targets_command
    ](args)


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add `targets import|rollback|history` to the geo-coverage command."""
    t = subparsers.add_parser("targets", help="coverage targets per province or regency and year")
    ts = t.add_subparsers(dest="targets_command", required=True)
    i = ts.add_parser("import", help="validate a targets CSV or Excel file and import it")
    i.add_argument("file", help="columns kode, year, target_pct, source")
    i.add_argument("--check", action="store_true", help="validate only; import nothing")
    r = ts.add_parser("rollback", help="re-activate the previous targets version")
    r.add_argument("--to", type=int, help="activate this stored targets version instead")
    ts.add_parser("history", help="list the stored targets versions")
    t.set_defaults(func=cmd_targets)
