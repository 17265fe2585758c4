"""Who may see what: the role a view needs, private mode (GEO_COVERAGE_PRIVATE=1: sign-in or a
token for everything but /healthz, /login and signed links), and cache headers that never let
a shared cache keep what only signed-in users may see."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, redirect, request

from geo_coverage.web import auth
from geo_coverage.web.error_handlers import error_response, wants_json

LOGGER = logging.getLogger(__name__)

# Answer without sign-in even in private mode.
OPEN_ENDPOINTS = frozenset({"health.healthz", "auth.login", "auth.login_post"})
SIGNED_BLUEPRINT = "signed"
NO_STORE_BLUEPRINTS = ("auth", "admin", "api_imports")
IMMUTABLE_S = 24 * 3600  # responses kept this long are versioned by their URL


def _refuse(status: int, message: str) -> Response:
    """401 (sign in first) or 403 (not allowed): JSON for APIs, the sign-in page or an error
    page for browsers."""
    if status == 401 and not wants_json():
        return current_app.make_response(redirect(auth.login_url(request.full_path.rstrip("?"))))
    if status == 401 and g.get("bad_token"):
        message = "the API token is not valid (revoked, mistyped or never issued)"
    resp, _ = error_response(status, "Unauthorized" if status == 401 else "Forbidden", message)
    resp = current_app.make_response(resp)
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer realm="geo-coverage"'
    return resp


def _check() -> Response | None:
    """Refuse a request its principal may not make; runs before the body is read."""
    settings = current_app.config["SETTINGS"]
    endpoint = request.endpoint
    role = auth.required_role(current_app, endpoint)
    who = auth.principal()
    if g.get("bad_token"):
        return _refuse(401, "")
    if role is not None:
        if who is None:
            return _refuse(401, "sign in first")
        if auth.lacks(role):
            auth.record("forbidden", endpoint, f"needs {role}, has {who.role}")
            return _refuse(
                403, f"{who.actor} ({who.role}) may not do this: it needs the {role} role"
            )
        return None
    if not settings.private or who is not None or request.method == "OPTIONS":
        return None
    if endpoint in OPEN_ENDPOINTS or request.blueprint == SIGNED_BLUEPRINT:
        return None
    return _refuse(401, "this service is private: sign in, or send an API token")


def _private(control: str) -> str:
    """Cache-Control for a signed-in user: never a shared cache; pages and data revalidated
    every time (a 304 is cheap), so an activation shows at once; versioned assets kept."""
    parts = [p.strip() for p in control.split(",") if p.strip()]
    ages = [int(p[8:]) for p in parts if p.startswith("max-age=") and p[8:].isdigit()]
    if ages and min(ages) >= IMMUTABLE_S:
        return f"private, max-age={min(ages)}"
    return "private, no-cache"


def _cache_headers(resp: Response) -> Response:
    """No shared cache keeps private answers; sign-in and admin pages are never stored."""
    settings = current_app.config["SETTINGS"]
    if request.blueprint in NO_STORE_BLUEPRINTS:
        resp.headers["Cache-Control"] = "no-store"
    elif request.blueprint != SIGNED_BLUEPRINT and (settings.private or auth.principal()):
        resp.headers["Cache-Control"] = _private(resp.headers.get("Cache-Control", ""))
    if settings.private:
        resp.vary.update(("Cookie", "Authorization"))
    return resp


def register(app: Flask) -> None:
    """Install the checks (after the principal is known) and the cache rules."""
    app.before_request(_check)
    app.after_request(_cache_headers)
