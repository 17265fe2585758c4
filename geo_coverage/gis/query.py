"""Query-string checks shared by the download and OGC API requests; no Flask."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from geo_coverage.errors import BadRequest


def single_values(
    args: Mapping[str, Sequence[str]], accepted: Sequence[str], where: str
) -> dict[str, str]:
    """The parameters (given as lists) as single values; 400 for unknown or repeated ones."""
    unknown = sorted(set(args) - set(accepted))
    if unknown:
        raise BadRequest(
            f"unknown query parameter(s) {', '.join(unknown)} for {where}; valid "
            f"parameters: {', '.join(accepted)}",
            unknown[0],
        )
    out = {}
    for name, values in args.items():
        if len(values) != 1:
            raise BadRequest(f"parameter '{name}' is given {len(values)} times; give it once", name)
        out[name] = values[0]
    return out


def choice(params: Mapping[str, str], name: str, choices: Sequence[str], default: str) -> str:
    """A parameter that must be one of choices, or its default when absent."""
    value = params.get(name)
    if value is None:
        return default
    if value not in choices:
        raise BadRequest(f"invalid {name} '{value}'; valid values: {', '.join(choices)}", name)
    return value
