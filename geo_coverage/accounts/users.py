"""User accounts: a name, a role, an argon2id password hash, enabled or not."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from geo_coverage.accounts import db
from geo_coverage.accounts.passwords import (
    burn_time,
    check_password,
    hash_password,
    needs_rehash,
    verify_password,
)
from geo_coverage.accounts.roles import check_role
from geo_coverage.errors import GeoCoverageError

LOGGER = logging.getLogger(__name__)

_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class AccountError(GeoCoverageError):
    """An account or token cannot be created or changed as asked; the message says why."""

    status = 400


@dataclass(frozen=True)
class User:
    """One account as the service sees it (never with its password hash)."""

    id: int
    name: str
    role: str
    enabled: bool
    session_epoch: int
    created_at: str
    changed_at: str


_COLUMNS = "id, name, role, enabled, session_epoch, created_at, changed_at"


def _user(row: tuple) -> User:
    """A User from a row of _COLUMNS."""
    uid, name, role, enabled, epoch, created, changed = row
    return User(uid, name, role, bool(enabled), epoch, created, changed)


def normalise_name(name: str) -> str:
    """A user name as stored: trimmed and lower case."""
    return name.strip().lower()


def check_name(name: str) -> str | None:
    """What is wrong with a user name, or None."""
    if _NAME.fullmatch(normalise_name(name)):
        return None
    return (
        f"'{name}' is not a valid user name: 1 to 64 letters, digits, '.', '_' or '-', "
        "starting with a letter or digit"
    )


def add_user(path: Path | str, name: str, role: str, password: str) -> User:
    """Create an enabled account; AccountError if the name, role or password is not valid."""
    problems = [p for p in (check_name(name), check_role(role), check_password(password)) if p]
    if problems:
        raise AccountError("; ".join(problems))
    name, stamp = normalise_name(name), db.now()
    hashed = hash_password(password)
    try:
        with db.transaction(path) as conn:
            conn.execute(
                "INSERT INTO users (name, role, password_hash, created_at, changed_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, role, hashed, stamp, stamp),
            )
    except db.IntegrityError as exc:
        raise AccountError(f"a user named '{name}' already exists") from exc
    return require_user(path, name)


def find_user(path: Path | str, name: str) -> User | None:
    """The account of that name, or None."""
    with db.transaction(path, write=False) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM users WHERE name = ?", (normalise_name(name),)
        ).fetchone()
    return _user(row) if row else None


def require_user(path: Path | str, name: str) -> User:
    """The account of that name; AccountError naming the known accounts if there is none."""
    user = find_user(path, name)
    if user is None:
        known = ", ".join(u.name for u in list_users(path)) or "none yet"
        raise AccountError(f"there is no user '{name}' (users: {known})")
    return user


def user_by_id(path: Path | str, uid: int) -> User | None:
    """The account with that id, or None."""
    with db.transaction(path, write=False) as conn:
        row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (uid,)).fetchone()
    return _user(row) if row else None


def list_users(path: Path | str) -> list[User]:
    """Every account, by name."""
    with db.transaction(path, write=False) as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name").fetchall()
    return [_user(r) for r in rows]


def set_enabled(path: Path | str, name: str, enabled: bool) -> User:
    """Enable or disable an account; disabling ends its sessions at once."""
    user = require_user(path, name)
    with db.transaction(path) as conn:
        conn.execute(
            "UPDATE users SET enabled = ?, session_epoch = session_epoch + 1, changed_at = ? "
            "WHERE id = ?",
            (int(enabled), db.now(), user.id),
        )
    return require_user(path, name)


def set_password(path: Path | str, name: str, password: str) -> User:
    """Give an account a new password; its open sessions end."""
    problem = check_password(password)
    if problem:
        raise AccountError(problem)
    user = require_user(path, name)
    hashed = hash_password(password)
    with db.transaction(path) as conn:
        conn.execute(
            "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1, "
            "changed_at = ? WHERE id = ?",
            (hashed, db.now(), user.id),
        )
    return require_user(path, name)


def authenticate(path: Path | str, name: str, password: str) -> User | None:
    """The enabled account whose password this is, or None; unknown names take as long."""
    with db.transaction(path, write=False) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS}, password_hash FROM users WHERE name = ?",
            (normalise_name(name),),
        ).fetchone()
    if row is None:
        burn_time(password)
        return None
    user, stored = _user(row[:-1]), row[-1]
    if not verify_password(stored, password) or not user.enabled:
        return None
    if needs_rehash(stored):
        with db.transaction(path) as conn:
            conn.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                (hash_password(password), user.id),
            )
    return user
