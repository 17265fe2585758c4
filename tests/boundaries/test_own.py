"""`build --boundaries`: an office's own file goes through the same repair and checks."""

import pyogrio
import pytest

from geo_coverage.boundaries.build import build_key, build_shapes
from geo_coverage.boundaries.own import OwnBoundaries, normalise_code
from geo_coverage.boundaries.review import load_review
from geo_coverage.errors import BuildError
from geo_coverage.gis.exports import Metadata
from geo_coverage.maps.view import source_line
from geo_coverage.region import SULAWESI_MALUKU


@pytest.fixture(scope="module")
def office_file(built_settings, tmp_path_factory):
    """The built regencies as an office might hold them: BPS-style codes, metres, own fields."""
    df = pyogrio.read_dataframe(built_settings.shapes / "regencies.shp")
    df = df.rename(columns={"kode": "KODE_KAB", "nama": "NAMA_KAB"})[
        ["KODE_KAB", "NAMA_KAB", "geometry"]
    ]
    df["KODE_KAB"] = df.KODE_KAB.str.replace(".", "", regex=False)
    df = df.to_crs("EPSG:3857")
    path = tmp_path_factory.mktemp("office") / "kabupaten.gpkg"
    pyogrio.write_dataframe(df, path, driver="GPKG")
    return path, df


def _settings(built_settings, tmp_path):
    return built_settings.with_(shapes=tmp_path / "shapes", instance=tmp_path / "instance")


def test_normalise_code():
    assert normalise_code("7371") == "73.71"
    assert normalise_code(73.0) == "73"
    assert normalise_code(" 73.71 ") == "73.71"
    assert normalise_code("737101") == "73.71.01"


@pytest.mark.slow
def test_own_regencies_build(built_settings, served_settings, office_file, tmp_path):
    path, _ = office_file
    own = OwnBoundaries(path, "KODE_KAB", "NAMA_KAB", "regency")
    outcome = build_shapes(_settings(built_settings, tmp_path), own=own, progress=lambda _m: None)
    assert outcome.rebuilt
    report = outcome.report
    assert report["source"]["own_boundaries"]["file"] == str(path)
    assert all(c["passed"] for c in report["checks"])
    normalised = [
        r for r in report["layers"]["regency"]["repairs"] if r["repair"] == "code_normalised"
    ]
    assert (
        len(normalised) == 102
        and {"from": "7371", "kode": "73.71"}.items()
        <= {k: v for r in normalised if r["kode"] == "73.71" for k, v in r.items()}.items()
    )
    regencies = pyogrio.read_dataframe(tmp_path / "shapes" / "regencies.shp")
    assert len(regencies) == 102 and "73.71" in set(regencies.kode)
    _credits_the_own_file(served_settings.with_(shapes=tmp_path / "shapes"), report)


def _credits_the_own_file(settings, report):
    """Downloads and maps of shapes built from an own regency file credit that file, not the
    public boundaries; the districts (still public) keep the public credit."""
    for level in ("regency", "province", "district"):
        rows = Metadata("f", "t", level, "p", "all", "g", "v", "k", report).rows()
        sources = [value for key, value in rows if key == "source"]
        licence = dict(rows)["licence"]
        public = [line for line in sources if line.startswith("Boundaries: wilayah_boundaries")]
        if level == "district":
            assert public and "wilayah_boundaries" in licence
            continue
        assert any("own file kabupaten.gpkg" in line for line in sources), sources
        assert not public and "wilayah_boundaries" not in licence
        assert report["source"]["own_boundaries"]["file"] not in repr(rows)  # no server path
    for lang in ("id", "en"):
        line = source_line(settings, lang)
        assert "kabupaten.gpkg" in line and "wilayah_boundaries" not in line, line


def test_unknown_and_missing_codes_are_all_reported(built_settings, office_file, tmp_path):
    _, df = office_file
    df = df.copy()
    df.loc[0, "KODE_KAB"] = "9999"
    df.loc[1, "KODE_KAB"] = "73"
    path = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(df, path, driver="GPKG")
    own = OwnBoundaries(path, "KODE_KAB", "NAMA_KAB", "regency")
    settings = _settings(built_settings, tmp_path)
    with pytest.raises(BuildError) as err:
        build_shapes(settings, own=own, progress=lambda _m: None)
    problems = err.value.problems
    assert any(
        "feature 1, field KODE_KAB: '99.99' is not a Kemendagri regency code" in p for p in problems
    )
    assert any("feature 2" in p and "a province code, not a regency code" in p for p in problems)
    assert any("2 regency codes of the region are not in the file" in p for p in problems)
    assert not (settings.shapes / "regencies.shp").exists()


def test_missing_field_lists_the_fields(built_settings, office_file, tmp_path):
    path, _ = office_file
    own = OwnBoundaries(path, "KODE", "NAMA_KAB", "regency")
    with pytest.raises(BuildError, match=r"no field 'KODE' \(fields: KODE_KAB, NAMA_KAB\)"):
        build_shapes(_settings(built_settings, tmp_path), own=own, progress=lambda _m: None)


def test_missing_file_is_named(built_settings, tmp_path):
    own = OwnBoundaries(tmp_path / "nope.shp", "KODE_KAB", "NAMA_KAB", "regency")
    with pytest.raises(BuildError, match=r"nope\.shp: no such file"):
        build_shapes(_settings(built_settings, tmp_path), own=own, progress=lambda _m: None)


def test_a_changed_sidecar_changes_the_build_key(office_file, tmp_path):
    _, df = office_file
    path = tmp_path / "kab.shp"
    pyogrio.write_dataframe(df, path)
    own = OwnBoundaries(path, "KODE_KAB", "NAMA_KAB", "regency")
    before = build_key(SULAWESI_MALUKU, own, load_review())
    renamed = df.copy()
    renamed.loc[0, "NAMA_KAB"] = "Nama baru"
    pyogrio.write_dataframe(renamed, tmp_path / "other.shp")
    (tmp_path / "kab.dbf").write_bytes((tmp_path / "other.dbf").read_bytes())
    assert build_key(SULAWESI_MALUKU, own, load_review()) != before
