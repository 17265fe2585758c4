"""The OGC API conformance script (tests/gis/ogc_conformance.py) against a live server: every
requirement passes, docs/ogc-conformance.md records the same results, and the script does
catch a server that breaks the requirements the GIS issue named."""

import re

import ogc_conformance
import pytest
from live_server import serve
from repo import REPO_ROOT

from geo_coverage import create_app

pytestmark = pytest.mark.slow  # starts real servers or processes

DOC = REPO_ROOT / "docs" / "ogc-conformance.md"
RESULTS = re.compile(r"<!-- results -->\n(.*?)<!-- end of results -->", re.DOTALL)


@pytest.fixture(scope="module")
def results(live_server):
    """The script's results for the live server."""
    base, _ = live_server
    return ogc_conformance.run(f"{base}/ogc")


def test_every_requirement_passes(results):
    failed = [f"{r.key}: {r.detail}" for r in results if not r.passed]
    assert not failed
    assert len(results) == len(ogc_conformance.REQUIREMENTS) + 1


def test_the_docs_record_these_results(results):
    match = RESULTS.search(DOC.read_text(encoding="utf-8"))
    assert match, f"{DOC} has no <!-- results --> … <!-- end of results --> block"
    assert match.group(1) == ogc_conformance.markdown(results), (
        "docs/ogc-conformance.md is stale: paste `python tests/gis/ogc_conformance.py "
        "http://HOST/ogc --markdown` between its markers"
    )


class Breaker:
    """WSGI middleware that breaks three rules the old server broke: a 405 without Allow, a
    limit above the maximum refused, a datetime outside the data refused."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        limits = [int(v) for v in re.findall(r"(?:^|&)limit=(\d+)", query)]
        if any(v > 10_000 for v in limits) or "datetime=1990" in query:
            start_response("400 BAD REQUEST", [("Content-Type", "application/json")])
            return [b'{"code": "BadRequest", "description": "refused"}']

        def without_allow(status, headers, *args):
            kept = [(k, v) for k, v in headers if k.lower() != "allow"]
            return start_response(status, kept, *args)

        return self.app(environ, without_allow)


def test_the_script_catches_a_server_that_breaks_them(served_settings):
    app = create_app({"instance": served_settings.instance, "shapes": served_settings.shapes})
    app.wsgi_app = Breaker(app.wsgi_app)
    with serve(app, threads=2) as url:
        found = ogc_conformance.run(f"{url}/ogc")
    failed = {r.key for r in found if not r.passed}
    assert failed == {
        "/req/core/http",
        "/req/core/fc-limit-response-1",
        "/req/core/fc-time-response",
    }
    assert "Allow" in next(r.detail for r in found if r.key == "/req/core/http")
