"""Errors that carry what went wrong, where, and (for the web) an HTTP status."""

from __future__ import annotations

from collections.abc import Sequence

from geo_coverage.i18n import API_LANG, text


class GeoCoverageError(Exception):
    """Base class: a problem a user can act on, with a message that says so."""

    status = 500


class SourceError(GeoCoverageError):
    """Public data is missing, unreachable or not the pinned bytes."""


class BuildError(GeoCoverageError):
    """A boundary build failed one or more checks; lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("build failed:\n" + "\n".join(f"  - {p}" for p in problems))


class BadRequest(GeoCoverageError):
    """A request parameter is not valid; the message lists valid values."""

    status = 400

    def __init__(self, message: str, parameter: str | None = None):
        self.parameter = parameter
        super().__init__(message)


class NotFound(GeoCoverageError):
    """The requested resource does not exist."""

    status = 404


class Busy(GeoCoverageError):
    """The server is doing as much of this work as it may; try again shortly."""

    status = 503

    def __init__(self, message: str, retry_after: int):
        self.retry_after = retry_after
        super().__init__(message)


class ConfigError(GeoCoverageError):
    """A setting (a GEO_COVERAGE_* variable) has a value the service cannot use."""


class Unauthorized(GeoCoverageError):
    """The request needs a signed-in user or a valid token."""

    status = 401


class Forbidden(GeoCoverageError):
    """The signed-in user or token may not do this."""

    status = 403


class Conflict(GeoCoverageError):
    """The request no longer fits the stored data (it changed meanwhile)."""

    status = 409


def invalid_choice(name: str, value: str, valid: Sequence[str], lang: str = API_LANG) -> BadRequest:
    """The 400 for a parameter that is not one of its valid values, listing them in lang."""
    message = text("invalid_param", lang, name=name, value=value, valid=", ".join(valid))
    return BadRequest(message, name)
