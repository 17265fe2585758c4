"""The public URLs the service answers as (GEO_COVERAGE_PUBLIC_URL).

When they are configured, a request naming another Host is refused (400) and links are built
with the configured scheme, so no answer echoes a Host the operator did not choose. When none
is configured, the answers whose links are made from the Host (the OGC API's documents) are
marked private, so no shared cache hands one Host's links to a client of another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import BadRequest

from geo_coverage.i18n import API_LANG, text

HOST_FREE_PATHS = ("/healthz",)  # answered for any Host: a load balancer may ask by address
DEFAULT_PORTS = {"http": ":80", "https": ":443"}
SHOWN_HOST_CHARS = 100


def _bare(scheme: str, host: str) -> str:
    """A host without the scheme's default port, lower case."""
    host = host.lower()
    port = DEFAULT_PORTS.get(scheme, "")
    return host[: -len(port)] if port and host.endswith(port) else host


class PublicScheme:
    """WSGI middleware: a request for a configured host gets that URL's scheme (https behind a
    proxy that ends TLS), so the links built from it are the public ones."""

    def __init__(self, wsgi_app: Callable, urls: Iterable[tuple[str, str]]):
        self.wsgi_app = wsgi_app
        self.schemes: dict[str, list[str]] = {}
        for scheme, host in urls:
            self.schemes.setdefault(_bare(scheme, host), []).append(scheme)

    def __call__(self, environ: dict, start_response: Callable):
        """Set the scheme of a configured host, then call the app."""
        scheme = environ.get("wsgi.url_scheme", "http")
        schemes = self.schemes.get(_bare(scheme, environ.get("HTTP_HOST", "")))
        if schemes and scheme not in schemes:
            environ["wsgi.url_scheme"] = schemes[0]
        return self.wsgi_app(environ, start_response)


def _public_hosts() -> frozenset[str]:
    """The configured hosts, without default ports."""
    urls = current_app.config["SETTINGS"].public_urls
    return frozenset(_bare(scheme, host) for scheme, host in urls)


def _check_host() -> None:
    """Refuse a request naming a Host that is not one of the configured public URLs."""
    hosts = _public_hosts()
    if not hosts or request.path in HOST_FREE_PATHS:
        return
    if _bare(request.scheme, request.host) not in hosts:
        shown = request.host[:SHOWN_HOST_CHARS]
        raise BadRequest(
            text("error.unknown_host", API_LANG, host=repr(shown), hosts=", ".join(sorted(hosts)))
        )


def links_from_host(resp: Response) -> Response:
    """Mark an answer whose links were built from the Host private when no public URL is
    configured (a configured one has been checked, so its answers stay public)."""
    if not current_app.config["SETTINGS"].public_urls:
        cache_control = resp.headers.get("Cache-Control", "")
        resp.headers["Cache-Control"] = cache_control.replace("public", "private")
    return resp


def register(app: Flask) -> None:
    """Check the Host of every request and give configured hosts their public scheme."""
    urls = app.config["SETTINGS"].public_urls
    if urls:
        app.wsgi_app = PublicScheme(app.wsgi_app, urls)  # type: ignore[method-assign]
    app.before_request(_check_host)
