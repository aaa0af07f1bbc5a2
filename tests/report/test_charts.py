"""The report charts, decoded as PNG (signature and IHDR size) rather than trusted."""

import dataclasses
import math
import struct
import warnings

import numpy as np
import pandas as pd
import pytest

from shequ.report import charts, fonts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which always comes first."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def without_targets(context, dimension):
    """A copy of ``context`` in which no indicator of ``dimension`` has a target."""
    rows = context.indicators.copy()
    mine = rows["dimension"] == dimension
    rows.loc[mine, "target"] = np.nan
    rows.loc[mine, "comparator"] = None
    rows.loc[mine, "status"] = "no_target"
    return dataclasses.replace(context, indicators=rows)


def test_dimension_charts_are_pngs_of_the_configured_size(city_context):
    for dim in city_context.plan.dimensions:
        rows = city_context.indicators
        rows = rows[(rows["dimension"] == dim.code) & rows["target"].notna()]
        png = charts.dimension_chart(city_context, dim.code)
        assert png is not None, dim.code
        assert png_size(png) == charts.chart_size(len(rows)), dim.code
    assert charts.chart_size(3) == (975, 480)  # 6.5 × 3.2 in at 150 dpi


def test_a_dimension_without_targets_has_no_chart(city_context):
    context = without_targets(city_context, "safety")
    assert charts.dimension_chart(context, "safety") is None
    assert charts.dimension_chart(context, "culture") is not None  # others unchanged
    assert charts.dimension_chart(city_context, "no_such_dimension") is None


def test_a_dimension_whose_values_are_all_missing_has_no_chart(street_context):
    rows = street_context.indicators.copy()
    rows.loc[rows["dimension"] == "governance", "value"] = np.nan
    context = dataclasses.replace(street_context, indicators=rows)
    assert charts.dimension_chart(context, "governance") is None


def test_ranking_chart_grows_with_the_number_of_units(city_context, street_context):
    assert png_size(charts.ranking_chart(city_context)) == (975, 480)  # 6 districts
    assert len(street_context.rankings) == 12
    assert png_size(charts.ranking_chart(street_context)) == charts.chart_size(12) == (975, 705)
    many = pd.concat([street_context.rankings] * 3, ignore_index=True)
    many["org_unit"] = [f"u{i}" for i in range(len(many))]
    context = dataclasses.replace(street_context, rankings=many)
    assert png_size(charts.ranking_chart(context)) == charts.chart_size(36) == (975, 1350)


def test_no_ranking_chart_without_rankings(street_context):
    empty = street_context.rankings.iloc[0:0]
    assert charts.ranking_chart(dataclasses.replace(street_context, rankings=empty)) is None


def test_charts_are_deterministic_and_follow_the_language(street_context):
    zh = charts.dimension_chart(street_context, "public_services")
    assert zh == charts.dimension_chart(street_context, "public_services")
    en = charts.dimension_chart(street_context, "public_services", lang="en")
    assert en != zh and png_size(en) == png_size(zh)
    assert charts.ranking_chart(street_context, lang="en") != charts.ranking_chart(street_context)


def test_chinese_labels_draw_without_missing_glyphs(street_context):
    with warnings.catch_warnings(record=True):
        if fonts.cjk_font_file() is None:
            pytest.skip("no CJK font installed (fonts-noto-cjk)")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        assert charts.dimension_chart(street_context, "safety") is not None
        assert charts.ranking_chart(street_context) is not None


@pytest.mark.parametrize(
    ("value", "target", "lower", "expected"),
    [
        (90.0, 100.0, False, 90.0),
        (120.0, 100.0, False, 120.0),
        (400.0, 100.0, False, 150.0),  # capped
        (13.27, 12.91, True, 12.91 / 13.27 * 100),  # lower is better: target / value
        (0.25, 0.5, True, 150.0),  # half the ceiling: 200 %, capped
        (0.0, 0.5, True, 150.0),  # nothing happened under a ceiling
        (5.0, 0.0, False, 150.0),  # a floor of zero
        (-3.0, 10.0, False, 0.0),
    ],
)
def test_attainment(value, target, lower, expected):
    assert math.isclose(charts.attainment(value, target, lower=lower), expected)


def test_lower_is_better_comes_from_the_comparator_then_the_direction():
    assert charts.is_lower("reduce_by", "lower")
    assert charts.is_lower("<", "higher")
    assert not charts.is_lower(">=", "lower")
    assert charts.is_lower(None, "lower")
    assert not charts.is_lower(None, "higher")
