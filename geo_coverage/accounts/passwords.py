"""Password hashing with argon2id (memory-hard), and the password rules."""

from __future__ import annotations

import logging
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

LOGGER = logging.getLogger(__name__)

MIN_LENGTH = 10
MAX_LENGTH = 1024  # hashing cost grows with the input; nobody types more


@cache
def _hasher() -> PasswordHasher:
    """argon2id with the library's RFC 9106 low-memory profile (64 MiB, 3 passes)."""
    return PasswordHasher()


def check_password(password: str) -> str | None:
    """What is wrong with a new password, or None."""
    if len(password) < MIN_LENGTH:
        return f"the password is too short: at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password is too long: at most {MAX_LENGTH} characters"
    if password.strip() == "":
        return "the password is blank"
    return None


def hash_password(password: str) -> str:
    """An argon2id hash (salt and parameters included) of a password."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether a password matches a stored hash; never raises on a bad password."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    """A hash of nothing anyone knows, to spend the same time on unknown accounts."""
    return hash_password("no account has this password \0")


def burn_time(password: str) -> None:
    """Verify against a dummy hash, so an unknown name takes as long as a wrong password."""
    verify_password(_dummy_hash(), password)
