"""API tokens for scripts and GIS clients: shown once, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from geo_coverage.accounts import db
from geo_coverage.accounts.roles import check_role
from geo_coverage.accounts.users import AccountError, check_name, normalise_name

LOGGER = logging.getLogger(__name__)

PREFIX = "gct_"
_SECRET_BYTES = 32  # 256 random bits: a fast digest is enough to store it


@dataclass(frozen=True)
class Token:
    """One API token (never with its secret)."""

    id: int
    name: str
    role: str
    created_by: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        """Whether the token still opens the API."""
        return self.revoked_at is None


_COLUMNS = "id, name, role, created_by, created_at, last_used_at, revoked_at"


def _digest(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(path: Path | str, name: str, role: str, created_by: str) -> tuple[Token, str]:
    """A new token and its secret, which is shown once and never stored."""
    problems = [p for p in (check_name(name), check_role(role)) if p]
    if problems:
        raise AccountError("; ".join(problems).replace("user name", "token name"))
    secret = PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    try:
        with db.transaction(path) as conn:
            conn.execute(
                "INSERT INTO tokens (name, role, token_sha256, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (normalise_name(name), role, _digest(secret), created_by, db.now()),
            )
    except db.IntegrityError as exc:
        raise AccountError(f"a token named '{normalise_name(name)}' already exists") from exc
    token = next(t for t in list_tokens(path) if t.name == normalise_name(name))
    return token, secret


def list_tokens(path: Path | str) -> list[Token]:
    """Every token, active or revoked, by name."""
    with db.transaction(path, write=False) as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM tokens ORDER BY name").fetchall()
    return [Token(*r) for r in rows]


def revoke_token(path: Path | str, name: str) -> Token:
    """Revoke a token for good; AccountError if there is no active token of that name."""
    with db.transaction(path) as conn:
        done = conn.execute(
            "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            (db.now(), normalise_name(name)),
        ).rowcount
    if not done:
        active = ", ".join(t.name for t in list_tokens(path) if t.active) or "none"
        raise AccountError(f"there is no active token '{name}' (active tokens: {active})")
    return next(t for t in list_tokens(path) if t.name == normalise_name(name))


def verify_token(path: Path | str, secret: str) -> Token | None:
    """The active token with this secret (its last use recorded), or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    digest = _digest(secret)
    with db.transaction(path, write=False) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS}, token_sha256 FROM tokens WHERE token_sha256 = ?", (digest,)
        ).fetchone()
    if row is None or not hmac.compare_digest(row[-1], digest) or row[6] is not None:
        return None
    token = Token(*row[:-1])
    stamp = db.now()
    if (token.last_used_at or "")[:16] != stamp[:16]:  # at most one write a minute
        with db.transaction(path) as conn:
            conn.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (stamp, token.id))
    return token
