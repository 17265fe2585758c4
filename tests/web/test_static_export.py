"""`geo-coverage static`: the files a reverse proxy serves itself are byte for byte what the app
answers at the same versioned URLs, with gzip twins that decompress to the same bytes."""

import gzip
import re

from office_helpers import make_app

from geo_coverage.web.static_export import ASSETS_DIR, GEOMETRY_DIR, export_static


def test_exported_files_are_what_the_app_answers(served_settings, tmp_path):
    count, key = export_static(served_settings, tmp_path)
    client = make_app(served_settings).test_client()
    page = client.get("/").get_data(as_text=True)
    linked = set(re.findall(r'/assets/([^"?]+)\?v=([0-9a-f]{16})', page))
    assert linked, "the page links versioned assets"
    files = sorted(p for p in (tmp_path / ASSETS_DIR).rglob("*") if p.is_file())
    plain = [p for p in files if p.suffix != ".gz"]
    assert len(plain) == count
    for version, name in ((v, n) for n, v in linked):
        assert (tmp_path / ASSETS_DIR / version / name).is_file(), f"{name}?v={version}"
    for path in plain:
        version, name = path.relative_to(tmp_path / ASSETS_DIR).as_posix().split("/", 1)
        answered = client.get(f"/assets/{name}?v={version}")
        assert answered.status_code == 200 and answered.data == path.read_bytes(), name
        twin = path.with_name(path.name + ".gz")
        if name.endswith((".js", ".css")):
            assert gzip.decompress(twin.read_bytes()) == answered.data, name
    geometry = client.get(f"/geometry.topojson?v={key}")
    assert f"v={key}" in page
    topojson = tmp_path / GEOMETRY_DIR / f"{key}.topojson"
    assert topojson.read_bytes() == geometry.data
    assert gzip.decompress(topojson.with_name(topojson.name + ".gz").read_bytes()) == geometry.data


def test_exporting_twice_changes_nothing(served_settings, tmp_path):
    export_static(served_settings, tmp_path)
    first = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    export_static(served_settings, tmp_path)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == first
