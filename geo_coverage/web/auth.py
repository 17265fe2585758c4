"""Who is asking: the signed session cookie (set at /login) or an API token
(`Authorization: Bearer …`); sign-in with limits on failures, sign-out, and the role each view
needs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface

from geo_coverage.accounts import audit, tokens, users
from geo_coverage.accounts.roles import allows
from geo_coverage.accounts.secret import load_or_create_secret, load_or_create_shared_secret
from geo_coverage.i18n import text

LOGGER = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)
SESSION_HOURS = 8
BAD_SESSION = "geo_coverage.bad_session"
_SECRET_LOCK = threading.Lock()


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: a signed-in user or an API token, with its role."""

    name: str
    role: str
    kind: str  # 'user' or 'token'

    @property
    def actor(self) -> str:
        """The name the audit log gives them."""
        return self.name if self.kind == "user" else f"token:{self.name}"


def _settings():
    """The app's settings."""
    return current_app.config["SETTINGS"]


def ensure_secret(app: Flask) -> None:
    """Load the instance's secret key (creating it on first use) into the app."""
    if app.secret_key:
        return
    with _SECRET_LOCK:
        if not app.secret_key:
            settings = app.config["SETTINGS"]
            app.secret_key = (
                load_or_create_shared_secret(settings.database_url)
                if settings.database_url
                else load_or_create_secret(settings.instance)
            )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, keyed by the instance's secret, Secure over HTTPS, and
    telling a tampered or expired cookie apart from none."""

    def open_session(self, app: Flask, request):
        """The session of the request's cookie (empty when it is missing or not valid)."""
        ensure_secret(app)
        opened = super().open_session(app, request)
        if request.cookies.get(self.get_cookie_name(app)) and opened is not None and not opened:
            request.environ[BAD_SESSION] = True
        return opened

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure when the request came over HTTPS, or always with GEO_COVERAGE_HTTPS=1."""
        return bool(app.config["SETTINGS"].https or request.is_secure)


def principal() -> Principal | None:
    """Who the current request acts for, or None."""
    return g.get("principal")


def _token_secret() -> str | None:
    """The API token the request carries: `Authorization: Bearer TOKEN`, or for reading only
    HTTP Basic with the token as password (what GIS clients' authentication settings send;
    a browser may replay Basic credentials on its own, so they never open a POST)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    basic = request.authorization
    if basic is not None and basic.type == "basic" and request.method in ("GET", "HEAD"):
        return basic.password or ""
    return None


def _load_principal() -> None:
    """Find who the request acts for: an API token, else the session's user if still valid."""
    g.principal = None
    path = _settings().accounts_db
    secret = _token_secret()
    if secret is not None:
        token = tokens.verify_token(path, secret)
        g.bad_token = token is None
        if token is not None:
            g.principal = Principal(token.name, token.role, "token")
        return
    uid = session.get("uid")
    if uid is None:
        return
    user = users.user_by_id(path, uid)
    if user is None or not user.enabled or user.session_epoch != session.get("epoch"):
        session.clear()  # disabled, password changed, or removed: the session ends
        return
    g.principal = Principal(user.name, user.role, "user")


def requires(role: str) -> Callable:
    """Mark a view as needing a role; the guard checks it before the request body is read."""

    def mark(view: Callable) -> Callable:
        view.required_role = role  # type: ignore[attr-defined]
        return view

    return mark


def required_role(app: Flask, endpoint: str | None) -> str | None:
    """The role a view needs, or None."""
    view = app.view_functions.get(endpoint or "")
    return getattr(view, "required_role", None)


def lacks(role: str) -> bool:
    """Whether the request's principal lacks a role (or there is none)."""
    who = principal()
    return who is None or not allows(who.role, role)


def address() -> str:
    """Where the request came from (the proxy's address when behind one)."""
    return request.remote_addr or ""


def acting():
    """A block in which the store's writes are named after the current principal (another
    import that has to wait is told who holds the store)."""
    from geo_coverage.enrollment.backend import acting_as

    who = principal()
    return acting_as(f"{who.actor if who else 'anonymous'} from {address()}")


def record(action: str, subject: str | None = None, detail: str = "") -> None:
    """Record an action of the current principal in the audit log."""
    who = principal()
    actor = who.actor if who else "anonymous"
    audit.record(_settings().accounts_db, actor, action, subject, detail, address())


def safe_next(target: str | None, default: str = "/") -> str:
    """A redirect target on this site only: a path, never another host or scheme."""
    if not target or any(ord(c) < 32 for c in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def login_url(next_path: str | None = None) -> str:
    """The sign-in page, coming back to next_path afterwards."""
    lang = request.args.get("lang")
    query = {k: v for k, v in (("next", next_path), ("lang", lang)) if v}
    return url_for("auth.login") + ("?" + urlencode(query) if query else "")


def _lang() -> str:
    """The page language: id, or en with ?lang=en."""
    return "en" if (request.values.get("lang") == "en") else "id"


def _login_page(status: int = 200, message: str | None = None, name: str = "") -> Response:
    """The sign-in form, with a message when something went wrong."""
    lang = _lang()
    if message is None and request.environ.get(BAD_SESSION):
        message = text("auth.bad_session", lang)
    page = render_template(
        "login.html",
        lang=lang,
        t=lambda key, **kw: text(key, lang, **kw),
        message=message,
        name=name,
        next=safe_next(request.values.get("next"), ""),
        private=_settings().private,
    )
    return Response(page, status=status, mimetype="text/html")


@bp.get("/login")
def login():
    """The sign-in form."""
    who = principal()
    if who is not None and who.kind == "user":
        return redirect(safe_next(request.args.get("next")))
    return _login_page()


@bp.post("/login")
def login_post():
    """Check a name and password; at most audit.LOGIN_LIMIT failures a minute per account
    and per address."""
    settings = _settings()
    lang = _lang()
    name = users.normalise_name(request.form.get("username", ""))[:64]
    password = request.form.get("password", "")
    where = address()
    wait = audit.login_wait(settings.accounts_db, name, where)
    if wait > 0:
        path = settings.accounts_db
        if not audit.recorded_since(path, "login_limited", name, where, audit.LOGIN_WINDOW_S):
            audit.record(path, name or "?", "login_limited", name, "", where)  # once a minute
        resp = _login_page(429, text("auth.limited", lang, seconds=int(wait) + 1), name)
        resp.headers["Retry-After"] = str(int(wait) + 1)
        return resp
    user = users.authenticate(settings.accounts_db, name, password) if name else None
    if user is None:
        audit.record(settings.accounts_db, name or "?", "login_failed", name, "", where)
        return _login_page(401, text("auth.failed", lang), name)
    session.clear()
    session.permanent = True
    session["uid"], session["epoch"] = user.id, user.session_epoch
    audit.record(settings.accounts_db, user.name, "login", user.name, f"role {user.role}", where)
    default = url_for("admin.imports") if allows(user.role, "editor") else url_for("pages.browse")
    return redirect(safe_next(request.form.get("next"), default))


@bp.get("/logout")
def logout():
    """A button to sign out (signing out changes state, so it is a POST)."""
    lang = _lang()
    return render_template(
        "logout.html", lang=lang, t=lambda key, **kw: text(key, lang, **kw), who=principal()
    )


@bp.post("/logout")
def logout_post():
    """End the session."""
    who = principal()
    if who is not None and who.kind == "user":
        record("logout", who.name)
    session.clear()
    return redirect(login_url())


def register(app: Flask) -> None:
    """Sessions, the secret key and the principal of each request."""
    app.session_interface = SessionInterface()
    app.permanent_session_lifetime = timedelta(hours=SESSION_HOURS)
    app.config.update(
        SESSION_COOKIE_NAME="geo_coverage_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.before_request(_load_principal)
    app.register_blueprint(bp)
