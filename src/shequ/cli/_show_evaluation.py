"""Terminal rendering of an evaluation: each unit's indicator table, and the share of targets
met by level (rich tables)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..evaluate.run import Evaluation
from ..framework import labels
from ..framework.models import Plan

STATUS_STYLE = {"met": "green", "not_met": "red", "no_data": "yellow", "no_target": "dim"}


def target_text(row: pd.Series, plan: Plan, lang: str) -> str:
    comparator = row["comparator"]
    if not isinstance(comparator, str):
        return ""
    decimals = plan.indicator(row["indicator"]).decimals
    if comparator != "reduce_by":
        return f"{comparator} {labels.number(row['target'], decimals)}"
    cut = next(
        t
        for t in plan.targets
        if t.indicator == row["indicator"]
        and t.comparator == "reduce_by"
        and t.period == row["target_period"]
    )
    note = (
        f"较{cut.baseline_period}年降{cut.value:g}%"
        if lang == "zh"
        else f"−{cut.value:g}% vs {cut.baseline_period}"
    )
    return f"≤ {labels.number(row['target'], decimals)} ({note})"


TREND_STYLE = {"met": "green", "on_track": "green", "at_risk": "yellow", "off_track": "red"}


def print_summary(
    console: Console,
    evaluation: Evaluation,
    lang: str,
    unit: str | None = None,
    trends: pd.DataFrame | None = None,
    every_unit: bool = False,
) -> None:
    plan: Plan = evaluation.plan
    rows = evaluation.results if every_unit else evaluation.summary(unit)
    if trends is not None and not trends.empty:
        keys = ["indicator", "org_unit", "period"]
        rows = rows.merge(
            trends[[*keys, "change_vs_previous", "trend_status"]], on=keys, how="left"
        )
    dims = {d.code: (d.name if lang == "zh" else d.name_en) for d in plan.dimensions}
    for (code, period), frame in rows.groupby(["org_unit", "period"], sort=False):
        name = frame["org_unit_name"].iloc[0]
        table = Table(title=f"{name} ({code}) · {period}", show_lines=False)
        with_trends = "trend_status" in frame.columns
        for header in _headers(lang, with_trends):
            table.add_column(header, overflow="fold")
        for _, row in frame.iterrows():
            ind = plan.indicator(row["indicator"])
            status = row["status"]
            cells = [
                dims[ind.dimension],
                ind.name if lang == "zh" else ind.name_en,
                labels.number(row["value"], ind.decimals),
                ind.unit if lang == "zh" else ind.unit_en,
                target_text(row, plan, lang),
                f"[{STATUS_STYLE[status]}]{labels.STATUS[status][0 if lang == 'zh' else 1]}[/]",
                f"{int(row['reporting_units'])}/{int(row['expected_units'])}",
            ]
            if with_trends:
                cells += [_signed(row["change_vs_previous"], ind.decimals), _trend(row, lang)]
            table.add_row(*cells)
        console.print(table)
        console.print(_counts(frame, lang))


def _headers(lang: str, with_trends: bool) -> list[str]:
    if lang == "zh":
        headers = ["维度", "指标", "数值", "单位", "目标", "状态", "报送"]
        return [*headers, "较上期", "趋势"] if with_trends else headers
    headers = ["Dimension", "Indicator", "Value", "Unit", "Target", "Status", "Reporting"]
    return [*headers, "Change", "Trend"] if with_trends else headers


def _signed(value: float | None, decimals: int) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:+,.{decimals}f}"


def _trend(row: pd.Series, lang: str) -> str:
    status = row.get("trend_status")
    if not isinstance(status, str):
        return ""
    label = labels.TREND[status][0 if lang == "zh" else 1]
    style = TREND_STYLE.get(status)
    return f"[{style}]{label}[/]" if style else label


def _counts(frame: pd.DataFrame, lang: str) -> str:
    counts = frame["status"].value_counts()
    parts = [
        f"{labels.STATUS[s][0 if lang == 'zh' else 1]} {int(counts.get(s, 0))}"
        for s in ("met", "not_met", "no_data", "no_target")
    ]
    return ("目标达成：" if lang == "zh" else "Targets: ") + " · ".join(parts)


def print_levels(console: Console, evaluation: Evaluation, lang: str) -> None:
    """How many units of each level meet each targeted indicator."""
    results = evaluation.results
    targeted = results[results["status"].isin(["met", "not_met"])]
    if targeted.empty:
        return
    table = Table(title="各级单位达标情况" if lang == "zh" else "Units meeting targets, by level")
    table.add_column("层级" if lang == "zh" else "Level")
    table.add_column("单位数" if lang == "zh" else "Units")
    table.add_column("达标比例" if lang == "zh" else "Share of targets met")
    for level, frame in targeted.groupby("level", sort=False):
        met = (frame["status"] == "met").mean() * 100
        table.add_row(
            _level_name(str(level), lang), str(frame["org_unit"].nunique()), f"{met:.1f}%"
        )
    console.print(table)


SHOWN_UNITS = 5


def print_level_summary(console: Console, evaluation: Evaluation, lang: str) -> None:
    """Counts per level and status, then the top and bottom units of each level by the share
    of their targeted indicators met — what a terminal can show of thousands of units
    (``--all`` prints every unit's table instead)."""
    zh = lang == "zh"
    # the columns shown only: a national run's 8.6 M rows copied whole per level took GBs
    results = evaluation.results[["period", "level", "org_unit", "org_unit_name", "status"]]
    counts = Table(title="各层级评估结果（单位数、指标状态数）" if zh else "Results by level")
    for header in (
        ["期间", "层级", "单位数", "达标", "未达标", "无数据", "无目标"]
        if zh
        else ["Period", "Level", "Units", "Met", "Not met", "No data", "No target"]
    ):
        counts.add_column(header)
    for (period, level), frame in results.groupby(["period", "level"], sort=False):
        status = frame["status"].value_counts()
        counts.add_row(
            str(period),
            _level_name(str(level), lang),
            f"{frame['org_unit'].nunique():,}",
            *(f"{int(status.get(s, 0)):,}" for s in ("met", "not_met", "no_data", "no_target")),
        )
    console.print(counts)
    for (period, level), frame in results.groupby(["period", "level"], sort=False):
        if frame["org_unit"].nunique() > 1:
            _print_extremes(console, frame, f"{_level_name(str(level), lang)} · {period}", zh)
    console.print(
        "（每个单位的指标表：加 --all）" if zh else "(every unit's indicator table: add --all)"
    )


def _print_extremes(console: Console, frame: pd.DataFrame, title: str, zh: bool) -> None:
    targeted = frame[frame["status"].isin(["met", "not_met"])]
    if targeted.empty:
        return
    per_unit = (
        targeted.assign(met=targeted["status"] == "met")
        .groupby(["org_unit", "org_unit_name"], as_index=False)
        .agg(met=("met", "sum"), targeted=("met", "size"))
    )
    per_unit["share"] = per_unit["met"] / per_unit["targeted"]
    ranked = per_unit.sort_values(["share", "org_unit"], ascending=[False, True])
    n = min(SHOWN_UNITS, len(ranked) // 2) or 1
    table = Table(
        title=f"{title}：达标比例最高与最低的 {n} 个单位"
        if zh
        else f"{title}: the {n} units meeting most and fewest targets"
    )
    for header in (
        ["", "编码", "单位", "达标/有目标", "达标比例"]
        if zh
        else ["", "Code", "Unit", "Met/targeted", "Share met"]
    ):
        table.add_column(header)
    for tag, part in (("↑", ranked.head(n)), ("↓", ranked.tail(n).iloc[::-1])):
        for row in part.itertuples(index=False):
            table.add_row(
                tag,
                row.org_unit,
                row.org_unit_name,
                f"{row.met}/{row.targeted}",
                f"{row.share:.0%}",
            )
    console.print(table)


def _level_name(level: str, lang: str) -> str:
    return labels.pick(labels.LEVEL.get(level, (level, level)), lang)
