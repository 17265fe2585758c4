"""Accounts as data: users with argon2id hashes, tokens stored hashed, the audit log, the sign-in
limit it drives, and the instance's secret key. The `path` tests run on both back ends: a SQLite
file in the instance folder and PostgreSQL."""

from __future__ import annotations

import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from geo_coverage.accounts import audit, db, tokens, users
from geo_coverage.accounts.secret import SECRET_FILE, load_or_create_secret
from geo_coverage.accounts.users import AccountError
from geo_coverage.database.engine import dispose
from geo_coverage.errors import ConfigError

PASSWORD = "correct horse battery"


@pytest.fixture(params=["file", "postgis"])
def path(request, tmp_path):
    """Where the accounts are: a SQLite file, or an empty PostgreSQL database."""
    if request.param == "file":
        yield tmp_path / "instance" / "accounts.sqlite"
        return
    server = request.getfixturevalue("postgres_server")
    name = server.create_database()
    yield server.url(name)
    dispose(server.url(name))
    server.drop_database(name)


def _sql(path, sql: str, params: tuple = ()) -> list[tuple]:
    """Run one statement on the accounts database of either back end."""
    with db.transaction(path) as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def test_password_is_stored_as_an_argon2id_hash(path):
    users.add_user(path, "Rina", "editor", PASSWORD)
    ((stored,),) = _sql(path, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    if not isinstance(path, str):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_authenticate_accepts_only_the_right_password_of_an_enabled_account(path):
    user = users.add_user(path, "Rina", "editor", PASSWORD)
    assert user.name == "rina" and user.role == "editor"
    assert users.authenticate(path, "RINA", PASSWORD) == user
    assert users.authenticate(path, "rina", PASSWORD + "x") is None
    assert users.authenticate(path, "nobody", PASSWORD) is None
    users.set_enabled(path, "rina", False)
    assert users.authenticate(path, "rina", PASSWORD) is None


def test_bad_accounts_are_refused_with_every_reason(path):
    with pytest.raises(AccountError) as caught:
        users.add_user(path, "../root", "owner", "short")
    message = str(caught.value)
    assert "not a valid user name" in message and "unknown role" in message
    assert "too short" in message
    users.add_user(path, "rina", "viewer", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        users.add_user(path, "Rina", "viewer", PASSWORD)
    with pytest.raises(AccountError, match="no user 'budi'.*rina"):
        users.set_password(path, "budi", PASSWORD)
    assert [u.name for u in users.list_users(path)] == ["rina"]


def test_password_change_and_disabling_end_sessions(path):
    first = users.add_user(path, "rina", "editor", PASSWORD)
    changed = users.set_password(path, "rina", "another long password")
    assert changed.session_epoch == first.session_epoch + 1
    assert users.authenticate(path, "rina", PASSWORD) is None
    assert users.authenticate(path, "rina", "another long password") is not None
    assert users.set_enabled(path, "rina", False).session_epoch == changed.session_epoch + 1


def test_token_is_shown_once_and_stored_as_a_digest(path):
    token, secret = tokens.create_token(path, "qgis", "viewer", "cli:test")
    stored = _sql(path, "SELECT * FROM tokens")
    assert secret.startswith(tokens.PREFIX) and secret not in repr(stored)
    assert tokens.verify_token(path, secret).name == "qgis"
    assert tokens.verify_token(path, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
    assert tokens.verify_token(path, "not a token") is None
    assert tokens.list_tokens(path)[0].last_used_at is not None
    with pytest.raises(AccountError, match="already exists"):
        tokens.create_token(path, "QGIS", "viewer", "cli:test")
    tokens.revoke_token(path, "qgis")
    assert tokens.verify_token(path, secret) is None
    with pytest.raises(AccountError, match="no active token"):
        tokens.revoke_token(path, "qgis")


def test_audit_keeps_who_what_when_and_where(path):
    audit.record(path, "rina", "login", "rina", "role editor", "10.0.0.7")
    audit.record(path, "cli:root", "user_add", "budi", "role viewer", "local")
    newest, oldest = audit.entries(path)
    assert (newest.actor, newest.action, newest.subject, newest.address) == (
        "cli:root",
        "user_add",
        "budi",
        "local",
    )
    assert oldest.at.endswith("Z") and "10.0.0.7" in oldest.line()
    assert [e.actor for e in audit.entries(path, action="login")] == ["rina"]
    with pytest.raises(ValueError):
        audit.record(path, "rina", "made up", None)


def _fail(path, name: str, address: str, at: float) -> None:
    """A failed sign-in recorded at a given time."""
    audit.record(path, name, "login_failed", name, "", address)
    with db.transaction(path) as conn:
        conn.execute("UPDATE audit SET epoch = ? WHERE id = (SELECT max(id) FROM audit)", (at,))


def test_sign_in_is_limited_per_account_and_per_address(path):
    now = 1_000_000.0
    for i in range(4):
        _fail(path, "rina", f"10.0.0.{i}", now - 50 + i)
    assert audit.login_wait(path, "rina", "10.0.0.99", now) == 0
    _fail(path, "rina", "10.0.0.4", now - 40)
    wait = audit.login_wait(path, "rina", "10.0.0.99", now)
    assert wait == pytest.approx(10.0)  # the oldest of the five leaves the window in 10 s
    assert audit.login_wait(path, "rina", "10.0.0.99", now + 11) == 0
    assert audit.login_wait(path, "budi", "10.0.0.99", now) == 0
    for i in range(5):
        _fail(path, f"user{i}", "10.9.9.9", now - 5)
    assert audit.login_wait(path, "budi", "10.9.9.9", now) > 0


def test_secret_key_is_made_once_owner_only(tmp_path):
    instance = tmp_path / "instance"
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: load_or_create_secret(instance), range(16)))
    assert len(keys) == 1 and len(next(iter(keys))) >= 32
    assert stat.S_IMODE((instance / SECRET_FILE).stat().st_mode) == 0o600
    assert os.listdir(instance) == [SECRET_FILE]  # no temporary files left
    (instance / SECRET_FILE).write_text("short")
    with pytest.raises(ConfigError, match="delete it"):
        load_or_create_secret(instance)


def test_an_instance_folder_that_cannot_be_written_gets_a_key_for_the_process(tmp_path, caplog):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the instance folder should be")
    key = load_or_create_secret(blocked / "instance")
    assert len(key) >= 32 and load_or_create_secret(blocked / "instance") != key
    assert "using a key for this process only" in caplog.text
