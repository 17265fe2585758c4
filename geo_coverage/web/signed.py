"""Signed links: an editor's link to one map view (embed page, and the view as a PNG, SVG or PDF
image for slides and print) that works without
sign-in, also in private mode, until the end of a chosen day (WITA) or until an editor revokes
it. Signed with the instance's secret key (itsdangerous) and recorded in the accounts
database; the page, its scripts and its geometry load under the link's own path, so nothing
else opens without sign-in."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

from flask import Blueprint, current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from geo_coverage.accounts import links
from geo_coverage.errors import BadRequest, Forbidden, GeoCoverageError, NotFound
from geo_coverage.i18n import DEFAULT_LANG, text
from geo_coverage.maps.state import ViewState, parse_view
from geo_coverage.metrics import dataset
from geo_coverage.web import assets, pages
from geo_coverage.web.auth import ensure_secret

LOGGER = logging.getLogger(__name__)

bp = Blueprint("signed", __name__, url_prefix="/s")
SALT = "geo-coverage signed map link"
OFFICE_TZ = timezone(timedelta(hours=8), "WITA")  # the regional office's time (Makassar)
DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_AGE_S = 300
IMAGE_FORMATS = ("png", "svg", "pdf")


class LinkExpired(GeoCoverageError):
    """A signed link whose day has passed."""

    status = 410


@dataclass(frozen=True)
class Link:
    """A signed link and the URLs made from it."""

    id: int
    created_by: str
    revoked: bool
    token: str
    query: str
    expires: str
    embed_url: str
    image_urls: dict[str, str]  # by format: png, svg, pdf

    @property
    def png_url(self) -> str:
        """The link's view as a PNG image."""
        return self.image_urls["png"]

    @property
    def iframe(self) -> str:
        """HTML to paste into a slide or an intranet page."""
        lang = dict(parse_qsl(self.query)).get("lang", DEFAULT_LANG)
        title = html.escape(text("app_title", lang), quote=True)
        return (
            f'<iframe src="{self.embed_url}" width="800" height="600" style="border:0" '
            f'loading="lazy" title="{title}"></iframe>'
        )


def _serializer() -> URLSafeSerializer:
    """Signs and checks link payloads with the instance's secret key."""
    ensure_secret(current_app)
    return URLSafeSerializer(current_app.secret_key or b"", salt=SALT)


def today() -> date:
    """Today in the office's time zone."""
    return datetime.now(OFFICE_TZ).date()


def default_expiry() -> date:
    """The expiry date the form suggests."""
    return today() + timedelta(days=DEFAULT_DAYS)


def max_expiry() -> date:
    """The latest expiry date a link may have."""
    return today() + timedelta(days=MAX_DAYS)


def _view_query(view: str) -> str:
    """The query string of a pasted map URL (or of a bare query string)."""
    view = view.strip()
    if "://" in view or view.startswith("/"):
        return urlsplit(view).query
    return view.lstrip("?")


def _settings():
    """The app's settings."""
    return current_app.config["SETTINGS"]


def _link(record: links.LinkRecord) -> Link:
    """The signed token and URLs of a recorded link (the same every time it is asked for)."""
    token = _serializer().dumps({"i": record.id, "q": record.query, "e": record.expires})
    root = request.url_root.rstrip("/")
    return Link(
        record.id,
        record.created_by,
        record.revoked_at is not None,
        token,
        record.query,
        record.expires,
        root + url_for("signed.embed", token=token),
        {f: root + url_for("signed.image", token=token, ext=f) for f in IMAGE_FORMATS},
    )


def active_links() -> list[Link]:
    """The links that have not expired, newest first."""
    return [_link(r) for r in links.list_links(_settings().accounts_db, today().isoformat())]


def revoke(link_id: int) -> Link:
    """Withdraw a link; NotFound when there is none of that id."""
    record = links.revoke_link(_settings().accounts_db, link_id)
    if record is None:
        raise NotFound(f"there is no signed link {link_id}")
    return _link(record)


def create_link(view: str, expires: str, created_by: str) -> Link:
    """A signed link to a view (a map URL or its query string) valid through a date; anyone
    can read what it shows (it is signed, not encrypted), so it names nobody."""
    settings = current_app.config["SETTINGS"]
    query = dict(parse_qsl(_view_query(view)))
    state = parse_view(query, dataset.periods(settings), settings.region.provinces)
    try:
        until = date.fromisoformat(expires.strip())
    except ValueError as exc:
        raise BadRequest(
            f"expiry '{expires[:20]}' is not a date like 2026-12-31", "expires"
        ) from exc
    if not today() <= until <= max_expiry():
        raise BadRequest(
            f"the expiry must be from {today()} to {max_expiry()} (at most {MAX_DAYS} days)",
            "expires",
        )
    record = links.add_link(settings.accounts_db, state.query(), until.isoformat(), created_by)
    return _link(record)


def _open(token: str) -> ViewState:
    """The view of a valid link; 403 when it was altered, 410 when it has expired."""
    try:
        payload = _serializer().loads(token)
        link_id, query, until = int(payload["i"]), payload["q"], date.fromisoformat(payload["e"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Forbidden(
            "this link is not valid (it was changed or made with another key); ask for a new one"
        ) from exc
    record = links.find_link(_settings().accounts_db, link_id)
    if record is None or record.revoked_at is not None:
        raise Forbidden("this link was withdrawn; ask for a new one")
    if today() > until:
        raise LinkExpired(f"this link expired at the end of {until} (WITA); ask for a new one")
    settings = current_app.config["SETTINGS"]
    return parse_view(dict(parse_qsl(query)), dataset.periods(settings), settings.region.provinces)


def _asset_url(token: str):
    """An asset URL under the link's path."""

    def url(filename: str) -> str:
        found = assets.find(filename)
        if found is None:
            raise LookupError(f"missing asset {filename}")
        return url_for("signed.asset", token=token, filename=filename, v=found.version)

    return url


def _short_lived(resp):
    """At most MAX_AGE_S in the browser, never in a shared cache."""
    resp.headers["Cache-Control"] = f"private, max-age={MAX_AGE_S}"
    return resp


@bp.get("/<token>/embed")
def embed(token: str):
    """The embed page of the link's view."""
    state = _open(token)
    geometry = url_for("signed.geometry", token=token)
    detail = (
        {state.province: url_for("signed.province_geometry", token=token, province=state.province)}
        if state.province
        else {}
    )

    def plain(filename: str) -> str:
        return url_for("signed.asset", token=token, filename=filename)

    return _short_lived(pages.embed_page(state, _asset_url(token), plain, geometry, token, detail))


@bp.get("/<token>/map.<ext>")
def image(token: str, ext: str):
    """The link's view as a PNG, SVG or PDF image."""
    state = _open(token)
    if ext not in IMAGE_FORMATS:
        raise NotFound(f"a signed link draws no .{ext}; formats: {', '.join(IMAGE_FORMATS)}")
    return _short_lived(pages.image_response(state, ext))


@bp.get("/<token>/geometry.topojson")
def geometry(token: str):
    """The display geometry, for the link's embed page."""
    _open(token)
    return _short_lived(pages.geometry_response())


@bp.get("/<token>/geometry/<province>.topojson")
def province_geometry(token: str, province: str):
    """The detail of the link's province, for the link's embed page."""
    state = _open(token)
    if province != state.province:
        raise NotFound(f"this link shows no province {province}")
    return _short_lived(pages.geometry_response(province))


@bp.get("/<token>/assets/<path:filename>")
def asset(token: str, filename: str):
    """The embed page's scripts and styles, for the link's embed page."""
    _open(token)
    return _short_lived(pages.asset_response(filename))
