"""Imported district figures in every output: the district CSV and GeoJSON downloads, the OGC
`districts` collection and the map's district view say which districts have figures of their
own (figure_level 'district', with counts) and which carry their regency's rates."""

import csv
import io
import shutil

import pytest

from geo_coverage import create_app
from geo_coverage.config import Settings
from geo_coverage.enrollment.backend import open_store
from geo_coverage.enrollment.importer import import_file
from geo_coverage.i18n import text
from geo_coverage.metrics import dataset

SEGMENTS = ("wage", "informal", "construction", "migrant")
HEADER = "kode,period,segment,potential_workers,active_members,source"


@pytest.fixture(scope="module")
def imported(served_settings, tmp_path_factory) -> tuple[Settings, dict]:
    """A copy of the session store with every segment of the latest period imported for each
    district of Kota Makassar (73.71), the districts' codes taken from the built layer;
    returns the settings and the imported rows by district (potential, members summed)."""
    root = tmp_path_factory.mktemp("district-figures")
    shutil.copytree(served_settings.instance, root / "instance")
    settings = served_settings.with_(instance=root / "instance")
    areas = open_store(settings).read_areas()
    codes = sorted(areas.loc[areas["kode"].str.startswith("73.71."), "kode"])
    period = dataset.periods(settings)[-1]
    lines, sums = [HEADER], {}
    for i, kode in enumerate(codes):
        for j, segment in enumerate(SEGMENTS):
            potential = 0 if j > 1 else 20_000 + 311 * i + 17 * j
            members = 4_000 + 59 * i + 13 * j
            shown = "" if j > 1 else str(potential)
            lines.append(f"{kode},{period},{segment},{shown},{members},kacab makassar")
            p, m = sums.get(kode, (0, 0))
            sums[kode] = (p + potential, m + members)
    path = root / "kecamatan_makassar.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(settings, path)
    return settings, {"period": period, "sums": sums}


@pytest.fixture(scope="module")
def client(imported):
    settings, _ = imported
    app = create_app({"instance": settings.instance, "shapes": settings.shapes, "tiles": "none"})
    return app.test_client()


def _csv(resp) -> list[dict]:
    """The rows of a CSV download (UTF-8 with a BOM)."""
    return list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))


def test_the_district_csv_gives_imported_districts_their_own_figures(client, imported):
    _, found = imported
    resp = client.get("/download/district.csv")
    assert resp.status_code == 200
    rows = {r["kode"]: r for r in _csv(resp)}
    assert len(rows) == 1265
    for kode, (potential, members) in found["sums"].items():
        row = rows[kode]
        assert row["figure_level"] == "district" and row["period"] == found["period"]
        assert (int(row["potential_workers"]), int(row["active_members"])) == (potential, members)
        assert row["data_source"] == "published"
    carried = rows["73.72.01"]
    assert carried["figure_level"] == "regency" and carried["active_members"] == ""
    regencies = {r["kode"]: r for r in _csv(client.get("/download/regency.csv"))}
    makassar = regencies["73.71"]
    assert int(makassar["potential_workers"]) == sum(p for p, _ in found["sums"].values())
    assert int(makassar["active_members"]) == sum(m for _, m in found["sums"].values())
    assert makassar["figure_level"] == "regency" and makassar["data_source"] == "published"


def test_the_district_geojson_says_the_same(client, imported):
    _, found = imported
    features = {
        f["properties"]["kode"]: f["properties"]
        for f in client.get("/download/district.geojson?simplified=1").json["features"]
    }
    potential, members = found["sums"]["73.71.15"]
    own = features["73.71.15"]
    assert (own["figure_level"], own["potential_workers"], own["active_members"]) == (
        "district",
        potential,
        members,
    )
    assert features["73.72.01"]["figure_level"] == "regency"


def test_ogc_district_items_carry_their_own_figures_or_their_regencys(client, imported):
    _, found = imported
    own = client.get("/ogc/collections/districts/items/73.71.01").json["properties"]
    potential, members = found["sums"]["73.71.01"]
    assert (own["figure_level"], own["potential_workers"], own["active_members"]) == (
        "district",
        potential,
        members,
    )
    assert own["coverage_pct"] == round(100 * members / potential, 2)
    assert own["priority_rank_province"] is not None
    carried = client.get("/ogc/collections/districts/items/73.72.01").json["properties"]
    regency = client.get("/ogc/collections/regencies/items/73.72").json["properties"]
    assert carried["figure_level"] == "regency" and carried["active_members"] is None
    assert carried["coverage_pct"] == regency["coverage_pct"]
    listed = client.get(
        "/ogc/collections/districts/items?figure_level=district&limit=100&skipGeometry=true"
    ).json
    assert sorted(f["id"] for f in listed["features"]) == sorted(found["sums"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_district_view_says_whose_figures_each_district_shows(client, lang):
    data = client.get(f"/api/map-data?level=district&province=73&lang={lang}").json
    assert data["figures_note"] == text("district_note.partial", lang, own=15, total=313)
    areas = data["areas"]
    assert areas["73.71.01"]["figures_of"] == text("figures_of.district", lang)
    assert areas["73.72.01"]["figures_of"] == text("figures_of.regency", lang)
    others = client.get(f"/api/map-data?level=district&province=74&lang={lang}").json
    assert others["figures_note"] == text("district_note", lang)


def test_districts_with_figures_of_their_own_are_ranked_among_themselves(client):
    data = client.get("/api/map-data?level=district&province=73&lang=en").json
    assert data["rank_rule"] == text(
        "priority_rank_rule.district_province", "en", province="Sulawesi Selatan", count=15
    )
    assert [p["rank"] for p in data["priorities"]] == list(range(1, 11))
    assert all(p["kode"].startswith("73.71.") for p in data["priorities"])
    region = client.get("/api/map-data?level=district").json
    assert region["rank_rule"] == text("priority_rank_rule.district_region", "id", count=15)
