"""The small map of an upload's change: classes of points, colours, every regency drawn."""

from __future__ import annotations

import re

from geo_coverage.maps.change_map import (
    NEW,
    UNCHANGED,
    UNTOUCHED,
    change_colors,
    change_svg,
    color_of,
    legend,
)


def test_each_change_falls_in_its_class():
    red2, red1, red0, blue0, blue1, blue2 = change_colors()
    expected = {
        -7: red2,
        -5: red1,
        -1.5: red1,
        -1: red0,
        -0.2: red0,
        0.2: blue0,
        1: blue1,
        4.9: blue1,
        5: blue2,
    }
    for change, color in expected.items():
        assert color_of(change, True) == color, change
    assert color_of(0, True) == UNCHANGED and color_of(None, True) == NEW
    assert color_of(3, False) == UNTOUCHED
    assert len(legend()) == 6 and len(set(change_colors()) | {NEW, UNCHANGED, UNTOUCHED}) == 9


def test_svg_draws_the_touched_provinces_with_their_changes(served_settings):
    changes = {"73.71": -8.0, "73.72": None, "75.71": 0.0}
    svg = change_svg(served_settings, changes, {"73.71": "Kota <Makassar>"}, "t")
    fills = dict(re.findall(r'<path data-kode="([\d.]+)" fill="(#[0-9a-f]{6})"', svg))
    assert len(fills) == 24 + 6  # Sulawesi Selatan and Gorontalo
    assert fills["73.71"] == change_colors()[0] and fills["73.72"] == NEW
    assert fills["75.71"] == UNCHANGED and fills["73.01"] == UNTOUCHED
    assert "Kota &lt;Makassar&gt;: -8.00" in svg
    assert len(re.findall("<path ", change_svg(served_settings, {}, {}, "t"))) == 102
