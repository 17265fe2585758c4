"""A throw-away PostgreSQL cluster with PostGIS for the tests: initdb into a temporary folder,
started on a free loopback port with its socket in that folder, as an unprivileged user (when
the tests run as root, as CI does: the `postgres` account Debian's package makes, else
`nobody`). Databases are made from templates, so each test gets its own copy in a fraction of a
second.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from geo_coverage.config import Settings

BACKENDS = ("file", "postgis")  # what tests parametrised over the store's back ends run on
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB"
)

# A script that holds the store's write lock (as an import of june.csv by rina) for argv[2]
# seconds on the database argv[1], printing "holding" once it has it.
HOLD_LOCK = """
import sys, time
from geo_coverage.enrollment.backend import acting_as
from geo_coverage.enrollment.pg_store import PostgresStore
store = PostgresStore(sys.argv[1])
with acting_as("rina"), store.draft_version(kind="import", file_name="june.csv") as draft:
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    draft.finish(sha256="x", file_rows=0, warnings=[])
"""


def binaries() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major)
    return Path(candidates[-1]).parent if candidates else None


def _major(path: str) -> int:
    """The major version in /usr/lib/postgresql/N/bin/initdb."""
    try:
        return int(Path(path).parts[-3])
    except ValueError:
        return 0


def free_port() -> int:
    """A TCP port on loopback nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A PostgreSQL server the tests may create databases on."""

    url_base: str  # postgresql+psycopg://USER[:PASSWORD]@HOST:PORT/

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of one database."""
        return f"{self.url_base}{database}"

    def _conninfo(self, database: str) -> str:
        """psycopg's form of a database's URL."""
        return self.url(database).replace("postgresql+psycopg://", "postgresql://", 1)

    def admin(self) -> psycopg.Connection:
        """An autocommit connection to the maintenance database."""
        return psycopg.connect(self._conninfo("postgres"), autocommit=True)

    def create_database(self, template: str | None = None, name: str | None = None) -> str:
        """A new database (a copy of template, else with PostGIS); returns its name."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            if template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        if not template:
            with psycopg.connect(self._conninfo(name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, ending any connection still open to it."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Nothing to stop: the server is not ours."""


def external_server(url: str) -> Server:
    """A server given by URL (GEO_COVERAGE_TEST_DATABASE_URL); its database part is ignored."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    base = url.rsplit("/", 1)[0] + "/"
    return Server(base)


@dataclass
class Cluster(Server):
    """A throw-away cluster this test run started."""

    root: Path = Path()
    port: int = 0
    bindir: Path = Path()
    user: str | None = None  # the account the server runs as, when the tests run as root

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        """Run a server program as the cluster's user."""
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        """initdb and start the server; raises with PostgreSQL's own words when it fails."""
        data, log = self.root / "data", self.root / "server.log"
        steps = [
            ("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"),
            ("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
             f"-p {self.port} -k {self.root} {SERVER_OPTIONS}", "start"),
        ]  # fmt: skip
        for step in steps:
            done = self._run(*step)
            if done.returncode != 0:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                raise RuntimeError(f"{step[0]} failed: {done.stderr or done.stdout}\n{tail}")

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def _unprivileged_account() -> str:
    """The account a cluster started by root runs as: postgres if there is one, else nobody."""
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("no unprivileged account (postgres or nobody) to run PostgreSQL as")


def start_cluster() -> Cluster:
    """A new cluster; RuntimeError saying what is missing when PostgreSQL or PostGIS is not
    installed."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL's server programs (initdb, pg_ctl) are not installed: apt-get install "
            "postgresql postgresql-15-postgis-3 (or set GEO_COVERAGE_TEST_DATABASE_URL)"
        )
    user = None
    root = Path(tempfile.mkdtemp(prefix="geo-coverage-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = _unprivileged_account()
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    port = free_port()
    cluster = Cluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/", root, port, bindir, user)
    cluster.start()
    return cluster


@contextmanager
def postgis_copy(server, template: str, settings: Settings) -> Iterator[Settings]:
    """Settings over a fresh database copied from a template; dropped afterwards."""
    from geo_coverage.enrollment.pg_store import PostgresStore

    name = server.create_database(template=template)
    url = server.url(name)
    try:
        yield settings.with_(database_url=url)
    finally:
        PostgresStore.forget(url)
        server.drop_database(name)
