"""The evaluation report as HTML (Jinja2 templates in ``templates/``), the source of the PDF.

Templates: ``report.html`` (the whole report), ``scorecards.html`` (one page per
community), with the partials ``_indicators.html`` (the indicator table, also used by the
web pages) and ``_scorecard.html``. All are rendered by the one `ENVIRONMENT` of reports.
Charts are embedded as PNG data URIs, so the HTML is one self-contained file.
"""

from __future__ import annotations

import base64
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from ..framework import labels
from . import charts
from ._audit import audit_intro, audit_rows
from .context import ReportContext
from .rows import indicator_rows

TEXT = labels.by_language("html")


#: the report templates (the web pages look here after their own folder)
TEMPLATES = Path(str(resources.files("shequ.report") / "templates"))
#: the one Jinja environment of reports
ENVIRONMENT = Environment(
    loader=PackageLoader("shequ.report", "templates"), autoescape=select_autoescape(["html"])
)
#: the columns of the report's indicator tables, after indicator, value, target and status
INDICATOR_COLUMNS = ("change", "trend", "reporting")


def css() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def _data_uri(png: bytes | None) -> str | None:
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode()


def title(context: ReportContext, lang: str) -> str:
    if lang == "zh":
        return f"{context.unit_name}社区发展评估报告（{context.period}年度）"
    return f"Community development evaluation report — {context.unit_name}, {context.period}"


def render_report(context: ReportContext, *, lang: str = "zh") -> str:
    """The whole report as one self-contained HTML page."""
    t = TEXT[lang]
    return ENVIRONMENT.get_template("report.html").render(
        lang=lang,
        t=t,
        columns=INDICATOR_COLUMNS,
        css=css(),
        title=title(context, lang),
        cover=_cover(context, lang),
        summary=_summary(context, lang),
        dimensions=_dimensions(context, lang),
        rankings=_rankings(context, lang),
        ranking_chart=_data_uri(charts.ranking_chart(context, lang=lang)),
        diagnoses=_diagnoses(context, lang),
        tasks=_tasks(context),
        missing={k: labels.pick(v, lang) for k, v in context.missing.items()},
        findings={k: labels.pick(v, lang) for k, v in context.findings.items()},
        voice=[labels.pick(line, lang) for line in context.voice],
        appendix=_appendix(context, lang),
        audit=audit_rows(context, t, lang),
        audit_intro=audit_intro(context, t, lang) if context.audit else "",
    )


def _cover(context: ReportContext, lang: str) -> list[str]:
    level = labels.pick(labels.LEVEL.get(context.level, (context.level, context.level)), lang)
    if lang == "zh":
        return [
            f"评估单位：{context.unit_name}（{level}，{context.unit}）",
            f"评估期间：{context.period}年",
            f"指标方案：{context.plan.name}",
            f"评估运行：#{context.run_id}",
            f"生成日期：{context.generated.isoformat()}",
        ]
    return [
        f"Unit: {context.unit_name} ({level}, {context.unit})",
        f"Period: {context.period}",
        f"Plan: {context.plan.name_en}",
        f"Evaluation run: #{context.run_id}",
        f"Generated: {context.generated.isoformat()}",
    ]


def _summary(context: ReportContext, lang: str) -> list[str]:
    c = context.status_counts()
    gaps = context.serious_gaps()
    names = [(r.indicator_name if lang == "zh" else r.indicator_name_en) for r in gaps.itertuples()]
    if lang == "zh":
        lines = [
            f"对照 {c['met'] + c['not_met'] + c['no_data']} 项有目标的指标：达标 {c['met']} 项，"
            f"未达标 {c['not_met']} 项，无数据 {c['no_data']} 项；另有 {c['no_target']} 项监测指标无数值目标。"
        ]
        if names:
            lines.append("差距最大的指标：" + "、".join(names) + "。")
        return lines
    lines = [
        f"Of {c['met'] + c['not_met'] + c['no_data']} indicators with a target: {c['met']} met, "
        f"{c['not_met']} not met, {c['no_data']} without data; {c['no_target']} monitored without a target."
    ]
    if names:
        lines.append("Largest gaps: " + ", ".join(names) + ".")
    return lines


def _dimensions(context: ReportContext, lang: str) -> list[dict[str, Any]]:
    out = []
    for dim in context.plan.dimensions:
        frame = context.indicators[context.indicators["dimension"] == dim.code]
        if frame.empty:
            continue
        out.append(
            {
                "title": dim.name if lang == "zh" else dim.name_en,
                "rows": indicator_rows(frame, lang),
                "chart": _data_uri(charts.dimension_chart(context, dim.code, lang=lang)),
            }
        )
    return out


def _rankings(context: ReportContext, lang: str) -> list[dict[str, Any]]:
    rows = []
    for r in context.rankings.itertuples(index=False):
        interval = "—" if pd.isna(r.rank_low) else f"{r.rank_low:.0f}–{r.rank_high:.0f}"
        cls = labels.COORDINATION.get(r.coordination_class)
        rows.append(
            {
                "rank": f"{r.rank:.0f}",
                "interval": interval,
                "name": r.org_unit_name,
                "score": labels.number(r.score, 1),
                "coordination": f"{labels.number(r.coordination, 3)} {labels.pick(cls, lang) if cls else ''}",
            }
        )
    return rows


def _diagnoses(context: ReportContext, lang: str) -> list[dict[str, Any]]:
    out = []
    for d in context.diagnoses:
        overall = d.scores[d.scores["dimension"] == "overall"].iloc[0]
        cls = labels.COORDINATION.get(d.coordination["class"])
        headline = (
            f"综合得分 {overall['score']:.1f}，排名第 {overall['rank']:.0f}；协调度 {d.coordination['coordination']:.3f}（{labels.pick(cls, 'zh') if cls else '—'}）"
            if lang == "zh"
            else f"Overall score {overall['score']:.1f}, rank {overall['rank']:.0f}; coordination {d.coordination['coordination']:.3f} ({labels.pick(cls, 'en') if cls else '—'})"
        )
        gaps = []
        for g in d.gaps:
            ind = context.plan.indicator(g.indicator)
            peers = (
                "；".join(f"{p.name} {labels.number(p.value, ind.decimals)}" for p in g.peers)
                or "—"
            )
            gaps.append(
                {
                    "name": ind.name if lang == "zh" else ind.name_en,
                    "value": labels.number(g.value, ind.decimals),
                    "target": labels.number(g.target, ind.decimals),
                    "gain": f"+{g.gain:.1f}",
                    "peers": peers,
                    "action": (g.action if lang == "zh" else g.action_en)
                    + (f"（{g.tool}）" if g.tool else ""),
                }
            )
        out.append({"title": f"{d.name}（{d.org_unit}）", "headline": headline, "gaps": gaps})
    return out


def _tasks(context: ReportContext) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "unit": r.org_unit,
            "indicator": r.indicator,
            "owner": r.owner_unit,
            "deadline": str(r.deadline),
            "status": r.status,
        }
        for r in context.tasks.itertuples(index=False)
    ]


def _appendix(context: ReportContext, lang: str) -> list[dict[str, Any]]:
    mine = context.indicators.set_index("indicator")
    rows = []
    for ind in context.plan.indicators:
        targets = [t for t in context.plan.targets if t.indicator == ind.code]
        target = (
            "；".join(
                (
                    f"{t.comparator} {t.value:g}（{t.period}，{t.source}）"
                    if lang == "zh"
                    else f"{t.comparator} {t.value:g} ({t.period})"
                )
                for t in targets
            )
            or "—"
        )
        done = "—"
        if ind.code in mine.index:
            r = mine.loc[ind.code]
            done = f"{int(r['reporting_units'])}/{int(r['expected_units'])}"
        rows.append(
            {
                "name": ind.name if lang == "zh" else ind.name_en,
                "definition": ind.definition if lang == "zh" else ind.definition_en,
                "unit": ind.unit if lang == "zh" else ind.unit_en,
                "target": target,
                "completeness": done,
            }
        )
    return rows
