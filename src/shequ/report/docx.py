"""The Word evaluation report (评估报告) of one unit in one period of one evaluation run.

Chapters (Heading 1, so that Word's navigation pane shows the outline): 一、总体情况,
二、分维度评估 (a Heading 2, table and chart per dimension), 三、下级单位排名,
四、服务设施覆盖, 五、居民意见与满意度, 六、问题诊断与整改, 附录. A section without data
says why in one sentence (``context.missing``); a missing value is a dash, never 0.
Chinese by default, English with ``lang="en"``. Word primitives are in `_docx_parts`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from docx.enum.text import WD_ALIGN_PARAGRAPH

from ..framework import labels
from ..framework.models import Indicator, Target
from . import charts
from ._audit import add_audit
from ._docx_parts import (
    COVER,
    TEXT,
    add_note,
    add_picture,
    add_table,
    count_words,
    difference,
    setup_document,
    unit_names,
    with_unit,
)
from ._docx_scenario import add_scenario
from .context import ReportContext

NUMERALS = "一二三四五六七八九十"
TREND_SUMMARY = ("on_track", "at_risk", "off_track", "insufficient_data")
OPTIONAL = ("coverage", "voice")  # chapters no code fills yet: a sentence either way


def title(context: ReportContext, lang: str) -> str:
    if lang == "zh":
        return f"{context.unit_name}社区发展评估报告（{context.period}年度）"
    return f"Community development evaluation report — {context.unit_name}, {context.period}"


def write_docx(context: ReportContext, path: str | Path, *, lang: str = "zh") -> Path:
    """Write the Word report of ``context`` to ``path`` (Chinese, or English with "en")."""
    t = {key: labels.pick(pair, lang) for key, pair in TEXT.items()}
    doc = setup_document(lang)
    _cover(doc, context, t, lang)
    _summary(doc, context, t, lang)
    _dimensions(doc, context, t, lang)
    _rankings(doc, context, t, lang)
    for section in OPTIONAL:
        doc.add_heading(t[section], level=1)
        reason = context.missing.get(section)
        lines = context.voice if section == "voice" and not reason else []
        for line in lines:
            doc.add_paragraph(labels.pick(line, lang))
        if not lines:
            note = reason or context.findings.get(section)
            add_note(doc, labels.pick(note, lang) if note else t["present"])
    _diagnosis(doc, context, t, lang)
    if context.scenario is not None:
        add_scenario(doc, context.scenario, lang)
    _appendix(doc, context, t, lang)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.core_properties.title = title(context, lang)
    doc.core_properties.language = "zh-CN" if lang == "zh" else "en-US"
    doc.save(path)
    return path


def _cover(doc, context: ReportContext, t: dict, lang: str) -> None:
    for _ in range(4):
        doc.add_paragraph()
    doc.add_paragraph(title(context, lang), style="Title")
    doc.add_paragraph()
    created = context.run_created
    facts = {
        "unit": context.unit_name,
        "level": _level(context.level, lang),
        "code": context.unit,
        "period": context.period,
        "plan": context.plan.name if lang == "zh" else context.plan.name_en,
        "run": context.run_id,
        "created": f"{created:%Y-%m-%d %H:%M}" if created is not None else "—",
        "generated": context.generated.isoformat(),
    }
    for line in COVER:
        paragraph = doc.add_paragraph(labels.pick(line, lang).format(**facts))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_page_break()


def _summary(doc, context: ReportContext, t: dict, lang: str) -> None:
    doc.add_heading(t["summary"], level=1)
    plan = context.plan.name if lang == "zh" else context.plan.name_en
    doc.add_paragraph(t["intro"].format(plan=plan, unit=context.unit_name, period=context.period))
    c = context.status_counts()
    doc.add_paragraph(t["counts"].format(total=c["met"] + c["not_met"] + c["no_data"], **c))
    gaps = context.serious_gaps()
    if gaps.empty:
        doc.add_paragraph(t["no_gaps"])
    else:
        doc.add_paragraph(t["gaps"])
        for r in gaps.itertuples(index=False):
            decimals = int(r.decimals)
            unit = _unit(r, lang)
            line = t["gap"].format(
                name=_name(r, lang),
                value=with_unit(labels.number(r.value, decimals), unit),
                target=with_unit(labels.target_text(r.comparator, r.target, decimals), unit),
                diff=difference(abs(r.value - r.target), decimals, unit, t),
            )
            doc.add_paragraph(line, style="List Bullet")
    _own_scores(doc, context, t, lang)
    trends = []
    if "trend_status" in context.indicators:
        counts = context.indicators["trend_status"].value_counts()
        trends = count_words(counts, {k: labels.TREND[k] for k in TREND_SUMMARY}, t, lang)
    if trends:
        doc.add_paragraph(t["trends"] + t["sep"].join(trends) + t["end"])


def _own_scores(doc, context: ReportContext, t: dict, lang: str) -> None:
    """The unit's overall rank and dimension scores, when it has a composite score."""
    overall = context.overall_scores
    mine = overall[overall["org_unit"] == context.unit] if not overall.empty else overall
    if not mine.empty:
        row = mine.iloc[0]
        doc.add_paragraph(
            t["rank"].format(
                unit=context.unit_name,
                score=labels.number(row["score"], 1),
                rank=_whole(row["rank"]),
                low=_whole(row.get("rank_low")),
                high=_whole(row.get("rank_high")),
            )
        )
    scores = context.dimension_scores
    if scores.empty:
        return
    scores = scores[scores["org_unit"] == context.unit].set_index("dimension")
    parts = [
        t["dimension_score"].format(
            name=_dimension_name(dim, lang),
            score=labels.number(scores.loc[dim.code, "score"], 1),
            rank=_whole(scores.loc[dim.code, "rank"]),
        )
        for dim in context.plan.dimensions
        if dim.code in scores.index
    ]
    if parts:
        doc.add_paragraph(t["dimension_scores"] + t["sep"].join(parts) + t["end"])


def _dimensions(doc, context: ReportContext, t: dict, lang: str) -> None:
    doc.add_heading(t["dimensions"], level=1)
    for n, dim in enumerate(context.plan.dimensions, start=1):
        number = NUMERALS[n - 1] if lang == "zh" and n <= len(NUMERALS) else str(n)
        doc.add_heading(t["dimension"].format(n=number, name=_dimension_name(dim, lang)), level=2)
        frame = context.indicators[context.indicators["dimension"] == dim.code]
        if frame.empty:
            add_note(doc, t["no_rows"])
            continue
        counts = frame["status"].value_counts()
        shown = count_words(counts, labels.STATUS, t, lang)
        doc.add_paragraph(
            t["dimension_counts"].format(n=len(frame), counts=t["list_sep"].join(shown))
        )
        indicator_table(doc, frame, t, lang)
        png = charts.dimension_chart(context, dim.code, lang=lang)
        if png is None:
            add_note(doc, t["no_chart"])
        else:
            add_picture(doc, png)


def indicator_table(doc, frame: pd.DataFrame, t: dict, lang: str) -> None:
    """指标 | 数值 (with unit) | 目标 | 状态 (shaded) | 较基期变化 | 趋势 | 报送."""
    keys = ["indicator", "value", "target", "status", "change", "trend", "reporting"]
    rows, fills = [], []
    for r in frame.itertuples(index=False):
        decimals = int(r.decimals)
        trend = getattr(r, "trend_status", None)
        rows.append(
            [
                _name(r, lang),
                with_unit(labels.number(r.value, decimals), _unit(r, lang)),
                labels.target_text(r.comparator, r.target, decimals),
                labels.pick(labels.STATUS.get(r.status, (r.status, r.status)), lang),
                _signed(r.change_vs_baseline, decimals),
                labels.pick(labels.TREND[trend], lang) if trend in labels.TREND else "—",
                _reporting(r.reporting_units, r.expected_units),
            ]
        )
        fills.append([None, None, None, labels.STATUS_COLOUR.get(r.status), None, None, None])
    widths = [4.2, 2.6, 2.0, 1.6, 1.8, 1.8, 1.4]
    _table(doc, t, keys, rows, widths=widths, fills=fills, numeric=(1, 2, 4, 6))


def _rankings(doc, context: ReportContext, t: dict, lang: str) -> None:
    doc.add_heading(t["rankings"], level=1)
    frame = context.rankings
    if frame.empty or not context.has("rankings"):
        reason = context.missing.get("rankings", ("无下级单位排名", "no sub-unit ranking"))
        add_note(doc, labels.pick(reason, lang))
        return
    doc.add_paragraph(t["ranking_intro"].format(unit=context.unit_name))
    rows = []
    for r in frame.itertuples(index=False):
        cls = labels.COORDINATION.get(r.coordination_class)
        low, high = _whole(r.rank_low), _whole(r.rank_high)
        rows.append(
            [
                _whole(r.rank),
                _text(r.org_unit_name, r.org_unit),
                labels.number(r.score, 1),
                "—" if low == "—" else f"{low}–{high}",
                labels.number(r.coordination, 3),
                labels.pick(cls, lang) if cls else "—",
            ]
        )
    keys = ["rank", "unit", "score", "interval", "coordination", "class"]
    _table(doc, t, keys, rows, widths=[1.4, 3.6, 2.2, 2.4, 2.0, 3.0], numeric=(0, 2, 3, 4))
    png = charts.ranking_chart(context, lang=lang)
    if png is not None:
        add_picture(doc, png)


def _diagnosis(doc, context: ReportContext, t: dict, lang: str) -> None:
    doc.add_heading(t["diagnosis"], level=1)
    if not context.diagnoses:
        reason = context.missing.get("diagnosis", ("没有诊断", "no diagnosis"))
        add_note(doc, labels.pick(reason, lang))
    comparators = {x.indicator: x.comparator for x in context.plan.targets}
    for d in context.diagnoses:
        doc.add_heading(
            f"{d.name}（{d.org_unit}）" if lang == "zh" else f"{d.name} ({d.org_unit})", level=2
        )
        overall = d.scores[d.scores["dimension"] == "overall"]
        if not overall.empty:
            cls = labels.COORDINATION.get(d.coordination.get("class"))
            doc.add_paragraph(
                t["headline"].format(
                    score=labels.number(overall["score"].iloc[0], 1),
                    rank=_whole(overall["rank"].iloc[0]),
                    coordination=labels.number(d.coordination.get("coordination"), 3),
                    cls=labels.pick(cls, lang) if cls else "—",
                )
            )
        if not d.gaps:
            doc.add_paragraph(t["no_gap_rows"])
            continue
        rows = []
        for g in d.gaps:
            ind = context.plan.indicator(g.indicator)
            peers = t["sep"].join(
                f"{p.name} {labels.number(p.value, ind.decimals)}" for p in g.peers
            )
            action = g.action if lang == "zh" else g.action_en
            rows.append(
                [
                    ind.name if lang == "zh" else ind.name_en,
                    with_unit(labels.number(g.value, ind.decimals), _unit(ind, lang)),
                    labels.target_text(comparators.get(g.indicator), g.target, ind.decimals),
                    f"+{g.gain:.1f}",
                    peers or "—",
                    (action or "—") + (t["tool"].format(tool=g.tool) if g.tool else ""),
                ]
            )
        keys = ["indicator", "value", "target", "gain", "peers", "action"]
        _table(doc, t, keys, rows, widths=[3.0, 2.2, 1.6, 1.6, 3.6, 3.4], numeric=(1, 2, 3))
    _tasks(doc, context, t, lang)


def _tasks(doc, context: ReportContext, t: dict, lang: str) -> None:
    doc.add_heading(t["tasks"], level=2)
    if context.tasks.empty:
        reason = context.missing.get("tasks", ("暂无整改任务", "no follow-up tasks yet"))
        add_note(doc, labels.pick(reason, lang))
        return
    names = unit_names(context)
    indicators = {i.code: i for i in context.plan.indicators}
    rows = []
    for r in context.tasks.itertuples(index=False):
        ind = indicators.get(r.indicator)
        rows.append(
            [
                str(r.id),
                names.get(str(r.org_unit), str(r.org_unit)),
                (ind.name if lang == "zh" else ind.name_en) if ind else str(r.indicator),
                names.get(str(r.owner_unit), _text(r.owner_unit, "—")),
                _text(r.deadline, "—"),
                _task_word(r.status, lang),
                _task_word(getattr(r, "outcome", None), lang),
            ]
        )
    keys = ["id", "unit", "indicator", "owner", "deadline", "task_status", "outcome"]
    _table(doc, t, keys, rows, numeric=(0,))


def _appendix(doc, context: ReportContext, t: dict, lang: str) -> None:
    doc.add_heading(t["appendix"], level=1)
    doc.add_heading(t["definitions"], level=2)
    plan = context.plan
    rows = []
    for ind in plan.indicators:
        targets = [x for x in plan.targets if x.indicator == ind.code]
        rows.append(
            [
                ind.name if lang == "zh" else ind.name_en,
                _dimension_name(plan.dimension(ind.dimension), lang),
                ind.definition if lang == "zh" else ind.definition_en,
                _unit(ind, lang) or "—",
                t[ind.direction],
                "\n".join(_target_line(x, ind, t, lang) for x in targets) or "—",
            ]
        )
    keys = ["indicator", "dimension", "definition", "unit_label", "direction", "target"]
    _table(doc, t, keys, rows, widths=[2.6, 1.6, 5.0, 1.6, 1.6, 3.0])
    doc.add_heading(t["completeness"], level=2)
    mine = context.indicators.drop_duplicates("indicator").set_index("indicator")
    rows = []
    for ind in plan.indicators:
        found = ind.code in mine.index
        reported = mine.loc[ind.code, "reporting_units"] if found else None
        expected = mine.loc[ind.code, "expected_units"] if found else None
        rate = "—"
        if found and pd.notna(reported) and pd.notna(expected) and expected:
            rate = f"{reported / expected * 100:.1f}%"
        rows.append(
            [ind.name if lang == "zh" else ind.name_en, _whole(reported), _whole(expected), rate]
        )
    keys = ["indicator", "reported", "expected", "rate"]
    _table(doc, t, keys, rows, widths=[6.0, 2.5, 2.5, 2.5], numeric=(1, 2, 3))
    add_audit(doc, context, t, lang, table=_table)


def _target_line(target: Target, ind: Indicator, t: dict, lang: str) -> str:
    """One target as the appendix states it, with its period, scope and source sentence."""
    if target.comparator == "reduce_by":
        value = labels.number(target.value, 0 if float(target.value).is_integer() else 1)
        text = t["reduce_by"].format(value=value, baseline=target.baseline_period)
    else:
        shown = labels.target_text(target.comparator, target.value, ind.decimals)
        text = with_unit(shown, _unit(ind, lang))
    scope = t["scope"].format(scope=target.scope) if target.scope else ""
    if target.level:
        scope += t["level_scope"].format(level=_level(target.level, lang))
    text += t["target_note"].format(period=target.period, scope=scope)
    if target.source:
        text += t["source"].format(source=target.source)
    return text


def _table(doc, t: dict, keys: list[str], rows: list[list[str]], **options) -> None:
    """A table whose header row holds the words ``h_<key>`` of ``keys``."""
    add_table(doc, [t[f"h_{k}"] for k in keys], rows, **options)


def _name(row, lang: str) -> str:
    return row.indicator_name if lang == "zh" else row.indicator_name_en


def _unit(row, lang: str) -> str:
    value = row.unit if lang == "zh" else row.unit_en
    return value if isinstance(value, str) else ""


def _signed(value: object, decimals: int) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:+,.{decimals}f}"


def _whole(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.0f}"


def _reporting(reported: object, expected: object) -> str:
    return f"{_whole(reported)}/{_whole(expected)}"


def _text(value: object, fallback: object) -> str:
    missing = value is None or (not isinstance(value, str) and pd.isna(value))
    return str(fallback) if missing else str(value)


def _task_word(word: object, lang: str) -> str:
    return labels.pick(labels.TASK[word], lang) if word in labels.TASK else _text(word, "—")


def _level(level: str, lang: str) -> str:
    return labels.pick(labels.LEVEL.get(level, (level, level)), lang)


def _dimension_name(dim, lang: str) -> str:
    return dim.name if lang == "zh" else dim.name_en
