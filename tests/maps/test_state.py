"""Parsing a map view from the query string, its messages, and the permalinks it builds."""

from urllib.parse import parse_qsl

import pytest

from geo_coverage.errors import BadRequest
from geo_coverage.i18n import format_int, format_number, format_pct, format_period
from geo_coverage.maps.state import ImageSpec, ViewState, parse_image, parse_view
from geo_coverage.region import SULAWESI_MALUKU

PERIODS = ["2021-12", "2024-08", "2025-06", "2025-12"]
PROVINCES = SULAWESI_MALUKU.provinces


def test_defaults_and_the_latest_period():
    state = parse_view({}, PERIODS, PROVINCES)
    assert state == ViewState(period="2025-12")
    assert state.query() == "period=2025-12"


def test_a_full_query_round_trips():
    args = {
        "level": "province",
        "metric": "gap",
        "segment": "informal",
        "period": "2024-08",
        "scheme": "natural_breaks",
        "k": "7",
        "threshold": "45.5",
        "lang": "en",
    }
    state = parse_view(args, PERIODS, PROVINCES)
    assert (state.level, state.metric, state.k, state.threshold) == ("province", "gap", 7, 45.5)
    assert parse_view(dict(parse_qsl(state.query())), PERIODS, PROVINCES) == state
    assert state.query().startswith("level=province&metric=gap&segment=informal&period=")


def test_a_province_means_its_regencies():
    state = parse_view({"level": "province", "province": "73"}, PERIODS, PROVINCES)
    assert (state.level, state.province) == ("regency", "73")
    back = dict(parse_qsl(state.query(province=None)))
    assert "province" not in back and back["period"] == "2025-12"


def test_a_province_shows_its_districts_when_asked_and_keeps_them():
    state = parse_view({"level": "district", "province": "73"}, PERIODS, PROVINCES)
    assert (state.level, state.province) == ("district", "73")
    assert dict(parse_qsl(state.query()))["level"] == "district"
    other = dict(parse_qsl(state.query(province="74")))
    assert (other["level"], other["province"]) == ("district", "74")
    region_wide = parse_view({"level": "district"}, PERIODS, PROVINCES)
    assert (region_wide.level, region_wide.province) == ("district", None)


@pytest.mark.parametrize(
    ("name", "value", "valid"),
    [
        ("level", "village", "province, regency, district"),
        ("metric", "ucj", "coverage, informal_coverage, wage_coverage, gap"),
        ("segment", "farmers", "all, wage, informal, construction, migrant"),
        ("period", "2030-01", "2021-12, 2024-08, 2025-06, 2025-12"),
        ("scheme", "jenks", "target, quantiles, equal_interval, natural_breaks"),
        ("k", "12", "3, 4, 5, 6, 7"),
        ("province", "31", "71, 72, 73, 74, 75, 76, 81, 82"),
        ("lang", "fr", "id, en"),
    ],
)
def test_bad_values_name_the_parameter_and_the_valid_values(name, value, valid):
    with pytest.raises(BadRequest) as caught:
        parse_view({name: value}, PERIODS, PROVINCES)
    assert caught.value.status == 400 and caught.value.parameter == name
    assert f"'{name}'" in str(caught.value) and valid in str(caught.value)


def test_every_bad_parameter_is_reported_at_once():
    with pytest.raises(BadRequest) as caught:
        parse_view(
            {"level": "village", "k": "12", "threshold": "abc", "province": "31", "lang": "en"},
            PERIODS,
            PROVINCES,
        )
    message = str(caught.value)
    assert caught.value.parameter == "k, threshold, level, province"
    assert len(message.splitlines()) == 4 and all(
        value in message for value in ("village", "'12'", "abc", "'31'")
    )


def test_a_bad_parameter_does_not_hide_a_contradiction_after_it():
    with pytest.raises(BadRequest) as caught:
        parse_view({"period": "2030-01", "outline": "worst", "threshold": "40"}, PERIODS, PROVINCES)
    assert caught.value.parameter == "period, outline"


def test_messages_follow_the_language():
    with pytest.raises(BadRequest, match="Nilai yang valid"):
        parse_view({"k": "x"}, PERIODS, PROVINCES)
    with pytest.raises(BadRequest, match="Valid values"):
        parse_view({"k": "x", "lang": "en"}, PERIODS, PROVINCES)


@pytest.mark.parametrize("value", ["abc", "-1", "101", "nan", "inf"])
def test_threshold_must_be_a_percentage(value):
    with pytest.raises(BadRequest, match="threshold"):
        parse_view({"threshold": value}, PERIODS, PROVINCES)


def test_threshold_accepts_a_decimal_comma():
    assert parse_view({"threshold": "42,5"}, PERIODS, PROVINCES).threshold == 42.5


def test_number_formats_per_language():
    assert format_int(1234567, "id") == "1.234.567"
    assert format_int(1234567, "en") == "1,234,567"
    assert format_pct(12.34, "id") == "12,3 %"
    assert format_pct(12.34, "en") == "12.3 %"
    assert format_number(-1.5, "id", signed=True) == "−1,5"
    assert format_number(2, "en", 2, signed=True) == "+2.00"
    assert format_number(-0.04, "en", signed=True) == "0.0"
    assert format_number(0, "id", signed=True) == "0,0"
    assert format_pct(None, "id") == "–"
    assert format_period("2025-12", "id") == "Desember 2025"
    assert format_period("2024-08", "en") == "August 2024"


def test_a_baseline_is_an_earlier_stored_period_of_the_change_metric():
    state = parse_view({"metric": "change", "base": "2021-12"}, PERIODS, PROVINCES)
    assert state.base == "2021-12"
    assert "base=2021-12" in state.query()
    assert parse_view(dict(parse_qsl(state.query())), PERIODS, PROVINCES) == state
    assert parse_view({"metric": "change"}, PERIODS, PROVINCES).base is None  # the previous period
    with pytest.raises(BadRequest) as caught:
        parse_view(
            {"metric": "change", "base": "2025-12"}, PERIODS, PROVINCES
        )  # not before the period
    assert caught.value.parameter == "base" and "2021-12, 2024-08, 2025-06" in str(caught.value)
    with pytest.raises(BadRequest, match="2030-01"):
        parse_view({"metric": "change", "base": "2030-01"}, PERIODS, PROVINCES)
    with pytest.raises(BadRequest, match="none \\(no period before"):
        parse_view(
            {"metric": "change", "period": "2021-12", "base": "2021-12", "lang": "en"},
            PERIODS,
            PROVINCES,
        )
    with pytest.raises(BadRequest, match="metric=change") as caught:
        parse_view({"metric": "coverage", "base": "2021-12"}, PERIODS, PROVINCES)
    assert caught.value.parameter == "base"


def test_a_metric_about_one_segment_takes_no_other_segment():
    assert parse_view({"metric": "informal_coverage"}, PERIODS, PROVINCES).segment == "all"
    assert parse_view({"metric": "gap", "segment": "wage"}, PERIODS, PROVINCES).segment == "wage"
    for metric in ("informal_coverage", "wage_coverage", "uncovered_informal"):
        with pytest.raises(BadRequest) as caught:
            parse_view({"metric": metric, "segment": "wage", "lang": "en"}, PERIODS, PROVINCES)
        assert caught.value.parameter == "segment" and "always about" in str(caught.value)


def test_the_outline_rule_and_the_threshold():
    assert parse_view({}, PERIODS, PROVINCES).outline == "worst"
    state = parse_view({"threshold": "45,5"}, PERIODS, PROVINCES)  # an Indonesian decimal comma
    assert (state.outline, state.threshold) == ("threshold", 45.5)
    assert state.query() == "period=2025-12&threshold=45.5"
    assert parse_view(
        {"outline": "threshold", "threshold": "45"}, PERIODS, PROVINCES
    ) == parse_view({"threshold": "45"}, PERIODS, PROVINCES)
    target = parse_view({"outline": "target"}, PERIODS, PROVINCES)
    assert target.query() == "period=2025-12&outline=target"
    with pytest.raises(BadRequest) as caught:
        parse_view({"outline": "none", "threshold": "45"}, PERIODS, PROVINCES)
    assert caught.value.parameter == "outline"
    with pytest.raises(BadRequest) as caught:
        parse_view({"outline": "threshold"}, PERIODS, PROVINCES)
    assert caught.value.parameter == "threshold"
    with pytest.raises(BadRequest, match="worst, target, threshold, none"):
        parse_view({"outline": "bold"}, PERIODS, PROVINCES)


def test_image_sizes_and_scales():
    assert parse_image({}, "png", "id") == ImageSpec("png", "16:9", 1)
    assert parse_image({}, "png", "id").pixels == (1920, 1080)
    assert parse_image({"size": "4:3"}, "png", "id").pixels == (1440, 1080)
    a4 = parse_image({"size": "a4", "scale": "2"}, "png", "id")
    assert a4.pixels == (3508, 2480) and a4.dpi == 300 and a4.file_tag() == "a4@2x"
    width, height = a4.page.inches
    assert round(width * 25.4) == 297 and round(height * 25.4) == 210
    assert parse_image({"size": "4:3", "scale": "1"}, "pdf", "id") == ImageSpec("pdf", "4:3", 1)
    assert parse_image({"size": "4:3"}, "png", "id").key() != parse_image({}, "png", "id").key()


@pytest.mark.parametrize(
    ("args", "image_format", "words"),
    [
        ({"size": "5:4"}, "png", ["'size'", "16:9, 4:3, a4"]),
        ({"scale": "3"}, "png", ["'scale'", "1, 2"]),
        ({"scale": "2"}, "svg", ["'scale'", "SVG", "PNG"]),
        ({"scale": "2"}, "pdf", ["'scale'", "PDF", "PNG"]),
    ],
)
def test_bad_image_parameters_say_what_is_valid(args, image_format, words):
    with pytest.raises(BadRequest) as caught:
        parse_image(args, image_format, "en")
    message = str(caught.value)
    assert caught.value.status == 400 and all(w in message for w in words), message
