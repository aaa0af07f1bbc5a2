"""The Excel workbook, read back with openpyxl as an independent reader: values are numeric
cells matching the run (missing ones empty, never 0), filled with their status colour."""

import dataclasses
import math

import pandas as pd
import pytest
from openpyxl import load_workbook

from shequ.framework import labels
from shequ.report.formats import write
from shequ.report.xlsx import write_xlsx

LEVEL_SHEETS = ["市", "区（县）", "街道（乡镇）", "社区（村）"]
LEVELS = ["city", "district", "street", "community"]


@pytest.fixture(scope="module")
def city_book(city_context, tmp_path_factory):
    path = write_xlsx(city_context, tmp_path_factory.mktemp("xlsx") / "city.xlsx")
    return load_workbook(path)


@pytest.fixture(scope="module")
def city_book_en(city_context, tmp_path_factory):
    path = write_xlsx(city_context, tmp_path_factory.mktemp("xlsx") / "city_en.xlsx", lang="en")
    return load_workbook(path)


def columns(sheet):
    """Header text → column number."""
    return {cell.value: cell.column for cell in sheet[1] if cell.value is not None}


def rows_by_code(sheet):
    """Unit code (column A) → row number."""
    return {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}


def header(row, lang="zh"):
    name, unit = (
        (row.indicator_name, row.unit) if lang == "zh" else (row.indicator_name_en, row.unit_en)
    )
    return f"{name} ({unit})" if unit else name


def colour(cell):
    return cell.fill.fgColor.rgb[-6:].upper()


def test_city_workbook_has_a_sheet_per_level(city_book):
    names = city_book.sheetnames
    assert [n for n in names if n in LEVEL_SHEETS] == LEVEL_SHEETS  # own level first
    assert {"说明", "达标状态", "综合排名", "指标说明"} <= set(names)


def test_every_city_value_is_a_number_with_its_status_colour(city_book, city_context):
    sheet = city_book["市"]
    heads = columns(sheet)
    assert list(heads)[:3] == ["编码", "名称", "上级编码"]
    row = rows_by_code(sheet)[city_context.unit]
    assert sheet.cell(row, 2).value == city_context.unit_name
    for ind in city_context.indicators.itertuples():
        assert header(ind) in heads, ind.indicator  # the header carries the unit
        cell = sheet.cell(row, heads[header(ind)])
        assert cell.data_type == "n", ind.indicator
        assert abs(cell.value - ind.value) <= 1e-9, ind.indicator
        assert colour(cell) == labels.STATUS_COLOUR[ind.status], ind.indicator
        decimals = int(ind.decimals)
        if decimals:
            assert cell.number_format.endswith("." + "0" * decimals), cell.number_format
        else:
            assert "." not in cell.number_format
    assert "人均居住面积 (m²/人)" in heads


def test_level_sheets_have_frozen_panes_and_filters(city_book):
    for name in [*LEVEL_SHEETS, "达标状态"]:
        sheet = city_book[name]
        assert sheet.freeze_panes == "C2", name  # header row, code and name columns
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet.column_dimensions["B"].width >= 8


def test_every_sub_unit_value_is_in_its_level_sheet(city_book, city_context):
    """Sub-unit values are numbers; a value the run lacks is an empty cell, never 0."""
    subunits = city_context.subunits
    assert subunits["value"].isna().any()  # the demo has gaps: they must stay blank
    for level, name in zip(LEVELS[1:], LEVEL_SHEETS[1:], strict=True):
        sheet = city_book[name]
        heads, rows = columns(sheet), rows_by_code(sheet)
        for ind in subunits[subunits["level"] == level].itertuples():
            cell = sheet.cell(rows[ind.org_unit], heads[header(ind)])
            if pd.isna(ind.value):
                assert cell.value is None, (ind.org_unit, ind.indicator)
            else:
                assert cell.data_type == "n"
                assert math.isclose(cell.value, ind.value, rel_tol=0, abs_tol=1e-9)
            assert colour(cell) == labels.STATUS_COLOUR[ind.status]


def test_a_blanked_value_is_an_empty_cell_not_zero(city_context, tmp_path):
    subunits = city_context.subunits.copy()
    candidates = subunits[(subunits["level"] == "community") & (subunits["status"] == "met")]
    target = candidates.index[0]
    subunits.loc[target, ["value", "status"]] = [float("nan"), "no_data"]
    blanked = dataclasses.replace(city_context, subunits=subunits)
    sheet = load_workbook(write_xlsx(blanked, tmp_path / "blank.xlsx"))["社区（村）"]
    row = subunits.loc[target]
    cell = sheet.cell(rows_by_code(sheet)[row["org_unit"]], columns(sheet)[header(row)])
    assert cell.value is None
    assert colour(cell) == labels.STATUS_COLOUR["no_data"]


def test_community_sheet_has_one_row_per_community(city_book, city_context):
    sheet = city_book["社区（村）"]
    subunits = city_context.subunits
    communities = set(subunits.loc[subunits["level"] == "community", "org_unit"])
    assert sheet.max_row - 1 == len(communities) == 300
    assert set(rows_by_code(sheet)) == communities
    parents = dict(zip(subunits["org_unit"], subunits["parent_code"], strict=True))
    for code, row in rows_by_code(sheet).items():
        assert sheet.cell(row, 3).value == parents[code]


def test_status_sheet_holds_status_labels(city_book, city_context):
    sheet = city_book["达标状态"]
    heads, rows = columns(sheet), rows_by_code(sheet)
    everything = pd.concat([city_context.indicators, city_context.subunits])
    assert len(rows) == everything["org_unit"].nunique()
    for ind in everything.sample(200, random_state=1).itertuples():
        cell = sheet.cell(rows[ind.org_unit], heads[header(ind)])
        assert cell.value == labels.STATUS[ind.status][0]


def test_definitions_list_every_plan_indicator(city_book, city_context):
    sheet = city_book["指标说明"]
    heads = columns(sheet)
    plan = city_context.plan
    codes = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
    assert set(codes) == {i.code for i in plan.indicators}
    sources = {sheet.cell(r, heads["依据"]).value for r in range(2, sheet.max_row + 1)}
    assert {t.source for t in plan.targets if t.source} <= sources
    directions = {sheet.cell(r, heads["方向"]).value for r in range(2, sheet.max_row + 1)}
    assert directions == {"越高越好", "越低越好"}


def test_ranking_numbers_are_numeric(city_book, city_context):
    sheet = city_book["综合排名"]
    heads = columns(sheet)
    assert sheet.max_row - 1 == len(city_context.rankings)
    for r, ranked in enumerate(city_context.rankings.itertuples(), start=2):
        assert sheet.cell(r, heads["编码"]).value == ranked.org_unit
        for column, value in [
            ("排名", ranked.rank),
            ("综合得分", ranked.score),
            ("90%区间下限", ranked.rank_low),
            ("90%区间上限", ranked.rank_high),
            ("协调度", ranked.coordination),
        ]:
            cell = sheet.cell(r, heads[column])
            assert cell.data_type == "n", column
            assert abs(cell.value - value) <= 1e-9, column
        klass = labels.COORDINATION[ranked.coordination_class][0]
        assert sheet.cell(r, heads["协调类型"]).value == klass


def test_absent_rankings_say_why(city_context, tmp_path):
    reason = ("本次评估未计算综合得分", "no composite scores")
    missing = {**city_context.missing, "rankings": reason}
    bare = dataclasses.replace(
        city_context, rankings=city_context.rankings.iloc[0:0], missing=missing
    )
    sheet = load_workbook(write_xlsx(bare, tmp_path / "bare.xlsx"))["综合排名"]
    assert sheet["A1"].value == reason[0]
    assert sheet.max_row == 1


def test_cover_counts_targets_and_says_what_is_left_out(city_book, city_context):
    text = [str(c) for row in city_book["说明"].iter_rows(values_only=True) for c in row if c]
    assert any(city_context.unit_name in t for t in text)
    assert city_context.period in text
    assert city_context.plan.name in text
    assert any(f"#{city_context.run_id}" in t for t in text)
    for reason in city_context.missing.values():
        assert reason[0] in text
    counts = city_context.status_counts()
    cover = dict(city_book["说明"].iter_rows(min_col=1, max_col=2, values_only=True))
    for status, count in counts.items():
        assert cover[f"{labels.STATUS[status][0]}指标数"] == count


def test_english_variant(city_book_en, city_context):
    assert city_book_en.sheetnames == [
        "About",
        "City",
        "District",
        "Street",
        "Community",
        "Status",
        "Ranking",
        "Definitions",
    ]
    heads = columns(city_book_en["City"])
    assert list(heads)[:3] == ["Code", "Name", "Parent code"]
    for ind in city_context.indicators.itertuples():
        assert header(ind, "en") in heads
    assert city_book_en["Status"].cell(2, 5).value in {s[1] for s in labels.STATUS.values()}
    assert city_book_en["Ranking"]["A1"].value == "Rank"
    cover = [c for row in city_book_en["About"].iter_rows(values_only=True) for c in row if c]
    # left-out sections say why (the demo city has no follow-up tasks yet)
    assert "tasks" in city_context.missing
    for _zh, en in city_context.missing.values():
        assert en in cover


def test_street_workbook_starts_at_the_street(street_context, tmp_path):
    book = load_workbook(write(street_context, tmp_path / "street.xlsx"))  # via formats
    assert [n for n in book.sheetnames if n in LEVEL_SHEETS] == ["街道（乡镇）", "社区（村）"]
    assert book["街道（乡镇）"]["B2"].value == "民主街道"
    assert book["综合排名"].max_row - 1 == len(street_context.rankings) == 12
