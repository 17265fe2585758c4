"""Errors that carry what went wrong, where, and (for the web) an HTTP status."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

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


T = TypeVar("T")


class QueryProblems:
    """Checks a request's parameters one by one and reports every bad one at once: a check
    that fails is noted and its fallback used, so the checks after it still run."""

    def __init__(self) -> None:
        self.problems: list[BadRequest] = []

    def check(self, fallback: T, check: Callable[[], T]) -> T:
        """check()'s value, or fallback when it raises BadRequest (which is noted)."""
        try:
            return check()
        except BadRequest as exc:
            self.add(exc)
            return fallback

    def each(self, check: Callable[[str], T], values: Iterable[str]) -> tuple[T, ...]:
        """check(value) of every value that passes; the others' problems are noted."""
        out = []
        for value in values:
            try:
                out.append(check(value))
            except BadRequest as exc:
                self.add(exc)
        return tuple(out)

    def add(self, problem: BadRequest) -> None:
        """Note a problem found without a check."""
        self.problems.append(problem)

    def raise_any(self) -> None:
        """Raise the one problem, or one BadRequest listing them all; nothing when none."""
        if len(self.problems) == 1:
            raise self.problems[0]
        if self.problems:
            names = ", ".join(p.parameter for p in self.problems if p.parameter)
            raise BadRequest("\n".join(str(p) for p in self.problems), names or None)
