"""The audit log: every sign-in, failed sign-in, import, activation, rollback, token and user
change, with who, when and from where; and the sign-in limits that read it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from geo_coverage.accounts import db

LOGGER = logging.getLogger(__name__)

# The actions recorded, and what each means (the audit pages and `geo-coverage audit` show them).
ACTIONS = {
    "login": "signed in",
    "login_failed": "failed sign-in",
    "login_limited": "sign-in refused: too many failures",
    "logout": "signed out",
    "upload": "uploaded a file for preview",
    "upload_rejected": "uploaded a file that was rejected",
    "discard": "discarded a previewed file",
    "import": "imported and activated a version",
    "rollback": "re-activated an earlier version",
    "token_create": "created an API token",
    "token_revoke": "revoked an API token",
    "user_add": "added a user",
    "user_disable": "disabled a user",
    "user_enable": "enabled a user",
    "user_passwd": "changed a password",
    "link_create": "created a signed link",
    "link_revoke": "revoked a signed link",
    "forbidden": "was refused an action",
}
_WARNINGS = ("login_failed", "login_limited", "forbidden")  # also written to the service log
LOGIN_WINDOW_S = 60.0
LOGIN_LIMIT = 5


@dataclass(frozen=True)
class Entry:
    """One line of the audit log."""

    id: int
    at: str
    actor: str
    action: str
    subject: str | None
    detail: str
    address: str

    def line(self) -> str:
        """The entry as one line of text."""
        subject = f" {self.subject}" if self.subject else ""
        detail = f": {self.detail}" if self.detail else ""
        where = self.address or "-"
        return f"{self.at}  {where:15s}  {self.actor:20s}  {self.action}{subject}{detail}"


def record(
    path: Path | str,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: str = "",
    address: str = "",
) -> None:
    """Append one entry to the audit log (and the service log)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action}")
    level = logging.WARNING if action in _WARNINGS else logging.DEBUG
    LOGGER.log(level, f"audit: {actor} {action} {subject or ''} {detail} from {address or '-'}")
    with db.transaction(path) as conn:
        conn.execute(
            "INSERT INTO audit (at, epoch, actor, action, subject, detail, address) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (db.now(), time.time(), actor, action, subject, detail, address),
        )


def entries(
    path: Path | str, limit: int = 200, actor: str | None = None, action: str | None = None
) -> list[Entry]:
    """The latest entries, newest first, optionally of one actor or action."""
    where, params = [], []
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if action:
        where.append("action = ?")
        params.append(action)
    sql = "SELECT id, at, actor, action, subject, detail, address FROM audit"
    if where:
        sql += " WHERE " + " AND ".join(where)
    with db.transaction(path, write=False) as conn:
        rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
    return [Entry(*r) for r in rows]


def by_subject(path: Path | str, subjects: list[str], action: str) -> dict[str, Entry]:
    """The latest entry of an action for each of some subjects (e.g. who imported a version)."""
    if not subjects:
        return {}
    marks = ", ".join("?" * len(subjects))
    with db.transaction(path, write=False) as conn:
        rows = conn.execute(
            "SELECT id, at, actor, action, subject, detail, address FROM audit "
            f"WHERE action = ? AND subject IN ({marks}) ORDER BY id",
            (action, *subjects),
        ).fetchall()
    return {r[4]: Entry(*r) for r in rows}


def recorded_since(
    path: Path | str, action: str, subject: str, address: str, seconds: float
) -> bool:
    """Whether the same action on the same subject from the same address was recorded lately."""
    with db.transaction(path, write=False) as conn:
        row = conn.execute(
            "SELECT 1 FROM audit WHERE action = ? AND subject = ? AND address = ? AND epoch > ?",
            (action, subject, address, time.time() - seconds),
        ).fetchone()
    return row is not None


def login_wait(path: Path | str, name: str, address: str, now: float | None = None) -> float:
    """Seconds until a sign-in may be tried again: 0 unless the account or the address had
    LOGIN_LIMIT failures in the last LOGIN_WINDOW_S seconds."""
    now = time.time() if now is None else now
    since = now - LOGIN_WINDOW_S
    with db.transaction(path, write=False) as conn:
        waits = []
        for column, value in (("subject", name), ("address", address)):
            times = [
                r[0]
                for r in conn.execute(
                    f"SELECT epoch FROM audit WHERE action = 'login_failed' AND {column} = ? "
                    "AND epoch > ? ORDER BY epoch DESC LIMIT ?",
                    (value, since, LOGIN_LIMIT),
                )
            ]
            if len(times) >= LOGIN_LIMIT:
                waits.append(times[-1] + LOGIN_WINDOW_S - now)
    return max(waits, default=0.0)
