"""The one-page scorecard of a community (社区记分卡), for the community notice board."""

from __future__ import annotations

from typing import Any

import pandas as pd

from .context import ReportContext
from .html import ENVIRONMENT, INDICATOR_COLUMNS, TEXT, css
from .rows import indicator_rows

TOP_GAPS = 3


def render_scorecards(
    context: ReportContext, *, lang: str = "zh", units: list[str] | None = None
) -> str:
    """HTML with one scorecard page per community of the context (or per unit in ``units``)."""
    frame = pd.concat([context.indicators, context.subunits], ignore_index=True)
    if units is None:
        units = list(dict.fromkeys(frame.loc[frame["level"] == "community", "org_unit"]))
    names = dict(zip(frame["org_unit"], frame["org_unit_name"], strict=False))
    parents = (
        dict(zip(frame["org_unit"], frame["parent_code"], strict=False))
        if "parent_code" in frame
        else {}
    )
    cards = [_card(context, frame[frame["org_unit"] == u], names, parents, lang) for u in units]
    title = "社区记分卡" if lang == "zh" else "Community scorecards"
    return ENVIRONMENT.get_template("scorecards.html").render(
        lang=lang, css=css(), title=title, cards=cards, t=TEXT[lang], columns=INDICATOR_COLUMNS
    )


def sibling_rank(scores: pd.DataFrame, unit: str, parents: dict) -> tuple[int, int] | None:
    """(rank, count) of ``unit`` by overall score among the scored units of its level that
    share its parent (a community among its street's communities): 1 + the siblings that
    score strictly higher, so ties share a rank. None when the unit has no score."""
    mine = scores[scores["org_unit"] == unit]
    if mine.empty or pd.isna(mine["score"].iloc[0]):
        return None
    parent = parents.get(unit)
    same = scores[
        (scores["level"] == mine["level"].iloc[0])
        & scores["org_unit"].map(lambda u: parents.get(u) == parent)
        & scores["score"].notna()
    ]
    return 1 + int((same["score"] > mine["score"].iloc[0]).sum()), len(same)


def _rank_text(scores: pd.DataFrame, unit: str, parents: dict, names: dict, lang: str) -> str:
    """The score line of a card: the rank among the parent's units of the same level, then
    the run's own rank over all units of that level with its 90 % interval."""
    found = None if scores.empty else sibling_rank(scores, unit, parents)
    if found is None:
        return ""
    rank, count = found
    s = scores[scores["org_unit"] == unit].iloc[0]
    parent = names.get(parents.get(unit), parents.get(unit) or "")
    overall = f"{s['rank']:.0f}" if pd.notna(s["rank"]) else "—"
    interval = "" if pd.isna(s["rank_low"]) else f"{s['rank_low']:.0f}–{s['rank_high']:.0f}"
    if lang == "zh":
        tail = f"（90%区间 {interval}）" if interval else ""
        return (
            f"综合得分 {s['score']:.1f}，在{parent}的 {count} 个同级单位中排名第 {rank}；"
            f"在全部参评同级单位中排名第 {overall}{tail}"
        )
    tail = f" (90% interval {interval})" if interval else ""
    return (
        f"Overall score {s['score']:.1f}: rank {rank} of {count} in {parent}; "
        f"rank {overall} among all units of its level{tail}"
    )


def _card(
    context: ReportContext, rows: pd.DataFrame, names: dict, parents: dict, lang: str
) -> dict[str, Any]:
    unit = rows["org_unit"].iloc[0]
    name = names.get(unit, unit)
    chain = []
    parent = parents.get(unit)
    while isinstance(parent, str) and parent in names and parent != context.unit:
        chain.append(names[parent])
        parent = parents.get(parent)
    where = " · ".join(reversed(chain)) if chain else context.unit_name
    score = _rank_text(context.overall_scores, unit, parents, names, lang)
    unmet = rows[rows["status"] == "not_met"]
    gap_names = [
        (r.indicator_name if lang == "zh" else r.indicator_name_en) for r in unmet.itertuples()
    ][:TOP_GAPS]
    gaps = ""
    if gap_names:
        gaps = (
            ("需要重点改进：" + "、".join(gap_names))
            if lang == "zh"
            else ("To improve first: " + ", ".join(gap_names))
        )
    if lang == "zh":
        return {
            "title": f"{name}发展记分卡（{context.period}年）",
            "meta": f"{where} · 编码 {unit}",
            "score": score,
            "rows": indicator_rows(rows, lang),
            "gaps": gaps,
            "footer": f"依据《{context.plan.name}》，评估运行 #{context.run_id}，生成于 {context.generated.isoformat()}。“—”表示无数据。",
        }
    return {
        "title": f"{name} — community scorecard {context.period}",
        "meta": f"{where} · code {unit}",
        "score": score,
        "rows": indicator_rows(rows, lang),
        "gaps": gaps,
        "footer": f"Plan: {context.plan.name_en}; evaluation run #{context.run_id}; generated {context.generated.isoformat()}. '—' means no data.",
    }
