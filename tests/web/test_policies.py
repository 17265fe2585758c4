"""Browser policies and public URLs: a CSP that runs only our scripts and the page's own import
map, a Referrer-Policy, and OGC links that never echo a Host nobody configured in an answer a
shared cache may keep."""

from __future__ import annotations

import re

import pytest
from office_helpers import make_app

from geo_coverage.config import Settings
from geo_coverage.errors import ConfigError
from geo_coverage.web.security import REFERRER_POLICY, script_hash, tile_source

PUBLIC = "https://coverage.example.org"


def _directives(csp: str) -> dict[str, list[str]]:
    """A CSP header as {directive: sources}."""
    found = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        assert name not in found, f"{name} twice in {csp}"
        found[name] = sources
    return found


@pytest.mark.parametrize("path", ["/", "/embed?lang=en", "/ogc/api.html", "/no-such-page"])
def test_every_page_runs_only_our_scripts(served_settings, path):
    client = make_app(served_settings, tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    resp = client.test_client().get(path)
    policy = _directives(resp.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["img-src"][-1] == "https://*.tiles.example.org"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert resp.headers["Referrer-Policy"] == REFERRER_POLICY
    page = resp.get_data(as_text=True)
    hashes = set(policy["script-src"]) - {"'self'"}
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", page, re.DOTALL)
    executable = [(attrs, body) for attrs, body in inline if "application/json" not in attrs]
    # every inline script the browser would run is allowed by its hash, and nothing more
    assert {script_hash(body) for _, body in executable} == hashes
    if path in ("/", "/embed?lang=en"):
        assert len(executable) == 1 and 'type="importmap"' in executable[0][0]


def test_tile_sources():
    assert tile_source("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert tile_source("https://{s}.tile.example/{z}/{x}/{y}.png") == "https://*.tile.example"
    assert tile_source("https://tiles-{s}.example/{z}/{x}/{y}.png") == "https:"
    assert tile_source("none") is None


def test_a_configured_public_url_refuses_other_hosts(served_settings):
    client = make_app(served_settings, public_url=f"{PUBLIC} http://10.0.0.5:8000").test_client()
    refused = client.get("/ogc/collections", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "evil.example" in refused.json["description"]
    assert "coverage.example.org" in refused.json["description"]
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "10.1.2.3"}).status_code in (200, 503)
    answer = client.get("/ogc/collections?f=json", headers={"Host": "coverage.example.org"})
    assert answer.status_code == 200 and answer.headers["Cache-Control"].startswith("public")
    hrefs = [link["href"] for link in answer.json["links"]]
    hrefs += [link["href"] for c in answer.json["collections"] for link in c["links"]]
    # TLS ends at a proxy: the request came over http, the links say https
    assert hrefs and all(h.startswith(f"{PUBLIC}/") for h in hrefs), hrefs
    inside = client.get("/ogc/collections", headers={"Host": "10.0.0.5:8000"})
    assert all(link["href"].startswith("http://10.0.0.5:8000/") for link in inside.json["links"])


def test_without_a_public_url_links_from_the_host_are_private(served_settings):
    client = make_app(served_settings).test_client()
    answer = client.get("/ogc/collections/regencies", headers={"Host": "evil.example"})
    assert answer.status_code == 200
    assert any("evil.example" in link["href"] for link in answer.json["links"])
    assert answer.headers["Cache-Control"].startswith("private")
    assert client.get("/embed").headers["Cache-Control"].startswith("public")  # no Host inside


@pytest.mark.parametrize(
    "value", ["coverage.example.org", "ftp://x.example", "https://x.example/geo", "https://u@x"]
)
def test_a_malformed_public_url_is_a_clear_error(value):
    with pytest.raises(ConfigError, match="GEO_COVERAGE_PUBLIC_URL"):
        Settings.from_env({"GEO_COVERAGE_PUBLIC_URL": value})
