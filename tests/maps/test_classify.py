"""Classes, cuts and colours: every scheme, the diverging centre, no-data, ColorBrewer ramps."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_coverage.maps import classify
from geo_coverage.maps.classify import NODATA_FILL, NODATA_HATCH
from geo_coverage.maps.classify import classify as classes_of

VALUES = np.array(
    [12.0, 25.5, 31.0, 38.2, 44.0, 47.5, 52.0, 58.9, 60.0, 61.5, 75.0, 88.0, np.nan, np.nan]
)


def test_fixed_cuts_surround_the_target():
    assert classify.fixed_cuts_around(60, 5) == [40, 50, 60, 70]
    assert classify.fixed_cuts_around(62.93, 3) == [52.93, 62.93]
    low = classify.fixed_cuts_around(20, 7)  # steps shrink so that no cut reaches 0
    assert 20 in low and min(low) > 0 and len(low) == 6


def test_an_area_at_the_target_falls_in_the_upper_class():
    result = classes_of(VALUES, "target", 5, ramp="YlGnBu", fixed=[40, 50, 60, 70])
    assert list(result.index([59.99, 60.0, np.nan])) == [2, 3, -1]
    assert result.counts == (4, 2, 2, 2, 2)
    assert result.nodata == 2
    assert sum(result.counts) + result.nodata == len(VALUES)


@pytest.mark.parametrize("scheme", ["quantiles", "equal_interval", "natural_breaks"])
def test_data_schemes_give_k_classes_that_partition_the_values(scheme):
    result = classes_of(VALUES, scheme, 4, ramp="YlGnBu")
    assert len(result.cuts) == 3 and len(result.colors) == 4
    assert list(result.cuts) == sorted(result.cuts)
    assert sum(result.counts) == 12 and min(result.counts) > 0
    finite = VALUES[~np.isnan(VALUES)]
    assert np.bincount(result.index(finite), minlength=4).tolist() == list(result.counts)


def test_quantiles_put_equal_numbers_in_each_class():
    result = classes_of(np.arange(1.0, 101.0), "quantiles", 5, ramp="YlGnBu")
    assert result.counts == (20, 20, 20, 20, 20)


def test_natural_breaks_find_the_gaps_between_clusters():
    values = np.array([1.0, 2, 3, 50, 51, 52, 100, 101, 102])
    result = classes_of(values, "natural_breaks", 3, ramp="YlGnBu")
    assert result.counts == (3, 3, 3)
    assert 3 < result.cuts[0] <= 50 and 52 < result.cuts[1] <= 100


def test_ties_give_fewer_classes_and_no_empty_ones():
    result = classes_of([5.0, 5, 5, 5, 9], "quantiles", 5, ramp="YlGnBu")
    assert len(result.colors) == 2 and result.counts == (4, 1)
    single = classes_of([7.0, 7.0], "natural_breaks", 5, ramp="YlGnBu")
    assert single.cuts == () and single.counts == (2,)


def test_sequential_colours_are_colorbrewer_light_to_dark():
    assert classify.ramp_colors("YlGnBu", 5) == [
        "#ffffcc",
        "#a1dab4",
        "#41b6c4",
        "#2c7fb8",
        "#253494",
    ]
    assert classify.ramp_colors("YlGnBu", 5, reverse=True)[0] == "#253494"


def test_diverging_classes_take_the_sides_of_the_centre():
    gap = np.array([0, 0, 0, 2_000, 7_000, 30_000, np.nan])
    result = classes_of(gap, "quantiles", 4, ramp="RdBu", centre=1, reverse=True)
    assert 1.0 in result.cuts
    assert result.counts[0] == 3  # the zeros (target reached) form their own class
    blues = {"#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#67a9cf", "#0571b0"}
    assert result.colors[0] in blues
    assert not set(result.colors[1:]) & blues


def test_diverging_fixed_cuts_are_centred():
    cuts = classify.fixed_cuts_diverging(0, 1, 6)
    assert cuts == [-2.5, -1, 0, 1, 2.5]
    result = classes_of([-3.0, -0.5, 0.5, 3.0], "target", 6, ramp="BrBG", fixed=cuts, centre=0)
    assert len(result.colors) == 6 and len(set(result.colors)) == 6


def test_no_data_colour_is_never_a_class_colour():
    for ramp in classify.SEQUENTIAL_RAMPS:
        for k in range(1, 10):
            colors = set(classify.ramp_colors(ramp, k)) | set(classify.ramp_colors(ramp, k, True))
            assert NODATA_FILL not in colors and NODATA_HATCH not in colors
    for ramp in classify.DIVERGING_RAMPS:
        for low in range(0, 5):
            for high in range(0, 5):
                colors = set(classify.diverging_colors(ramp, low, high))
                assert NODATA_FILL not in colors and NODATA_HATCH not in colors


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(math.nan)), max_size=40),
    st.sampled_from(["quantiles", "equal_interval", "natural_breaks"]),
    st.integers(3, 7),
)
def test_every_value_lands_in_exactly_one_counted_class(values, scheme, k):
    result = classes_of(values, scheme, k, ramp="YlOrRd")
    index = result.index(values)
    assert len(result.colors) == len(result.counts) == len(result.cuts) + 1 <= k
    finite = [v for v in values if not math.isnan(v)]
    assert result.nodata == len(values) - len(finite)
    assert np.bincount(index[index >= 0], minlength=len(result.counts)).tolist() == list(
        result.counts
    )


def _luminance(color: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _class_colours() -> set[str]:
    """Every colour a class can take: each ramp at each size, sequential and diverging."""
    found = set()
    for ramp in classify.SEQUENTIAL_RAMPS:
        for n in range(1, 8):
            found |= set(classify.ramp_colors(ramp, n))
    for ramp in classify.DIVERGING_RAMPS:
        for low in range(8):
            for high in range(8 - low):
                found |= set(classify.diverging_colors(ramp, low, high))
    return found


def test_every_class_stands_out_from_the_sea_and_every_outline_from_its_fill():
    colours = _class_colours()
    assert len(colours) > 40
    assert _contrast(classify.AREA_EDGE, classify.SEA) >= 3
    for colour in colours:
        # An area shows against the sea by its fill or, where the fill is close to the sea's
        # colour (the lightest classes), by its dark edge.
        near_the_sea = _contrast(colour, classify.SEA) < 3
        assert not near_the_sea or _contrast(classify.AREA_EDGE, colour) >= 3, colour
        # The bold outline is a dark line on a white halo: one of them has 3:1 with any fill.
        best = max(_contrast(classify.OUTLINE, colour), _contrast(classify.HALO, colour))
        assert best >= 3, colour


def test_change_cuts_are_shown_values_and_split_differing_figures():
    assert classify.rounded_quantile_cuts(np.array([4.5] + [4.51] * 16), 5, 2) == [4.51]
    assert classify.rounded_quantile_cuts(np.array([1.0] * 5), 5, 2) == []
    cuts = classify.rounded_quantile_cuts(np.linspace(-3, 7, 101), 5, 2)
    assert len(cuts) == 4 and all(round(c, 2) == c for c in cuts)
    assert classify.rounded_quantile_cuts(np.array([1.234, 1.236, np.nan]), 5, 2) == [1.24]
