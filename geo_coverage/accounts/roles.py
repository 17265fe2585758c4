"""The three roles and what each may do: viewer < editor < admin."""

from __future__ import annotations

ROLES = ("viewer", "editor", "admin")


def allows(role: str, needed: str) -> bool:
    """Whether a role includes the rights of the needed role."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def check_role(role: str) -> str | None:
    """What is wrong with a role name, or None."""
    return None if role in ROLES else f"unknown role '{role}': use one of {', '.join(ROLES)}"
