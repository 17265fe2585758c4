"""/sources ("Sumber angka" / "Sources"): every published figure with its source and flags,
filterable by area; and the banner that leads to it from the top of every map page."""

import csv
import html
import re

import pytest

from geo_coverage import create_app
from geo_coverage.i18n import text
from geo_coverage.metrics import dataset
from geo_coverage.region import REGION_CODE
from geo_coverage.sources.evidence import NATIONAL_CODE

FIGURE_ROW = re.compile(r'<tr id="figure-(\d+)" data-kode="([^"]+)".*?</tr>', re.S)


@pytest.fixture(scope="module")
def client(served_settings):
    app = create_app(
        {"instance": served_settings.instance, "shapes": served_settings.shapes, "tiles": "none"}
    )
    return app.test_client()


@pytest.fixture(scope="module")
def shared(mirror_dir) -> list[dict]:
    """The shared file of published figures, as compiled."""
    with (mirror_dir / "published_figures.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _rows(page: str) -> list[tuple[str, str, str]]:
    """(line, kode, row html) of each listed figure."""
    return [(m.group(1), m.group(2), m.group(0)) for m in FIGURE_ROW.finditer(page)]


@pytest.mark.parametrize(("lang", "title"), [("id", "Sumber angka"), ("en", "Sources")])
def test_every_figure_is_listed_with_its_source_and_flags(client, shared, lang, title):
    resp = client.get("/sources" + ("?lang=en" if lang == "en" else ""))
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and f"<h1>{title}</h1>" in page
    rows = _rows(page)
    assert len(rows) == len(shared) == 217
    assert [kode for _, kode, _ in rows] == [r["kode"] for r in shared]
    assert text("sources.count", lang, count=217) in page
    for (_, _, row), figure in zip(rows, shared, strict=True):
        cells = html.unescape(row)
        assert f'data-qualifier="{figure["qualifier"]}"' in cells
        assert f'data-consistency="{figure["consistency"] or "unchecked"}"' in cells
        assert f'data-basis="{figure["basis"]}"' in cells
        source = re.search(r'<td class="source">(.*?)</td>', cells, re.S).group(1)
        assert re.sub(r"<[^>]+>", "", source).startswith(figure["source"]), figure["source"]
    linked = re.findall(r'<td class="source">.*?href="(https?://[^"]+)"', page, re.S)
    assert len(linked) >= 200  # sources are links to the articles
    flagged = page.count('data-consistency="conflicting"')
    assert flagged == sum(r["consistency"] == "conflicting" for r in shared) > 0


@pytest.mark.parametrize("kode", ["73", "73.71", "76", REGION_CODE, NATIONAL_CODE])
def test_the_area_filter_lists_an_area_and_the_areas_inside_it(client, shared, kode):
    page = client.get(f"/sources?kode={kode}").get_data(as_text=True)
    expected = [r["kode"] for r in shared if r["kode"] == kode or r["kode"].startswith(kode + ".")]
    assert [k for _, k, _ in _rows(page)] == expected
    assert re.search(rf'<option value="{re.escape(kode)}" selected>', page)
    if not expected:
        assert 'id="no-figures"' in page
    else:
        assert f"{len(expected)} dari 217 angka terbit" in page


def test_an_unknown_area_is_a_400_naming_the_parameter(client):
    resp = client.get("/sources?kode=99.99&lang=en")
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert "kode" in body and "99.99" in body
    assert client.get("/sources?lang=xx").status_code == 400


def test_the_language_switch_keeps_the_filter(client):
    page = client.get("/sources?kode=73").get_data(as_text=True)
    assert 'href="/sources?kode=73&amp;lang=en"' in page
    english = client.get("/sources?kode=73&lang=en").get_data(as_text=True)
    assert 'name="lang" value="en"' in english  # the filter form stays in English


def _modelled(settings, level: str, province: str | None = None) -> tuple[int, int]:
    """How many areas of the latest period are not published, and how many there are."""
    metrics = dataset.load_metrics(settings, level)
    if province:
        metrics = metrics[metrics["prov_kode"] == province]
    return int((metrics["data_source"] != "published").sum()), len(metrics)


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize(
    ("path", "query", "level", "province", "link"),
    [
        ("/", "", "regency", None, "/sources"),
        ("/", "province=73", "regency", "73", "/sources?kode=73"),
        ("/", "level=province", "province", None, "/sources"),
        ("/", "level=district&province=73", "district", "73", "/sources?kode=73"),
        ("/embed", "", "regency", None, "/sources"),
    ],
)
def test_the_banner_counts_the_modelled_areas_first_on_the_page(
    client, served_settings, lang, path, query, level, province, link
):
    query = "&".join(q for q in (query, "lang=en" if lang == "en" else "") if q)
    page = client.get(f"{path}?{query}").get_data(as_text=True)
    modelled, total = _modelled(served_settings, level, province)
    assert modelled > 0
    key = f"banner.modelled.{level}"
    banner = re.search(r'<p class="banner" id="banner">(.*?)</p>', page, re.S)
    assert banner, "no banner"
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", banner.group(1))).split())
    assert words.startswith(text(key, lang, modelled=modelled, total=total))
    target = link + ("&lang=en" if lang == "en" and "?" in link else "?lang=en" * (lang == "en"))
    assert f'href="{html.escape(target)}"' in banner.group(1)
    body = page[page.index("<body") :]
    first = body.index('id="banner"')
    for later in ('class="app"', 'class="embed-head"', 'id="map"', "<h1"):
        assert later not in body or body.index(later) > first, later
