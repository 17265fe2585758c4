"""The user, token, audit and targets commands."""

from __future__ import annotations

import io
import sqlite3

import pytest
from office_helpers import xlsx

from geo_coverage.accounts import tokens, users
from geo_coverage.enrollment import target_store

pytest_plugins = ["enrollment_fixtures"]
PASSWORD = "correct horse battery"


def main():
    """The current geo-coverage entry point (imported late: a test may have purged modules)."""
    from geo_coverage.cli import main as cli

    return cli.main


@pytest.fixture
def cli(enrollment_settings, monkeypatch, capsys):
    """Run `geo-coverage ARGS` in-process, with some standard input, against a fresh store."""
    monkeypatch.setenv("GEO_COVERAGE_INSTANCE", str(enrollment_settings.instance))
    monkeypatch.delenv("GEO_COVERAGE_MIRROR", raising=False)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main()(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    run.settings = enrollment_settings
    return run


def test_user_commands_and_their_audit(cli):
    path = cli.settings.accounts_path
    code, out, _ = cli(
        "user", "add", "Rina", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert code == 0 and out.strip() == "added editor rina"
    assert users.authenticate(path, "rina", PASSWORD) is not None
    code, _, err = cli(
        "user", "add", "rina", "--role", "viewer", "--password-stdin", stdin=PASSWORD
    )
    assert code == 2 and "already exists" in err
    code, _, err = cli(
        "user", "add", "budi", "--role", "viewer", "--password-stdin", stdin="short\n"
    )
    assert code == 2 and "too short" in err and users.find_user(path, "budi") is None
    code, _, err = cli("user", "add", "budi", "--role", "viewer")  # no terminal to prompt on
    assert code == 2 and "--password-stdin" in err
    assert cli("user", "passwd", "rina", "--password-stdin", stdin="a new long password\n")[0] == 0
    assert users.authenticate(path, "rina", "a new long password") is not None
    assert cli("user", "disable", "rina")[0] == 0
    code, out, _ = cli("user", "list")
    assert "rina" in out and "disabled" in out
    code, out, _ = cli("audit")
    lines = out.splitlines()
    assert [line.split()[3] for line in lines] == ["user_disable", "user_passwd", "user_add"]
    assert all(" local " in line and "cli:" in line for line in lines)


def test_token_is_printed_once_and_works(cli):
    path = cli.settings.accounts_path
    code, out, err = cli("token", "create", "nightly", "--role", "editor")
    secret = out.strip()
    assert code == 0 and secret.startswith("gct_") and "only this once" in err
    assert tokens.verify_token(path, secret).role == "editor"
    rows = sqlite3.connect(path).execute("SELECT * FROM tokens").fetchall()
    assert secret not in repr(rows)
    code, out, _ = cli("token", "list")
    assert "nightly" in out and secret not in out
    assert cli("token", "revoke", "nightly")[0] == 0
    assert tokens.verify_token(path, secret) is None


def test_targets_import_rollback_and_history(cli, tmp_path):
    good = tmp_path / "targets.xlsx"
    good.write_bytes(
        xlsx(
            [
                ["kode", "year", "target_pct", "source"],
                ["73.71", 2025, 70, "plan"],
                ["74", 2025, 55.5, "plan"],
            ]
        )
    )
    code, out, _ = cli("targets", "import", str(good), "--check")
    assert code == 0 and "valid, 2 targets; not imported" in out
    code, out, _ = cli("targets", "import", str(good))
    assert code == 0 and "as targets version 2" in out
    active = target_store.active_targets(cli.settings.store_path).set_index(["kode", "year"])
    assert active.loc[("73.71", 2025), "target_pct"] == 70 and len(active) == 4
    bad = tmp_path / "bad.csv"
    bad.write_text("kode,year,target_pct,source\n73,2025,101,x\n")
    code, _, err = cli("targets", "import", str(bad))
    assert code == 1 and "bad.csv:2:target_pct:" in err and "unchanged" in err
    code, out, _ = cli("targets", "history")
    assert out.splitlines()[0].startswith("*    2") and "targets.xlsx" in out
    assert cli("targets", "rollback")[0] == 0
    assert len(target_store.active_targets(cli.settings.store_path)) == 2
    code, out, _ = cli("audit", "--action", "rollback")
    assert "targets:1" in out


def test_control_characters_in_file_names_are_escaped_in_every_output(cli, tmp_path):
    hostile = tmp_path / "target\x1b[2J\x1b]0;judul\x07\r.csv"
    hostile.write_text("kode,year,target_pct,source\n73.71,2025,70,plan\x1b[31m\n")
    code, out, err = cli("targets", "import", str(hostile))
    assert code == 0 and "target\\x1b[2J\\x1b]0;judul\\x07\\r.csv: imported 1" in out
    outputs = [out, err]
    for command in (("targets", "history"), ("audit",), ("user", "list"), ("token", "list")):
        code, out, err = cli(*command)
        assert code == 0, command
        outputs += [out, err]
    assert "target" in outputs[2] and "targets:2" in outputs[4]
    for text in outputs:
        assert not any(c in text for c in "\x1b\x07\r"), text
