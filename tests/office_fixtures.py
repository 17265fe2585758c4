"""Fixtures for the accounts, admin and API tests: an app over a fresh copy of the built store,
accounts of each role, API tokens, and a test client that signs in through the real form.

Loaded with `pytest_plugins = ["enrollment_fixtures", "office_fixtures"]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from enrollment_helpers import copy_store
from office_helpers import PASSWORD, Browser, make_app
from postgres import postgis_copy

from geo_coverage.accounts import tokens, users
from geo_coverage.config import Settings


@pytest.fixture
def office_settings(request, served_settings, tmp_path) -> Iterator[Settings]:
    """Settings over a fresh copy of the built store and an empty accounts database: the
    GeoPackage file, or a PostgreSQL database when parametrised (indirectly) with "postgis"."""
    instance = tmp_path / "instance"
    instance.mkdir()
    settings = served_settings.with_(instance=instance)
    if getattr(request, "param", "file") == "file":
        copy_store(served_settings.store_path, instance / "coverage.gpkg")
        yield settings
        return
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgis_sample_template")
    with postgis_copy(server, template, settings) as copied:
        yield copied


ROLES = ("viewer", "editor", "admin")


@pytest.fixture(scope="session")
def accounts_template(tmp_path_factory) -> Path:
    """An accounts database with one account of each role, hashed once per session."""
    path = tmp_path_factory.mktemp("accounts") / "accounts.sqlite"
    for role in ROLES:
        users.add_user(path, role, role, PASSWORD)
    return path


@pytest.fixture
def accounts(office_settings, accounts_template) -> dict[str, str]:
    """One account of each role (name = role), all with PASSWORD."""
    if office_settings.database_url:
        for role in ROLES:
            users.add_user(office_settings.accounts_db, role, role, PASSWORD)
    else:
        copy_store(accounts_template, office_settings.accounts_db)
    return {role: role for role in ROLES}


@pytest.fixture
def editor_token(office_settings) -> str:
    """The secret of an editor's API token."""
    return tokens.create_token(office_settings.accounts_db, "script", "editor", "test")[1]


@pytest.fixture
def viewer_token(office_settings) -> str:
    """The secret of a viewer's API token."""
    return tokens.create_token(office_settings.accounts_db, "reader", "viewer", "test")[1]


@pytest.fixture
def office_app(office_settings, accounts):
    """The app (public mode) with an account of each role."""
    return make_app(office_settings)


@pytest.fixture
def browser(office_app) -> Browser:
    """A client of office_app, not signed in."""
    return Browser(office_app.test_client())
