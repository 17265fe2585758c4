"""The outreach priority is the same everywhere: the page's ranked list, the downloads (CSV,
GeoJSON, GeoPackage, Shapefile) and the OGC API carry one priority_score and the two ranks,
named so that a reader can tell them apart."""

import csv
import io
import json
import re
import sqlite3
import zipfile
from urllib.parse import parse_qsl

import pyogrio
import pytest
from map_pages import map_config

from geo_coverage import create_app
from geo_coverage.maps import image, image_layout
from geo_coverage.maps import view as map_view
from geo_coverage.maps.state import ImageSpec, parse_view
from geo_coverage.metrics import dataset
from geo_coverage.metrics.registry import FIELD

TOP = 10
PRIORITY = ("priority_score", "priority_rank_region", "priority_rank_province")


@pytest.fixture(scope="module")
def client(served_settings):
    app = create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes, "tiles": "none"}
    )
    return app.test_client()


def _csv_rows(client, query: str = "") -> list[dict]:
    """The rows of the regency CSV download."""
    resp = client.get("/download/regency.csv" + query)
    assert resp.status_code == 200
    return list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))


def _ranked(rows: list[dict], rank: str) -> list[dict]:
    """Rows with a rank, sorted by it."""
    return sorted((r for r in rows if r[rank]), key=lambda r: int(r[rank]))


def _page_top(view: dict, lang: str) -> list[tuple[str, int, str]]:
    """The page's ranked list: (kode, rank, score as shown) of its first TOP areas."""
    score_at = view["fields"].index(FIELD["priority_score"].label.get(lang))
    assert score_at in view["table_fields"]  # the score is a column of the priority table
    return [
        (kode, view["areas"][kode]["rank"], view["areas"][kode]["values"][score_at])
        for kode in view["ranked"][:TOP]
    ]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_region_wide_top_10_of_the_csv_is_the_pages_list(client, lang):
    view = map_config(client.get(f"/?lang={lang}").get_data(as_text=True))["data"]
    rows = _csv_rows(client)
    assert {r["period"] for r in rows} == {view["state"]["period"]}
    ranks = [int(r["priority_rank_region"]) for r in rows if r["priority_rank_region"]]
    assert sorted(ranks) == list(range(1, len(ranks) + 1))  # one rank 1, not one per province
    top = _ranked(rows, "priority_rank_region")[:TOP]
    score = FIELD["priority_score"]
    expected = [
        (r["kode"], int(r["priority_rank_region"]), score.format(float(r["priority_score"]), lang))
        for r in top
    ]
    assert _page_top(view, lang) == expected
    scores = [float(r["priority_score"]) for r in top]
    assert scores == sorted(scores, reverse=True)
    assert [p["kode"] for p in view["priorities"]] == [k for k, _, _ in expected]


def test_a_provinces_list_is_its_csv_rank_in_the_province(client):
    view = map_config(client.get("/?province=73").get_data(as_text=True))["data"]
    rows = [r for r in _csv_rows(client) if r["prov_kode"] == "73"]
    ranked = _ranked(rows, "priority_rank_province")
    assert [int(r["priority_rank_province"]) for r in ranked] == list(range(1, len(rows) + 1))
    assert view["ranked"] == [r["kode"] for r in ranked]
    assert [view["areas"][r["kode"]]["rank"] for r in ranked] == list(range(1, len(rows) + 1))
    # the rank in the province is the region's order restricted to the province
    region_order = [r["kode"] for r in ranked]
    assert region_order == [
        r["kode"] for r in sorted(rows, key=lambda r: int(r["priority_rank_region"]))
    ]


def test_the_page_explains_the_score_and_says_which_rank_it_shows(client):
    page = client.get("/").get_data(as_text=True)
    view = map_config(page)["data"]
    assert 'id="priority-how"' in page and "skor = pekerja informal (BPU)" in page
    assert view["rank_rule"].startswith("# = peringkat se-wilayah")
    drilled = map_config(client.get("/?province=73&lang=en").get_data(as_text=True))["data"]
    assert drilled["rank_rule"].startswith("# = rank in Sulawesi Selatan")
    labels = drilled["fields"]
    for key in PRIORITY:  # the score and both ranks, each under its own name
        assert FIELD[key].label.get("en") in labels, key
    for key in ("uncovered_informal", "informal_coverage_pct", "target_shortfall_pct"):
        assert labels.index(FIELD[key].label.get("en")) in drilled["table_fields"], key


def test_a_first_ranked_area_at_its_target_is_explained(client, served_settings):
    """Wherever the first-ranked area has no shortfall, the page says why it is first."""
    checked = 0
    for period in dataset.periods(served_settings):
        rows = _csv_rows(client, f"?period={period}")
        for province in sorted({r["prov_kode"] for r in rows}):
            inside = [r for r in rows if r["prov_kode"] == province]
            first = _ranked(inside, "priority_rank_province")[:1]
            if not first or float(first[0]["target_shortfall_pct"] or 1) > 0:
                continue
            page = client.get(f"/?period={period}&province={province}").get_data(as_text=True)
            view = map_config(page)["data"]
            assert view["priority_why"] and first[0]["nama"] in view["priority_why"]
            checked += 1
    assert checked > 0  # the sample has such a case (data/README.md names one)


def test_every_download_and_the_ogc_api_carry_the_same_priority(client, tmp_path):
    rows = {r["kode"]: r for r in _csv_rows(client)}

    def same(kode: str, score, region, province) -> None:
        row = rows[kode]
        assert float(score) == pytest.approx(float(row["priority_score"])), kode
        assert int(region) == int(row["priority_rank_region"]), kode
        assert int(province) == int(row["priority_rank_province"]), kode

    geojson = client.get("/download/regency.geojson").json
    for feature in geojson["features"]:
        same(feature["id"], *(feature["properties"][k] for k in PRIORITY))
    (tmp_path / "r.gpkg").write_bytes(client.get("/download/regency.gpkg").data)
    gpkg = pyogrio.read_dataframe(tmp_path / "r.gpkg", layer="regencies", read_geometry=False)
    with sqlite3.connect(tmp_path / "r.gpkg") as db:  # each column labelled and described
        described = dict(
            db.execute("SELECT column_name, name || ': ' || description FROM gpkg_data_columns")
        )
    for key in PRIORITY:
        en = FIELD[key]
        assert described[key] == f"{en.label.get('en')}: {en.description.get('en')}", key
    (tmp_path / "r.zip").write_bytes(client.get("/download/regency.shp.zip").data)
    shp = pyogrio.read_dataframe(f"/vsizip/{tmp_path / 'r.zip'}", read_geometry=False)
    short = [FIELD[k].shapefile for k in PRIORITY]
    assert short == ["prio_score", "prio_reg", "prio_prov"]
    for frame, names in ((gpkg, list(PRIORITY)), (shp, short)):
        assert len(frame) == len(rows)
        for record in frame.to_dict("records"):
            same(record["kode"], *(record[n] for n in names))
    with zipfile.ZipFile(tmp_path / "r.zip") as archive:  # says which short name is which
        readme = archive.read("README.txt").decode()
    for key, name in zip(PRIORITY, short, strict=True):
        described = f"{key}: {FIELD[key].description.get('en')}"
        assert re.search(rf"\b{name} +{re.escape(described)}", readme), key
    items = client.get("/ogc/collections/regencies/items?limit=200").json
    assert len(items["features"]) == len(rows)
    for feature in items["features"]:
        same(feature["properties"]["kode"], *(feature["properties"][k] for k in PRIORITY))
    schema = client.get("/ogc/api").json["components"]["schemas"]
    described = json.dumps(schema, ensure_ascii=False)
    for key in PRIORITY:
        assert FIELD[key].description.get("en") in described, key


@pytest.mark.parametrize("query", ["", "?province=71&period=2024-12&lang=en"])
def test_the_png_lists_the_pages_priorities_with_their_scores(client, served_settings, query):
    """The image's list (drawn right of the map) is the page's top of the ranked list, with
    the score as shown, which rank it is, and why a first at its target is first."""
    view = map_config(client.get("/" + query).get_data(as_text=True))["data"]
    args = dict(parse_qsl(query.lstrip("?")))
    state = parse_view(args, dataset.periods(served_settings), served_settings.region.provinces)
    shown = map_view.load_view(served_settings, state)
    drawing = image.draw(shown, served_settings, "source", ImageSpec("png"))
    texts = [t.get_text() for t in drawing.writer.artists]
    drawn = " ".join(" ".join(texts).split())
    lang = view["lang"]
    keyed = {row.rank: row for row in image_layout.key_rows(shown)}
    for kode, rank, score in _page_top(view, lang):
        name = map_view.short_name(view["areas"][kode]["name"])
        assert (keyed[rank].words, keyed[rank].value) == (name, score)
        assert str(rank) in texts and score in texts
        assert any(name in " ".join(t.split()) or t in name for t in texts), name
    assert view["rank_rule"].split(",")[0] in drawn
    if view["priority_why"]:
        assert drawn.count(view["priority_why"]) == 1
    above_map = [
        t.get_text() for t in drawing.writer.artists if t.get_position()[1] > drawing.map_box[3]
    ]
    assert view["banner"] in " ".join(" ".join(above_map).split())  # at the top, with the title
