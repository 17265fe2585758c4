"""Subcommands for who may use the service: user, token, audit."""

from __future__ import annotations

import argparse
import getpass
import logging
import sqlite3
import sys

from geo_coverage.accounts import audit, tokens, users
from geo_coverage.accounts.roles import ROLES
from geo_coverage.accounts.users import AccountError
from geo_coverage.cli.output import complain, say
from geo_coverage.config import Settings

LOGGER = logging.getLogger(__name__)
LOCAL = "local"


def shell_actor() -> str:
    """Who runs a command, as the audit log names them: cli:<login name>."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def record(settings: Settings, action: str, subject: str | None = None, detail: str = "") -> None:
    """Record a command's change in the audit log; if the log cannot be written (a full or
    read-only disk), say so on standard error: the change itself is already made."""
    try:
        audit.record(settings.accounts_path, shell_actor(), action, subject, detail, LOCAL)
    except (sqlite3.Error, OSError) as exc:
        complain(
            f"warning: {action} {subject or ''} was done, but the audit log "
            f"{settings.accounts_path} could not record it ({exc})"
        )


def _password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input, or typed twice at a prompt."""
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise AccountError("standard input is not a terminal; pass --password-stdin")
    first = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != first:
        raise AccountError("the two passwords differ; nothing was changed")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    """user add|list|disable|enable|passwd."""
    settings = Settings.from_env()
    path = settings.accounts_path
    if args.user_command == "list":
        for u in users.list_users(path):
            state = "enabled" if u.enabled else "disabled"
            say(f"{u.name:24s} {u.role:7s} {state:9s} since {u.created_at}")
        return 0
    if args.user_command == "add":
        user = users.add_user(path, args.name, args.role, _password(args))
        record(settings, "user_add", user.name, f"role {user.role}")
        say(f"added {user.role} {user.name}")
    elif args.user_command == "passwd":
        user = users.set_password(path, args.name, _password(args))
        record(settings, "user_passwd", user.name)
        say(f"changed the password of {user.name}; their open sessions have ended")
    else:
        enabled = args.user_command == "enable"
        user = users.set_enabled(path, args.name, enabled)
        record(settings, "user_enable" if enabled else "user_disable", user.name)
        say(f"{'enabled' if enabled else 'disabled'} {user.name}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """token create|list|revoke."""
    settings = Settings.from_env()
    path = settings.accounts_path
    if args.token_command == "list":
        for t in tokens.list_tokens(path):
            state = "active" if t.active else f"revoked {t.revoked_at}"
            say(
                f"{t.name:24s} {t.role:7s} {state:28s} by {t.created_by}, "
                f"last used {t.last_used_at or 'never'}"
            )
        return 0
    if args.token_command == "create":
        token, secret = tokens.create_token(path, args.name, args.role, shell_actor())
        record(settings, "token_create", token.name, f"role {token.role}")
        say(secret)
        complain(
            f"token {token.name} ({token.role}) created; it is shown only this once. Send it as "
            "'Authorization: Bearer <token>'."
        )
        return 0
    token = tokens.revoke_token(path, args.name)
    record(settings, "token_revoke", token.name)
    say(f"revoked token {token.name}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    """Print the audit log, newest first."""
    settings = Settings.from_env()
    for entry in audit.entries(settings.accounts_path, args.limit, args.actor, args.action):
        say(entry.line())
    return 0


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add user, token and audit to the geo-coverage command."""
    u = subparsers.add_parser("user", help="manage the accounts that may sign in")
    us = u.add_subparsers(dest="user_command", required=True)
    add = us.add_parser("add", help="add an account")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    passwd = us.add_parser("passwd", help="set an account's password (ends its sessions)")
    passwd.add_argument("name")
    for p in (add, passwd):
        p.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )
    us.add_parser("list", help="list the accounts")
    for name, what in (("disable", "disable an account"), ("enable", "enable it again")):
        us.add_parser(name, help=what).add_argument("name")
    u.set_defaults(func=cmd_user)
    t = subparsers.add_parser("token", help="manage API tokens (scripts, QGIS, GDAL)")
    ts = t.add_subparsers(dest="token_command", required=True)
    create = ts.add_parser("create", help="create a token and print it once")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=ROLES)
    ts.add_parser("list", help="list the tokens (never their secrets)")
    ts.add_parser("revoke", help="revoke a token").add_argument("name")
    t.set_defaults(func=cmd_token)
    a = subparsers.add_parser("audit", help="show the audit log, newest first")
    a.add_argument("--limit", type=int, default=100)
    a.add_argument("--actor", help="only this user, token (token:NAME) or cli:LOGIN")
    a.add_argument("--action", choices=sorted(audit.ACTIONS))
    a.set_defaults(func=cmd_audit)
