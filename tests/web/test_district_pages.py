"""The district level on the map routes: page, per-view JSON, PNG and the note that districts
carry their regency's figures."""

import html
import io
import re

import pytest
from map_pages import map_config
from matplotlib.image import imread

from geo_coverage import create_app
from geo_coverage.i18n import text
from geo_coverage.metrics import dataset


@pytest.fixture(scope="module")
def client(served_settings):
    app = create_app(
        {
            "instance": served_settings.instance,
            "shapes": served_settings.shapes,
            "mirror": served_settings.mirror,
            "tiles": "none",
        }
    )
    return app.test_client()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_provinces_districts_are_drawn_with_the_note_saying_whose_figures(client, lang):
    resp = client.get(f"/?level=district&province=73&lang={lang}")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    data = map_config(page)["data"]
    assert (data["level"], data["layer"], data["province"]) == ("district", "districts", "73")
    assert len(data["areas"]) == 313 and all(k.startswith("73.") for k in data["areas"])
    note = text("district_note", lang)
    assert data["figures_note"] == note
    shown = re.search(r'<p class="figures-note" id="figures-note" role="note">([^<]*)</p>', page)
    assert shown and html.unescape(shown.group(1)) == note
    assert data["priorities"] == []  # districts are not ranked
    assert data["rank_rule"] == text("priority_rank_rule.district_none", lang)
    assert data["queries"]["provinces"]["74"].count("level=district") == 1


def test_regency_views_carry_no_note_and_link_to_their_districts(client):
    data = client.get("/api/map-data?province=73").json
    assert data["figures_note"] is None and data["level"] == "regency"
    assert data["queries"]["districts"].startswith("level=district&province=73")
    districts = client.get("/api/map-data?" + data["queries"]["districts"]).json
    assert districts["level"] == "district" and len(districts["areas"]) == 313


def test_a_district_shows_its_regencys_coverage(client, served_settings):
    data = client.get("/api/map-data?level=district&province=73").json
    regency = dataset.load_metrics(served_settings, "regency").set_index("kode")
    value = regency.loc["73.71", "coverage_pct"]
    makassar = [a for k, a in data["areas"].items() if k.startswith("73.71.")]
    assert len(makassar) == 15
    assert {a["fill"] for a in makassar} == {data["areas"]["73.71.01"]["fill"]}
    assert all(a["table"][0][1] == value for a in makassar)


def test_counts_are_not_mapped_for_districts_and_the_legend_says_why(client):
    data = client.get("/api/map-data?level=district&province=73&metric=gap&lang=en").json
    assert all(a["fill"] is None for a in data["areas"].values())
    assert data["legend"]["nodata_reason"] == text("nodata.district_counts", "en")


def test_region_wide_districts_and_the_png(client):
    data = client.get("/api/map-data?level=district").json
    assert len(data["areas"]) == 1265 and data["figures_note"]
    resp = client.get("/map.png?level=district&province=73")
    assert resp.status_code == 200 and resp.mimetype == "image/png"
    image = imread(io.BytesIO(resp.data))
    assert image.shape[0] > 100 and image.shape[1] > 100


def test_the_embed_of_a_provinces_districts_says_whose_figures(client):
    page = client.get("/embed?level=district&province=76").get_data(as_text=True)
    data = map_config(page)["data"]
    assert data["level"] == "district" and len(data["areas"]) == 69
    assert all(k.startswith("76.") for k in data["areas"])
    assert 'id="figures-note"' in page and "/download/district.csv" in data["data_link"]
