"""Getting the pinned public data: from a mirror, or over HTTP from an upstream-like server."""

import functools
import http.server
import re
import shutil
import threading

import pytest

from geo_coverage.config import Settings
from geo_coverage.errors import SourceError
from geo_coverage.region import INDONESIA, SULAWESI_MALUKU, parse_region
from geo_coverage.sources.pinned import fetch_all, pinned_files, region_files, sha256_of

NO_MIRROR = {"GEO_COVERAGE_MIRROR": "none"}


def _copy_mirror(mirror_dir, target):
    for pin in region_files(SULAWESI_MALUKU):
        dest = target / pin.dataset / pin.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_dir / pin.dataset / pin.path, dest)
    return target


def test_mirror_files_are_verified(mirror_dir, tmp_path):
    paths = fetch_all(
        Settings.from_env(environ={}, mirror=mirror_dir, instance=tmp_path),
        progress=lambda _m: None,
    )
    assert len(paths) == len(region_files(SULAWESI_MALUKU)) == 21
    assert all(
        sha256_of(p) == pin.sha256
        for pin in pinned_files()
        for k, p in paths.items()
        if k == pin.key
    )


def test_every_file_of_the_mirror_is_pinned_with_the_provinces_it_holds(mirror_dir):
    pins = {pin.key: pin for pin in pinned_files()}
    for dataset in ("wilayah_boundaries", "wilayah"):
        manifest = (mirror_dir / dataset / "MANIFEST.tsv").read_text(encoding="utf-8")
        for line in manifest.splitlines():
            path, sha, size = line.split("\t") if not line.startswith("#") else (None,) * 3
            if path is None or path.endswith("ddl_wilayah_boundaries.sql"):
                continue  # the table definition: no build reads it
            pin = pins.pop(f"{dataset}/{path}")
            assert (pin.sha256, pin.size) == (sha, int(size))
            text = (mirror_dir / dataset / path).read_text(encoding="utf-8")
            held = {c[:2] for c in re.findall(r"\('(\d\d(?:\.\d\d)*)',", text)}
            assert set(pin.provinces) == (held if dataset == "wilayah_boundaries" else set())
    assert not pins
    assert len(region_files(INDONESIA)) == len(pinned_files()) == 86


def test_a_region_reads_only_its_files():
    files = [pin.path.rsplit("/", 1)[1] for pin in region_files(parse_region("75,82"))]
    assert files == [
        "wilayah_boundaries_kab_75.sql",
        "wilayah_boundaries_kab_82.sql",
        "wilayah_boundaries_kec_75.sql",
        "wilayah_boundaries_kec_82.sql",
        "wilayah_boundaries_prov_6.sql",
        "wilayah_boundaries_prov_7.sql",
        "wilayah_luas.sql",
        "wilayah_penduduk.sql",
    ]


def test_tampered_and_missing_mirror_files_are_all_named(mirror_dir, tmp_path):
    mirror = _copy_mirror(mirror_dir, tmp_path / "mirror")
    tampered = mirror / "wilayah_boundaries/db/kab/wilayah_boundaries_kab_73.sql"
    data = bytearray(tampered.read_bytes())
    data[-10] ^= 1
    tampered.write_bytes(bytes(data))
    (mirror / "wilayah/db/wilayah_luas.sql").unlink()
    with pytest.raises(SourceError) as err:
        fetch_all(
            Settings.from_env(environ={}, mirror=mirror, instance=tmp_path / "i"),
            progress=lambda _m: None,
        )
    message = str(err.value)
    assert "wilayah_boundaries_kab_73.sql: sha256" in message
    assert "does not match the pinned" in message
    assert "wilayah_luas.sql: missing" in message


@pytest.fixture
def upstream(mirror_dir, tmp_path):
    """A local HTTP server laid out like raw.githubusercontent.com at the pinned commits."""
    root = tmp_path / "upstream"
    for pin in region_files(SULAWESI_MALUKU):
        dest = root / pin.repository / pin.commit / pin.path
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(mirror_dir / pin.dataset / pin.path, dest)
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_download_verifies_and_caches(upstream, tmp_path):
    _, url = upstream
    settings = Settings.from_env(environ=NO_MIRROR, upstream=url, instance=tmp_path / "inst")
    messages = []
    paths = fetch_all(settings, progress=messages.append)
    assert sum("downloading" in m for m in messages) == 21
    assert all(p.is_relative_to(settings.download_cache) for p in paths.values())
    messages.clear()
    fetch_all(settings, progress=messages.append)
    assert not any("downloading" in m for m in messages)


def test_download_of_altered_file_is_refused_and_not_saved(upstream, tmp_path):
    root, url = upstream
    pin = region_files(SULAWESI_MALUKU)[0]
    (root / pin.repository / pin.commit / pin.path).write_text("altered", encoding="utf-8")
    settings = Settings.from_env(environ=NO_MIRROR, upstream=url, instance=tmp_path / "inst")
    with pytest.raises(SourceError, match="does not match the pinned") as err:
        fetch_all(settings, progress=lambda _m: None)
    assert pin.key in str(err.value)
    assert not (settings.download_cache / pin.dataset / pin.commit / pin.path).exists()


def test_no_network_says_which_file_and_what_to_do(tmp_path):
    settings = Settings.from_env(
        environ=NO_MIRROR, upstream="http://127.0.0.1:9", instance=tmp_path / "inst"
    )
    with pytest.raises(SourceError) as err:
        fetch_all(settings, progress=lambda _m: None)
    message = str(err.value)
    assert f"could not download {region_files(SULAWESI_MALUKU)[0].key}" in message
    assert "--mirror DIR" in message and "GEO_COVERAGE_MIRROR" in message


def test_mirror_none_means_download(mirror_dir):
    assert Settings.from_env(environ=NO_MIRROR).mirror is None
    assert Settings.from_env(environ={"GEO_COVERAGE_MIRROR": str(mirror_dir)}).mirror == mirror_dir
