"""The geo-coverage command: build, serve, db, static, import, rollback, summary, history,
evidence, targets, user, token, audit."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from geo_coverage.cli import server
from geo_coverage.cli.output import EscapingFormatter, complain
from geo_coverage.config import Settings
from geo_coverage.errors import GeoCoverageError
from geo_coverage.region import BOUNDARY_LEVELS

LOGGER = logging.getLogger("geo_coverage")


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with --mirror on top."""
    return Settings.from_env(mirror=getattr(args, "mirror", None))


def cmd_build(args: argparse.Namespace) -> int:
    """Fetch the public data and build shapes (and the enrollment store)."""
    from geo_coverage.boundaries.build import build_shapes
    from geo_coverage.boundaries.own import OwnBoundaries

    own = None
    if args.boundaries:
        if not (args.code_field and args.name_field):
            raise GeoCoverageError("--boundaries needs --code-field and --name-field")
        own = OwnBoundaries(
            Path(args.boundaries).resolve(), args.code_field, args.name_field, args.level
        )
    settings = _settings(args)
    outcome = build_shapes(settings, own=own, force=args.force, progress=LOGGER.info)
    if outcome.rebuilt:
        _print_summary(outcome.report)
    _load_shapes(settings)
    from geo_coverage.enrollment.build import build_sample_store

    build_sample_store(settings, progress=LOGGER.info, force=args.force)
    return 0


def _print_summary(report: dict) -> None:
    """A short table of the checks a build ran."""
    for level, figures in report["layers"].items():
        LOGGER.info(
            f"{level:9s} {figures['count']:5d} areas, {figures['vertices']:6d} vertices; "
            f"repaired: {figures.get('invalid_before', 0)} invalid, "
            f"{figures.get('overlapping_pairs_before', 0)} overlapping pairs"
        )
    for r in report["checks"]:
        extra = {
            k: r[k]
            for k in ("invalid", "overlap_km2", "max_abs_deviation_pct", "min_share_pct")
            if k in r
        }
        status = "info" if r.get("informational") else "ok  " if r["passed"] else "FAIL"
        LOGGER.info(
            f"  {status} {r['level']:9s} {r['check']:20s} "
            + " ".join(f"{k}={v}" for k, v in extra.items())
        )
    d = report["display"]
    LOGGER.info(
        f"display overview of {report['region']['name']}: {d['regency_vertices']} vertices "
        f"(tolerance {d['tolerance_deg']:.4f}°), TopoJSON {d['topojson_bytes']:,} bytes, "
        f"{d['topojson_gzip_bytes']:,} gzipped"
    )
    largest = d["detail"]["largest"]
    figures = d["detail"]["provinces"][largest]
    LOGGER.info(
        f"province detail: {len(d['detail']['provinces'])} files, the largest {largest} "
        f"({figures['districts']} districts) {figures['topojson_gzip_bytes']:,} bytes gzipped"
    )


def _load_shapes(settings: Settings) -> None:
    """With the PostgreSQL back end, load the built shapes into PostGIS (once per build)."""
    if settings.database_url:
        from geo_coverage.boundaries.shape_db import load_shapes

        load_shapes(settings.database_url, settings.shapes, progress=LOGGER.info)


def _prepare_shapes(settings: Settings) -> None:
    """Build the shapes first if none of the region are built where they are served from."""
    from geo_coverage.boundaries.build import build_shapes
    from geo_coverage.boundaries.shape_source import shape_source
    from geo_coverage.boundaries.shapes import built_region, is_built

    source = shape_source(settings)
    region = settings.region
    if source.is_built() and source.region() == region.key:
        return
    if not is_built(settings.shapes):
        LOGGER.info("nothing built yet: building first")
        build_shapes(settings, progress=LOGGER.info)
    elif built_region(settings.shapes) != region.key:
        LOGGER.info(f"the shapes are of another region: building {region.name} first")
        build_shapes(settings, progress=LOGGER.info)
    _load_shapes(settings)


def cmd_db(args: argparse.Namespace) -> int:
    """Bring the PostgreSQL database to the newest schema (the build does it too)."""
    from geo_coverage.database import migrate
    from geo_coverage.database.engine import shown

    settings = _settings(args)
    if not settings.database_url:
        raise GeoCoverageError(
            "GEO_COVERAGE_DATABASE_URL is not set: the embedded GeoPackage store needs no "
            "migration (`geo-coverage build` updates it)"
        )
    before = migrate.revision(settings.database_url)
    migrate.upgrade(settings.database_url)
    LOGGER.info(
        f"{shown(settings.database_url)}: schema {before or 'none'} → {migrate.head()}"
        if before != migrate.head()
        else f"{shown(settings.database_url)} has the newest schema ({before}); nothing to do"
    )
    return 0


def cmd_static(args: argparse.Namespace) -> int:
    """Write the immutable assets and geometry a reverse proxy can serve itself."""
    from geo_coverage.web.static_export import export_static

    export_static(_settings(args), Path(args.folder).resolve())
    return 0


def _prepare_store(settings: Settings) -> None:
    """Build the enrollment store if it is missing; say so if it can only be read; refuse to
    serve a damaged or unreadable one."""
    from geo_coverage.enrollment.areas import stored_region
    from geo_coverage.enrollment.backend import open_store
    from geo_coverage.enrollment.build import build_sample_store
    from geo_coverage.enrollment.store import StoreState

    backend = open_store(settings)
    status = backend.status()
    if status.state in (StoreState.MISSING, StoreState.NOT_BUILT):
        LOGGER.info("no enrollment store yet: building it first")
        build_sample_store(settings, progress=LOGGER.info)
    elif status.state is StoreState.OK and stored_region(backend) != settings.region.key:
        LOGGER.info(f"the store is of another region: building {settings.region.name} first")
        build_sample_store(settings, progress=LOGGER.info)
    elif status.state is StoreState.READ_ONLY:
        LOGGER.warning(
            f"the enrollment store {status.path} is read-only ({status.detail}): serving it "
            "read-only; imports and rollbacks are not possible"
        )
    elif status.state is StoreState.LOCKED:
        LOGGER.info(
            f"the enrollment store {status.path} is being written by another process; "
            "serving the last complete version"
        )
    elif not status.readable:
        raise status.error()


def _stop(_signum: int, _frame) -> None:
    """SIGTERM: end the server as Ctrl+C does (waitress finishes, the workers stop)."""
    raise SystemExit(0)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app with waitress, building first if nothing is built."""
    import waitress

    from geo_coverage import create_app
    from geo_coverage.web import FORM_OVERHEAD_BYTES
    from geo_coverage.web.http import EXTENSION

    settings = _settings(args)
    _prepare_shapes(settings)
    _prepare_store(settings)
    from geo_coverage.accounts.users import list_users

    if settings.private and not any(u.enabled for u in list_users(settings.accounts_db)):
        LOGGER.warning(
            "GEO_COVERAGE_PRIVATE=1 but no account can sign in yet: add one with "
            "`geo-coverage user add NAME --role admin`"
        )
    # Drawing in worker processes unless GEO_COVERAGE_RENDER_PROCESSES says no.
    app = create_app(
        {"mirror": settings.mirror, "render_processes": settings.render_processes is not False}
    )
    try:
        httpd = waitress.create_server(
            app,
            host=args.host,
            port=args.port,
            **server.options(
                args.threads,
                args.connections,
                settings.max_upload_bytes + FORM_OVERHEAD_BYTES,
                settings.trusted_proxy,
            ),
        )
    except OSError as exc:
        raise GeoCoverageError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror}; "
            "choose another --port or stop what is using it"
        ) from exc
    LOGGER.info(f"serving on http://{args.host}:{args.port}/")
    signal.signal(signal.SIGTERM, _stop)
    try:
        httpd.run()  # returns on SIGTERM or Ctrl+C, once its threads are done
    finally:
        app.extensions[EXTENSION].draws.close()
    return 0


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(prog="geo-coverage", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="get the public data and build what the service needs")
    b.add_argument("--mirror", help="folder laid out like shared/data (default: download)")
    b.add_argument("--boundaries", help="your own polygon file (any format GDAL reads)")
    b.add_argument("--code-field", help="field holding the Kemendagri code")
    b.add_argument("--name-field", help="field holding the area name")
    b.add_argument("--level", default="regency", choices=BOUNDARY_LEVELS)
    b.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("serve", help="run the web service (production server)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--threads", type=int, default=8, help="requests computed at once")
    s.add_argument(
        "--connections",
        type=int,
        default=server.CONNECTION_LIMIT,
        help="open connections served at once (slow and idle clients included)",
    )
    s.add_argument("--mirror", help="folder laid out like shared/data, used if a build is needed")
    s.set_defaults(func=cmd_serve)
    d = sub.add_parser("db", help="the PostgreSQL database (GEO_COVERAGE_DATABASE_URL)")
    d.add_argument("action", choices=["upgrade"], help="upgrade: run the schema migrations")
    d.set_defaults(func=cmd_db)
    st = sub.add_parser(
        "static", help="write the assets and geometry for a reverse proxy (nginx gzip_static)"
    )
    st.add_argument("folder", help="where to write them (the proxy's root for /assets/…)")
    st.set_defaults(func=cmd_static)
    from geo_coverage.cli import accounts, enrollment, evidence, targets

    enrollment.add_commands(sub)
    evidence.add_command(sub)
    targets.add_commands(sub)
    accounts.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the geo-coverage console script."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter("%(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except GeoCoverageError as exc:
        complain(f"geo-coverage {args.command}: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
