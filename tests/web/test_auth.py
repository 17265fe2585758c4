"""Sign-in, sessions, CSRF, roles, private mode and cache headers through the test client."""

from __future__ import annotations

import re

import pytest
from office_helpers import PASSWORD, Browser, csrf_of, make_app

from geo_coverage.accounts import audit, users

pytest_plugins = ["enrollment_fixtures", "office_fixtures"]


def test_sign_in_sets_a_signed_httponly_lax_cookie(browser):
    resp = browser.login("editor")
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/imports"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert browser.client.get("/admin/imports").status_code == 200


def test_cookie_is_secure_over_https(office_app):
    client = office_app.test_client()
    page = client.get("/login", base_url="https://localhost")
    assert "Secure" in page.headers["Set-Cookie"]


def test_wrong_password_is_refused_logged_and_changes_nothing(browser, office_settings):
    resp = browser.login("editor", "wrong password")
    assert resp.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in resp.get_data(as_text=True)
    assert browser.client.get("/admin/imports").status_code == 302
    (entry,) = audit.entries(office_settings.accounts_db, action="login_failed")
    assert entry.subject == "editor" and entry.address == "127.0.0.1"


def test_unknown_and_disabled_accounts_get_the_same_answer(browser, office_settings):
    users.set_enabled(office_settings.accounts_db, "viewer", False)
    for name in ("nobody", "viewer"):
        resp = browser.login(name)
        assert resp.status_code == 401
        assert "kata sandi salah" in resp.get_data(as_text=True)


def test_five_failures_a_minute_lock_the_account(browser, office_settings):
    for _ in range(5):
        assert browser.login("editor", "wrong password").status_code == 401
    blocked = browser.login("editor")  # even the right password, for the rest of the minute
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) <= 60
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)
    assert browser.client.get("/admin/imports").status_code == 302
    assert browser.login("editor").status_code == 429
    actions = [e.action for e in audit.entries(office_settings.accounts_db)]
    assert actions.count("login_failed") == 5 and actions[0] == "login_limited"
    assert actions.count("login_limited") == 1  # hammering does not fill the log


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_redirects_only_to_this_site(browser, target):
    resp = browser.login("editor", next=target)
    assert resp.headers["Location"] == "/admin/imports"


def test_next_returns_to_the_page_asked_for(browser):
    assert browser.login("viewer", next="/admin/history?x=1").headers["Location"] == (
        "/admin/history?x=1"
    )


def test_missing_csrf_token_is_a_400_and_signs_nobody_in(browser):
    resp = browser.client.post("/login", data={"username": "editor", "password": PASSWORD})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)
    assert browser.client.get("/admin/imports").status_code == 302


def test_tampered_cookie_is_not_a_session(browser):
    browser.login("editor")
    cookie = browser.client.get_cookie("geo_coverage_session")
    value = cookie.value
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    browser.client.set_cookie("geo_coverage_session", forged)
    assert browser.client.get("/admin/imports").status_code == 302
    page = browser.client.get("/login").get_data(as_text=True)
    assert "Sesi Anda tidak valid lagi" in page


def test_viewer_may_not_post_an_import(browser, office_settings):
    browser.login("viewer")
    token = csrf_of(browser.client.get("/logout").get_data(as_text=True))
    resp = browser.client.post("/admin/imports", data={"csrf_token": token, "kind": "targets"})
    assert resp.status_code == 403
    assert audit.entries(office_settings.accounts_db, action="forbidden")[0].actor == "viewer"
    assert browser.client.get("/admin/audit").status_code == 403


def test_disabling_an_account_ends_its_session(browser, office_settings):
    browser.login("editor")
    assert browser.client.get("/admin/history").status_code == 200
    users.set_enabled(office_settings.accounts_db, "editor", False)
    assert browser.client.get("/admin/history").status_code == 302


def test_sign_out_needs_a_post_with_csrf(browser):
    browser.login("editor")
    assert browser.client.get("/logout").status_code == 200  # a page with a button
    assert browser.client.post("/logout").status_code == 400
    resp = browser.post_form("/logout", "/logout", {})
    assert resp.status_code == 302 and browser.client.get("/admin/history").status_code == 302


def test_admin_pages_are_never_stored(browser):
    browser.login("admin")
    for path in ("/login", "/admin/imports", "/admin/history", "/admin/audit", "/admin/links"):
        resp = browser.client.get(path)
        assert resp.headers["Cache-Control"] == "no-store", path


def test_public_mode_serves_maps_to_anyone(office_app):
    client = office_app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/ogc/collections").status_code == 200
    assert "public" in client.get("/").headers["Cache-Control"]
    assert client.get("/admin/imports").status_code == 302


def _routes(app) -> list[str]:
    """One concrete URL for every route of the app."""
    values = {
        "level": "regency",
        "ext": "csv",
        "collection_id": "regencies",
        "feature_id": "73.71",
        "filename": "map.js",
        "upload_id": "A" * 24,
        "token": "x",
        "link_id": "1",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        url = rule.rule
        for name, value in values.items():
            url = re.sub(rf"<(?:\w+:)?{name}>", value, url)
        urls.append(url)
    return sorted(set(urls))


def test_private_mode_answers_nothing_without_sign_in(office_settings, accounts):
    app = make_app(office_settings, private=True)
    client = app.test_client()
    open_ = {"/healthz", "/login"}
    for url in _routes(app) + ["/no/such/page"]:
        if url.startswith("/s/"):
            assert client.get(url).status_code == 403, url  # a signed link, but not a valid one
            continue
        for method in ("GET", "POST"):
            resp = client.open(url, method=method)
            if url in open_:
                continue
            assert resp.status_code in (302, 401), (method, url, resp.status_code)
            if resp.status_code == 302:
                assert resp.headers["Location"].startswith("/login?next="), url
            else:
                assert resp.headers["WWW-Authenticate"].startswith("Bearer"), url
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


def test_private_mode_after_sign_in_is_private_to_caches(office_settings, accounts):
    browser = Browser(make_app(office_settings, private=True).test_client())
    browser.login("viewer")
    for url in ("/", "/ogc/collections", "/download/province.csv", "/api/map-data"):
        resp = browser.client.get(url)
        assert resp.status_code == 200, url
        assert resp.headers["Cache-Control"] == "private, no-cache", url
        assert {"Cookie", "Authorization"} <= set(resp.vary), url


def test_signed_in_users_always_see_the_current_data(browser):
    browser.login("viewer")
    assert browser.client.get("/").headers["Cache-Control"] == "private, no-cache"
    page = browser.client.get("/").get_data(as_text=True)
    versioned = re.search(r'href="(/assets/map.css\?v=[0-9a-f]+)"', page).group(1)
    assert browser.client.get(versioned).headers["Cache-Control"] == "private, max-age=31536000"


def test_private_ogc_api_takes_a_bearer_token(office_settings, viewer_token):
    client = make_app(office_settings, private=True).test_client()
    ok = client.get("/ogc/collections/regencies/items/73.71", headers=_bearer(viewer_token))
    assert ok.status_code == 200 and ok.json["id"] == "73.71"
    bad = client.get("/ogc/collections", headers=_bearer(viewer_token + "x"))
    assert bad.status_code == 401 and "not valid" in bad.json["description"]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
