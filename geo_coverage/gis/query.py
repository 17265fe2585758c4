"""Query-string checks shared by the download and OGC API requests; no Flask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo_coverage.errors import BadRequest, invalid_choice
from geo_coverage.i18n import API_LANG, text


def single_values(
    args: Mapping[str, Sequence[str]], accepted: Sequence[str], where: str
) -> dict[str, str]:
    """The parameters (given as lists) as single values; 400 for unknown or repeated ones."""
    unknown = sorted(set(args) - set(accepted))
    if unknown:
        message = text(
            "error.unknown_params",
            API_LANG,
            names=", ".join(unknown),
            where=where,
            valid=", ".join(accepted),
        )
        raise BadRequest(message, unknown[0])
    out = {}
    for name, values in args.items():
        if len(values) != 1:
            message = text("error.repeated_param", API_LANG, name=name, count=len(values))
            raise BadRequest(message, name)
        out[name] = values[0]
    return out


def choice(params: Mapping[str, str], name: str, choices: Sequence[str], default: str) -> str:
    """A parameter that must be one of choices, or its default when absent."""
    value = params.get(name)
    if value is None:
        return default
    if value not in choices:
        raise invalid_choice(name, value, choices)
    return value
