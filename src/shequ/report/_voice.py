"""The residents'-voice section of a report: the three suggestion rates and the top
categories of the unit, survey rates with 95 % intervals, the most repeated problems.

Sentences come as (Chinese, English) pairs; with no suggestions and no survey answers for
the unit and period there are none, and the report says the section is left out.
"""

from __future__ import annotations

import math

from sqlalchemy import Connection

from ..framework import labels
from ..framework.models import Plan
from ..store import orgunits
from ..voice import duplicates, rates
from ..voice.surveys import rates as survey_rates

Line = tuple[str, str]


def _pct(value: float) -> str:
    return "—" if value is None or math.isnan(value) else f"{value:.1f}%"


def voice_lines(conn: Connection, unit: str, period: str, plan: Plan) -> list[Line]:
    """Sentences about ``unit`` (and its subtree) in ``period``; empty when there is no data."""
    lines: list[Line] = []
    found = rates.suggestion_rates(conn, period, plan)
    mine = found[found["unit"] == unit]
    if len(mine) and mine.iloc[0]["received"] > 0:
        r = mine.iloc[0]
        top = rates.category_volume(conn, period, plan)
        top = top[top["unit"] == unit]
        cats_zh = "、".join(f"{t.category_name}（{int(t.count)}件）" for t in top.itertuples())
        cats_en = ", ".join(f"{t.category} ({int(t.count)})" for t in top.itertuples())
        lines.append(
            (
                f"意见建议：受理 {int(r.received):,} 件，响应率 {_pct(r.response_rate)}，解决率 "
                f"{_pct(r.resolution_rate)}，满意率 {_pct(r.satisfaction_rate)}（{int(r.rated):,} 件有"
                f"评价）；主要类别：{cats_zh}。",
                f"Suggestions: {int(r.received):,} received; response rate {_pct(r.response_rate)}, "
                f"resolution rate {_pct(r.resolution_rate)}, satisfaction rate "
                f"{_pct(r.satisfaction_rate)} ({int(r.rated):,} rated); top categories: {cats_en}.",
            )
        )
    for question, (zh, en) in labels.QUESTION.items():
        frame = survey_rates.survey_rates(conn, period, question, plan)
        row = frame[frame["unit"] == unit]
        if row.empty:
            continue
        s = row.iloc[0]
        note = f"；{s.warning.split(' / ')[0]}" if s.warning else ""
        note_en = f"; {s.warning.split(' / ')[1]}" if s.warning else ""
        lines.append(
            (
                f"问卷{zh}比例 {_pct(s.rate)}（95%置信区间 {_pct(s.low)}–{_pct(s.high)}，"
                f"{int(s.answered):,} 份答卷）{note}。",
                f"Survey {en}: {_pct(s.rate)} (95% CI {_pct(s.low)}–{_pct(s.high)}, "
                f"{int(s.answered):,} answers){note_en}.",
            )
        )
    if lines:
        codes = orgunits.subtree(conn, unit, _last_day(period))
        groups = duplicates.top_groups(conn, org_units=codes, limit=3)
        repeated = groups[groups["size"] > 1]
        if len(repeated):
            zh = "；".join(f"“{g.text[:30]}”（{int(g.size)}次）" for g in repeated.itertuples())
            en = "; ".join(f"'{g.text[:30]}' ({int(g.size)} times)" for g in repeated.itertuples())
            lines.append((f"重复反映最多的问题：{zh}。", f"Most repeated problems: {en}."))
    return lines


def _last_day(period: str):
    from ..framework.periods import parse_period

    return parse_period(period).end
