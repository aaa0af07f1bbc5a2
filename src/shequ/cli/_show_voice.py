"""Terminal rendering of residents' voice: rates, survey intervals, groups, participation."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..framework import labels


def _pct(value: float) -> str:
    return (
        "—"
        if value is None or (isinstance(value, float) and math.isnan(value))
        else f"{value:.1f}%"
    )


def print_suggestion_rates(
    console: Console, frame: pd.DataFrame, lang: str, limit: int = 30
) -> None:
    zh = lang == "zh"
    table = Table(title="意见建议三率" if zh else "Suggestions: the three rates")
    for h_zh, h_en in (
        ("单位", "unit"),
        ("受理", "received"),
        ("响应率", "response"),
        ("解决率", "resolution"),
        ("按期办结", "resolved in time"),
        ("满意率", "satisfaction"),
    ):
        table.add_column(h_zh if zh else h_en, justify="left" if h_en == "unit" else "right")
    for r in frame.head(limit).itertuples():
        table.add_row(
            f"{r.name or r.unit}",
            labels.number(r.received, 0),
            _pct(r.response_rate),
            _pct(r.resolution_rate),
            _pct(r.resolved_in_time_rate),
            f"{_pct(r.satisfaction_rate)} ({int(r.rated)})",
        )
    console.print(table)


def print_survey_rates(
    console: Console, frame: pd.DataFrame, title: str, lang: str, limit: int = 30
) -> None:
    zh = lang == "zh"
    table = Table(title=title)
    for h_zh, h_en in (
        ("单位", "unit"),
        ("答卷", "answers"),
        ("比例", "rate"),
        ("95%区间", "95% interval"),
        ("有效样本", "n_eff"),
        ("提示", "note"),
    ):
        table.add_column(h_zh if zh else h_en)
    for r in frame.head(limit).itertuples():
        note = r.warning.split(" / ")[0 if zh else 1] if r.warning else ""
        table.add_row(
            f"{r.name or r.unit}",
            labels.number(r.answered, 0),
            _pct(r.rate),
            f"{_pct(r.low)}–{_pct(r.high)}",
            f"{r.n_eff:.0f}",
            note,
        )
    console.print(table)


def print_groups(console: Console, frame: pd.DataFrame, lang: str) -> None:
    zh = lang == "zh"
    table = Table(title="重复反映最多的问题" if zh else "Most repeated problems")
    for h in (
        ("组", "group"),
        ("社区", "unit"),
        ("件数", "count"),
        ("类别", "category"),
        ("内容", "text"),
    ):
        table.add_column(h[0] if zh else h[1])
    for r in frame.itertuples():
        table.add_row(str(r.group_id), r.org_unit, str(r.size), str(r.category or "—"), r.text[:40])
    console.print(table)


def print_categories(console: Console, frame: pd.DataFrame, lang: str, limit: int = 60) -> None:
    zh = lang == "zh"
    table = Table(title="意见建议主要类别" if zh else "Top suggestion categories")
    for h in (("单位", "unit"), ("名次", "rank"), ("类别", "category"), ("件数", "count")):
        table.add_column(h[0] if zh else h[1])
    for r in frame.head(limit).itertuples():
        name = r.category_name if zh else r.category
        table.add_row(f"{r.name or r.unit}", str(r.rank), str(name), labels.number(r.count, 0))
    console.print(table)
