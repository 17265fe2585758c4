"""The map images on the real data: legible on a 960×540 slide at every size, nothing cut off,
the legend and key beside the map, markers apart and no area hidden, the banner on top, a data
date and no version tag; the same page as PNG, SVG and PDF."""

import io
import math
import re

import numpy as np
import pypdfium2
import pytest
import shapely
from matplotlib.image import imread
from PIL import Image
from shapely.geometry import Point, box

from geo_coverage.i18n import format_date
from geo_coverage.maps import image
from geo_coverage.maps import view as map_view
from geo_coverage.maps.image_text import MIN_SLIDE_PX, SLIDE
from geo_coverage.maps.state import IMAGE_SIZES, ImageSpec, parse_view
from geo_coverage.metrics import dataset

VISIBLE = 0.5  # no more than half of an area under markers
VIEWS = {
    "region": {},
    "province-en": {"province": "73", "metric": "uncovered_informal", "lang": "en"},
    "provinces-change": {"level": "province", "metric": "change"},
    "gap-7-classes": {"metric": "gap", "k": "7", "lang": "en", "outline": "target"},
}


def _view(settings, query: dict):
    """The view model of a query on the real data."""
    return map_view.load_view(
        settings, parse_view(query, dataset.periods(settings), settings.region.provinces)
    )


def _draw(settings, query: dict, size: str = "16:9"):
    """A drawn page and its view."""
    view = _view(settings, query)
    source = map_view.source_line(settings, view.state.lang)
    return image.draw(view, settings, source, ImageSpec("png", size)), view


def _extents(drawing):
    """Every text's extent on the page in pixels, with the text."""
    renderer = drawing.fig.canvas.get_renderer()
    return [(a.get_text(), a.get_window_extent(renderer)) for a in drawing.writer.artists]


@pytest.fixture(
    scope="module",
    params=[(v, s) for v in VIEWS for s in IMAGE_SIZES],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def drawn(request, served_settings):
    """Each view at each size."""
    name, size = request.param
    drawing, view = _draw(served_settings, VIEWS[name], size)
    return drawing, view, size


def test_every_text_is_legible_on_a_960x540_slide_and_inside_the_page(drawn):
    drawing, _view, size = drawn
    fig = drawing.fig
    width, height = fig.canvas.get_width_height()
    assert (width, height) == (IMAGE_SIZES[size].width, IMAGE_SIZES[size].height)
    every = {*fig.texts, *(t for ax in fig.axes for t in ax.texts)}
    assert every == set(drawing.writer.artists), "a text is drawn that the test does not see"
    on_slide = min(SLIDE[0] / width, SLIDE[1] / height)
    for words, extent in _extents(drawing):
        assert extent.height * on_slide >= MIN_SLIDE_PX, (words, extent.height * on_slide)
        assert extent.x0 >= 0 and extent.y0 >= 0, words
        assert extent.x1 <= width and extent.y1 <= height, f"cut off: {words}"


def test_the_legend_and_key_are_beside_the_map_and_no_text_covers_another(drawn):
    drawing, _view, _size = drawn
    dpi = drawing.fig.dpi
    west, south, east, north = (v * dpi for v in drawing.map_box)
    marker_digits = {id(t) for ax in drawing.fig.axes for t in ax.texts}
    page_texts = [
        (words, extent)
        for (words, extent), artist in zip(_extents(drawing), drawing.writer.artists, strict=True)
        if id(artist) not in marker_digits
    ]
    for words, extent in page_texts:
        text_box = box(extent.x0, extent.y0, extent.x1, extent.y1)
        assert not text_box.intersects(box(west, south, east, north).buffer(-1)), words
    for i, (words, extent) in enumerate(page_texts):
        for other, other_extent in page_texts[i + 1 :]:
            assert not extent.overlaps(other_extent), (words, other)


def test_markers_are_apart_leaders_end_in_their_areas_and_no_area_is_hidden(drawn):
    drawing, view, _size = drawn
    radius = drawing.marker_radius
    markers = drawing.markers
    assert len(markers) == len(view.priorities)
    west, south, east, north = drawing.map_box
    for i, ((_rank, kode, _lon, _lat), marker) in enumerate(
        zip(view.priorities, markers, strict=True)
    ):
        assert west + radius <= marker.x + 1e-6 and marker.x - 1e-6 <= east - radius
        assert south + radius <= marker.y + 1e-6 and marker.y - 1e-6 <= north - radius
        for other in markers[i + 1 :]:
            assert math.hypot(marker.x - other.x, marker.y - other.y) >= 2 * radius
        area = drawing.areas[kode]
        if marker.moved:
            start, _end = marker.leader(radius)
            assert area.covers(Point(start)), f"the leader of {kode} ends outside it"
        else:
            assert area.covers(Point(marker.x, marker.y)), f"{kode}'s marker is off its area"
    discs = shapely.union_all([Point(m.x, m.y).buffer(radius, quad_segs=32) for m in markers])
    for kode, area in drawing.areas.items():
        hidden = area.intersection(discs).area / area.area
        assert hidden <= VISIBLE + 0.02, f"{kode} is {hidden:.0%} under markers"


def test_the_key_names_every_priority_with_its_rank_and_score(drawn):
    drawing, view, _size = drawn
    words = " ".join(t for t, _ in _extents(drawing))
    by_kode = {a.kode: a for a in view.areas}
    ranks = [t for t, _ in _extents(drawing)]
    score_at = view.field_keys.index("priority_score") if view.priorities else None
    for rank, kode, _lon, _lat in view.priorities:
        area = by_kode[kode]
        assert ranks.count(str(rank)) == 2  # on the map and in the key
        assert " ".join(map_view.short_name(area.nama).split()) in words
        assert area.cells[score_at] in words  # the score, as the page's ranked list shows it
    if view.priorities:
        assert " ".join(view.rank_rule.split()) in " ".join(words.split())  # which rank it is
    for entry in view.legend:
        assert f"{entry.label} ({entry.count})" in words


def test_title_and_banner_on_top_source_line_with_the_data_date_at_the_bottom(
    drawn, served_settings
):
    drawing, view, _size = drawn
    extents = _extents(drawing)
    dpi = drawing.fig.dpi
    map_top, map_bottom = drawing.map_box[3] * dpi, drawing.map_box[1] * dpi
    assert view.banner is not None  # the sample's figures are modelled
    top_lines = " ".join(t for t, e in extents if e.y0 >= map_top)
    assert top_lines == " ".join(f"{view.title} {view.banner}".split())
    bottom = " ".join(t for t, e in extents if e.y1 <= map_bottom)
    day = format_date(dataset.data_date(served_settings), view.state.lang)
    assert day in bottom and "cahyadsn/wilayah_boundaries" in bottom
    everything = " ".join(t for t, _ in extents)
    version = dataset.data_version(served_settings)
    assert version not in everything and version[:8] not in everything
    assert not re.search(r"\b[0-9a-f]{8,}\b", everything), "a hash-like tag is shown"


def test_names_with_markup_and_dollars_are_drawn_as_written(hostile_settings):
    drawing, view = _draw(hostile_settings, {"province": "73"})
    texts = " ".join(t for t, _ in _extents(drawing))
    assert "$x^{$" in view.title and "$x^{$" in texts  # no mathtext
    assert "<img" in texts  # matplotlib draws text, it runs nothing


@pytest.mark.slow
def test_png_svg_and_pdf_are_the_same_page(served_settings):
    view = _view(served_settings, {})
    source = map_view.source_line(served_settings, "id")
    png = image.render(view, served_settings, source, ImageSpec("png", "16:9", 2))
    assert imread(io.BytesIO(png)).shape[:2] == (2160, 3840)
    svg = image.render(view, served_settings, source, ImageSpec("svg", "16:9")).decode()
    assert re.search(r'<svg[^>]* width="960pt" height="540pt"', svg)
    assert "<dc:title>" in svg and "http://" not in svg.split("<defs>", 1)[1]
    pdf = image.render(view, served_settings, source, ImageSpec("pdf", "a4"))
    assert pdf.startswith(b"%PDF")
    media = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    width_mm, height_mm = (float(v) / 72 * 25.4 for v in media.groups())
    assert abs(width_mm - 297) < 0.5 and abs(height_mm - 210) < 0.5
    again = image.render(view, served_settings, source, ImageSpec("pdf", "a4"))
    assert again == pdf  # no creation date: the same view gives the same bytes


def _blocks(image: Image.Image) -> np.ndarray:
    """An image as 160×90 block averages, 0 to 1: what the eye sees of a page, without the
    anti-aliasing that differs between renderers."""
    return np.asarray(image.convert("RGB").resize((160, 90), Image.BOX), dtype=float) / 255


@pytest.mark.slow
def test_the_pdf_opens_in_pdfium_with_searchable_text_and_draws_the_png(served_settings):
    view = _view(served_settings, {"metric": "gap", "lang": "en"})
    source = map_view.source_line(served_settings, "en")
    pdf = pypdfium2.PdfDocument(image.render(view, served_settings, source, ImageSpec("pdf")))
    assert len(pdf) == 1 and pdf[0].get_size() == (960, 540)  # 13.33 × 7.5 in
    words = " ".join(pdf[0].get_textpage().get_text_range().split())
    for line in (view.title, view.banner, view.legend_title, *(e.label for e in view.legend)):
        assert " ".join(line.split()) in words, line
    assert "cahyadsn/wilayah_boundaries" in words
    drawn = pdf[0].render(scale=2).to_pil()  # 144 dpi: the PNG's pixels
    png = Image.open(io.BytesIO(image.render(view, served_settings, source, ImageSpec("png"))))
    assert drawn.size == png.size == (1920, 1080)
    assert np.abs(_blocks(drawn) - _blocks(png)).mean() < 0.02
