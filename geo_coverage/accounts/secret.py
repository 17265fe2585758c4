"""The instance's secret key (signs session cookies, CSRF tokens and embed links): generated
into the instance folder on first use, readable by its owner only, never in the repository.
With the PostgreSQL back end it is kept in the database instead, so that every instance signs
and checks with the same key (a session or a signed link works whichever instance answers)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from geo_coverage.errors import ConfigError

LOGGER = logging.getLogger(__name__)

SECRET_FILE = "secret_key"
_BYTES = 32
_MIN_BYTES = 32


def load_or_create_secret(instance: Path) -> bytes:
    """The key in instance/secret_key, created atomically (first writer wins) when missing.

    An instance folder that cannot be written (a read-only disk) gets a key for this process
    only, with a warning: sign-ins then last until the server restarts.
    """
    path = instance / SECRET_FILE
    if not path.exists():
        try:
            _create(instance, path)
        except OSError as exc:
            LOGGER.warning(
                f"cannot write a secret key into {instance} ({exc.strerror}): using a key for "
                "this process only; sign-ins and signed links end when the server restarts"
            )
            return secrets.token_hex(_BYTES).encode("ascii")
    key = path.read_bytes().strip()
    if len(key) < _MIN_BYTES:
        raise ConfigError(
            f"{path} holds a key of {len(key)} bytes; delete it to generate a new one "
            "(everyone will have to sign in again)"
        )
    return key


def load_or_create_shared_secret(url: str) -> bytes:
    """The key kept in the database's secrets table, created on first use (first writer wins)."""
    from geo_coverage.accounts.db import transaction

    with transaction(url) as conn:
        conn.execute(
            "INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (SECRET_FILE, secrets.token_hex(_BYTES)),
        )
        (key,) = conn.execute("SELECT value FROM secrets WHERE name = ?", (SECRET_FILE,)).fetchone()
    return key.encode("ascii")


def _create(instance: Path, path: Path) -> None:
    """Write a new key to path atomically; another process's key, if it came first, wins."""
    instance.mkdir(parents=True, exist_ok=True)
    temporary = instance / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, secrets.token_hex(_BYTES).encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)  # fails if another process made one meanwhile
        LOGGER.info(f"generated a new secret key in {path}")
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
