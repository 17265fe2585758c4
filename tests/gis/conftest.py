"""A live server for the tests that drive real GIS clients (GDAL, pyogrio, QGIS) over HTTP."""

import threading

import pytest
from live_server import serve

from geo_coverage import create_app


class Recorder:
    """WSGI middleware that keeps the path and query of every request, and the Range header
    and status of each (in ranges)."""

    def __init__(self, app):
        self.app, self.seen, self.ranges, self.lock = app, [], [], threading.Lock()

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING", "")
        url = environ["PATH_INFO"] + (f"?{query}" if query else "")
        with self.lock:
            self.seen.append(url)

        def record(status, headers, *args):
            with self.lock:
                self.ranges.append((url, environ.get("HTTP_RANGE"), int(status.split()[0])))
            return start_response(status, headers, *args)

        return self.app(environ, record)


@pytest.fixture(scope="module")
def live_server(served_settings):
    """A waitress server on a free port over the session build; yields (base URL, recorder)."""
    app = create_app({"instance": served_settings.instance, "shapes": served_settings.shapes})
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    with serve(app) as url:
        yield url, recorder
