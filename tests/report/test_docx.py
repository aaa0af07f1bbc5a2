"""The Word report, read back with python-docx as an independent reader: every value as the
document prints it with its status, the outline in Word's heading styles, CJK fonts set,
and sections without data saying why (never zeros)."""

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from shequ.framework import labels
from shequ.report import fonts
from shequ.report.docx import write_docx
from shequ.report.formats import write

CHAPTERS_ZH = [
    "一、总体情况",
    "二、分维度评估",
    "三、下级单位排名",
    "四、服务设施覆盖",
    "五、居民意见与满意度",
    "六、问题诊断与整改",
    "附录：指标定义与数据完整性",
]
CHAPTERS_EN = [
    "1. Summary",
    "2. Dimensions",
    "3. Sub-unit ranking",
    "4. Facility coverage",
    "5. Residents' voice and satisfaction",
    "6. Diagnosis and follow-up",
    "Appendix: definitions and data completeness",
]
INDICATOR_HEADER_ZH = ["指标", "数值", "目标", "状态", "较基期变化", "趋势", "报送"]
RANKING_HEADER_ZH = ["排名", "单位", "综合得分", "90%区间", "协调度", "协调类型"]


@pytest.fixture(scope="module")
def city_doc(city_context, tmp_path_factory):
    return Document(write_docx(city_context, tmp_path_factory.mktemp("docx") / "city.docx"))


@pytest.fixture(scope="module")
def city_doc_en(city_context, tmp_path_factory):
    path = tmp_path_factory.mktemp("docx") / "city_en.docx"
    return Document(write_docx(city_context, path, lang="en"))


def write_and_read(context, tmp_path, name="report.docx", **options):
    return Document(write_docx(context, tmp_path / name, **options))


def headings(doc):
    """(style name, text) of every paragraph in a heading style, in order."""
    return [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]


def texts(doc):
    return [p.text for p in doc.paragraphs]


def tables_with_header(doc, header):
    return [t for t in doc.tables if [c.text for c in t.rows[0].cells] == header]


def indicator_rows(doc):
    """Indicator name → its row's cells, over every dimension table."""
    found = {}
    for table in tables_with_header(doc, INDICATOR_HEADER_ZH):
        for row in table.rows[1:]:
            found[row.cells[0].text] = row.cells
    return found


def section(doc, start, end):
    """The texts of the paragraphs after the heading ``start`` up to the heading ``end``."""
    lines = texts(doc)
    return lines[lines.index(start) + 1 : lines.index(end)]


def fill(cell):
    shading = cell._tc.tcPr.find(qn("w:shd"))
    return None if shading is None else shading.get(qn("w:fill"))


def test_every_indicator_shows_its_value_and_status(city_doc, city_context):
    rows = indicator_rows(city_doc)
    assert len(city_context.indicators) == len(rows) == len(city_context.plan.indicators)
    for ind in city_context.indicators.itertuples():
        cells = rows[ind.indicator_name]
        shown = labels.number(ind.value, int(ind.decimals))
        assert cells[1].text.startswith(shown), (ind.indicator, cells[1].text)
        assert cells[1].text.removeprefix(shown).strip() in ("", ind.unit)  # the unit follows
        assert cells[2].text == labels.target_text(ind.comparator, ind.target, int(ind.decimals))
        assert cells[3].text == labels.STATUS[ind.status][0], ind.indicator
        assert fill(cells[3]) == labels.STATUS_COLOUR[ind.status], ind.indicator
        assert cells[6].text == f"{ind.reporting_units}/{ind.expected_units}"
    assert rows["人均居住面积"][1].text == "43.5 m²/人"
    assert rows["绿化覆盖率"][1].text == "37.5%"


def test_headings_form_the_outline(city_doc, city_context):
    outline = headings(city_doc)
    assert [text for style, text in outline if style == "Heading 1"] == CHAPTERS_ZH
    dims = [text for _, text in outline[outline.index(("Heading 1", CHAPTERS_ZH[1])) + 1 :]]
    dims = dims[: dims.index(CHAPTERS_ZH[2])]
    names = [d.name for d in city_context.plan.dimensions]
    assert len(dims) == len(names) == 5
    assert all(text.endswith(name) for text, name in zip(dims, names, strict=True))
    assert {style for style, text in outline if text in dims} == {"Heading 2"}
    assert {style for style, _ in outline} <= {"Heading 1", "Heading 2"}
    cover = [p for p in city_doc.paragraphs if p.style.name == "Title"]
    assert [p.text for p in cover] == ["示范市社区发展评估报告（2025年度）"]


def test_east_asian_fonts_are_set_and_chinese_is_present(city_doc):
    def east_asian(name):
        fonts_element = city_doc.styles[name].element.rPr.rFonts
        assert fonts_element.get(qn("w:eastAsiaTheme")) is None, name  # it would win
        return fonts_element.get(qn("w:eastAsia"))

    assert east_asian("Normal") == fonts.SERIF
    assert east_asian("Heading 1") == east_asian("Heading 2") == fonts.SANS
    body = "\n".join(texts(city_doc))
    assert "示范市" in body and "评估运行：#" in body


def test_cover_then_page_break_and_page_numbers(city_doc, city_context):
    body = city_doc.element.body
    first_heading = next(p for p in city_doc.paragraphs if p.style.name == "Heading 1")
    breaks = body.findall(f".//{qn('w:br')}[@{qn('w:type')}='page']")
    assert breaks, "no page break after the cover"
    positions = list(body.iter())
    assert positions.index(breaks[0]) < positions.index(first_heading._p)
    assert f"指标体系：{city_context.plan.name}" in texts(city_doc)
    footer = city_doc.sections[0].footer.paragraphs[0]._p
    instructions = [e.text.strip() for e in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE"]
    assert city_doc.sections[0].different_first_page_header_footer  # none on the cover
    assert not city_doc.sections[0].first_page_footer.paragraphs[0].text
    section = city_doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_tables_have_a_repeated_shaded_header_row(city_doc):
    assert len(city_doc.tables) >= 5 + 1 + 3 + 2
    for table in city_doc.tables:
        assert table.style.name == "Table Grid"
        header = table.rows[0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(fill(cell) for cell in header.cells)
        assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)


def test_summary_counts_gaps_and_charts(city_doc, city_context):
    summary = section(city_doc, CHAPTERS_ZH[0], CHAPTERS_ZH[1])
    c = city_context.status_counts()
    assert any(f"达标 {c['met']} 项，未达标 {c['not_met']} 项" in line for line in summary)
    for name in city_context.serious_gaps()["indicator_name"]:
        assert any(line.startswith(name + "：") for line in summary), name
    assert len(city_doc.inline_shapes) == 5 + 1  # a chart per dimension and the ranking


def test_rankings_table_has_intervals_and_coordination(city_doc, city_context):
    (table,) = tables_with_header(city_doc, RANKING_HEADER_ZH)
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert len(rows) == len(city_context.rankings)
    first = city_context.rankings.iloc[0]
    assert rows[0][1] == first["org_unit_name"]
    assert rows[0][3] == f"{first['rank_low']:.0f}–{first['rank_high']:.0f}"
    assert rows[0][5] == labels.COORDINATION[first["coordination_class"]][0]


def test_diagnoses_name_gains_peers_and_actions(city_doc, city_context):
    outline = [text for _, text in headings(city_doc)]
    body = [c.text for t in city_doc.tables for row in t.rows for c in row.cells]
    for d in city_context.diagnoses:
        assert f"{d.name}（{d.org_unit}）" in outline
        gap = d.gaps[0]
        assert f"+{gap.gain:.1f}" in body
        assert any(gap.peers[0].name in text for text in body)
        assert any(text.startswith(gap.action) for text in body)
    assert "暂无整改任务" in section(city_doc, "整改任务", CHAPTERS_ZH[6])


def test_appendix_defines_every_indicator_with_its_source(city_doc, city_context):
    header = ["指标", "维度", "定义", "计量单位", "方向", "目标"]
    (table,) = tables_with_header(city_doc, header)
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert len(rows) == len(city_context.plan.indicators)
    for target in city_context.plan.targets:
        ind = city_context.plan.indicator(target.indicator)
        assert ind.definition == rows[ind.name][2]
        assert target.source in rows[ind.name][5]
    assert rows["刑事案件发案率"][5].startswith("较2020年降低 30%")
    (done,) = tables_with_header(city_doc, ["指标", "已报", "应报", "报送率"])
    assert len(done.rows) == len(city_context.plan.indicators) + 1


def test_a_missing_value_is_a_dash_never_zero(street_context, tmp_path):
    rows = street_context.indicators.copy()
    blank = rows["indicator"] == "green_coverage"
    rows.loc[blank, ["value", "change_vs_baseline"]] = np.nan
    rows.loc[blank, "status"] = "no_data"
    context = dataclasses.replace(street_context, indicators=rows)
    doc = write_and_read(context, tmp_path)
    cells = indicator_rows(doc)["绿化覆盖率"]
    assert cells[1].text == "—"
    assert cells[1].text not in ("0", "0.0", "0%", "0.0%")
    assert cells[3].text == "无数据"
    assert fill(cells[3]) == labels.STATUS_COLOUR["no_data"]
    assert any("无数据 1 项" in line for line in texts(doc))
    assert indicator_rows(doc)["新建社区服务中心"][1].text == "0 个"  # a true zero stays 0


def test_without_rankings_the_reason_replaces_the_table(street_context, tmp_path):
    reason = ("本次评估未计算下级单位综合得分，排名从略", "no composite scores")
    context = dataclasses.replace(
        street_context,
        rankings=street_context.rankings.iloc[0:0],
        missing={**street_context.missing, "rankings": reason},
    )
    doc = write_and_read(context, tmp_path)
    assert section(doc, CHAPTERS_ZH[2], CHAPTERS_ZH[3]) == [reason[0]]
    assert not tables_with_header(doc, RANKING_HEADER_ZH)
    assert len(doc.inline_shapes) == 5  # the dimension charts only


def test_sections_without_a_missing_reason_say_data_are_present(street_context, tmp_path):
    missing = {k: v for k, v in street_context.missing.items() if k != "voice"}
    doc = write_and_read(dataclasses.replace(street_context, missing=missing, voice=[]), tmp_path)
    assert section(doc, CHAPTERS_ZH[3], CHAPTERS_ZH[4]) == [street_context.findings["coverage"][0]]
    (placeholder,) = section(doc, CHAPTERS_ZH[4], CHAPTERS_ZH[5])
    assert "数据已具备" in placeholder


def test_a_dimension_without_targets_gets_a_sentence(street_context, tmp_path):
    rows = street_context.indicators.copy()
    mine = rows["dimension"] == "safety"
    rows.loc[mine, ["target", "change_vs_baseline"]] = np.nan
    rows.loc[mine, "comparator"] = None
    rows.loc[mine, "status"] = "no_target"
    doc = write_and_read(dataclasses.replace(street_context, indicators=rows), tmp_path)
    lines = section(doc, "（五）社区安全", CHAPTERS_ZH[2])
    assert "本维度没有同时具有数值和目标的指标，图表从略。" in lines
    assert len(doc.inline_shapes) == 4 + 1


def test_tasks_table_and_missing_diagnosis(street_context, tmp_path):
    community = street_context.rankings.iloc[-1]
    tasks = pd.DataFrame(
        [
            {
                "id": 7,
                "org_unit": community["org_unit"],
                "indicator": "participation_rate",
                "owner_unit": street_context.unit,
                "deadline": dt.date(2026, 6, 30),
                "status": "open",
                "outcome": None,
            }
        ]
    )
    missing = {k: v for k, v in street_context.missing.items() if k != "tasks"}
    missing["diagnosis"] = ("没有可诊断的综合得分，诊断从略", "no composite scores to diagnose")
    context = dataclasses.replace(street_context, tasks=tasks, diagnoses=[], missing=missing)
    doc = write_and_read(context, tmp_path)
    assert section(doc, CHAPTERS_ZH[5], "整改任务") == [missing["diagnosis"][0]]
    header = ["编号", "单位", "指标", "责任单位", "截止日期", "任务状态", "进展"]
    (table,) = tables_with_header(doc, header)
    cells = [c.text for c in table.rows[1].cells]
    assert cells == [
        "7",
        community["org_unit_name"],
        "居民参与率",
        "民主街道",
        "2026-06-30",
        "进行中",
        "—",
    ]


def test_english_variant(city_doc_en, city_context):
    outline = headings(city_doc_en)
    assert [text for style, text in outline if style == "Heading 1"] == CHAPTERS_EN
    for n, dim in enumerate(city_context.plan.dimensions, start=1):
        assert ("Heading 2", f"2.{n} {dim.name_en}") in outline
    title = next(p.text for p in city_doc_en.paragraphs if p.style.name == "Title")
    assert title == "Community development evaluation report — 示范市, 2025"
    header = [c.text for c in city_doc_en.tables[0].rows[0].cells]
    assert header == ["Indicator", "Value", "Target", "Status", "vs baseline", "Trend", "Reporting"]
    statuses = {row.cells[3].text for t in city_doc_en.tables[:5] for row in t.rows[1:]}
    assert statuses <= {pair[1] for pair in labels.STATUS.values()}
    footer = city_doc_en.sections[0].footer.paragraphs[0].text
    assert footer.startswith("Page ")


def test_the_format_registry_writes_docx(street_context, tmp_path):
    path = write(street_context, tmp_path / "street.docx")
    assert path.exists()
    assert headings(Document(path))[0] == ("Heading 1", CHAPTERS_ZH[0])


def test_appendix_audits_the_composite_of_the_ranked_level(city_doc, city_context, demo_city):
    header = ["维度", "指标数", "单位数", "克朗巴赫α", "第一主成分解释方差", "指标间相关"]
    (table,) = tables_with_header(city_doc, header)
    rows = {row.cells[0].text: [c.text for c in row.cells] for row in table.rows[1:]}
    assert "综合（各维度得分）" in rows
    # an independent Cronbach's α of one dimension from the run's stored indicator scores:
    # α = k/(k-1) · (1 − Σ var(item) / var(sum)), sample variances
    found = city_context.audit.dimensions.set_index("dimension")
    multi = found[found["items"] >= 2].index[0]
    name = city_context.plan.dimension(multi).name
    from shequ.evaluate.assessment import load

    with demo_city.begin() as conn:
        stored = load(conn, city_context.run_id, history=False).composite.indicator_scores
    codes = [i.code for i in city_context.plan.indicators if i.dimension == multi]
    mine = stored[
        (stored["level"] == city_context.audit_level)
        & (stored["period"] == city_context.period)
        & stored["indicator"].isin(codes)
    ]
    wide = mine.pivot_table(index="org_unit", columns="indicator", values="score").dropna()
    k = wide.shape[1]
    alpha = k / (k - 1) * (1 - wide.var().sum() / wide.sum(axis=1).var())
    assert rows[name][1] == str(k) and rows[name][2] == str(len(wide))
    assert rows[name][3] == f"{alpha:,.2f}"
