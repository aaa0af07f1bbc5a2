"""Terminal rendering of an evaluation: each unit's indicator table, and the share of targets
met by level (rich tables)."""

from __future__ import annotations

import numpy as np
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
    found = _LevelStats(evaluation.results)
    counts = Table(title="各层级评估结果（单位数、指标状态数）" if zh else "Results by level")
    for header in (
        ["期间", "层级", "单位数", "达标", "未达标", "无数据", "无目标"]
        if zh
        else ["Period", "Level", "Units", "Met", "Not met", "No data", "No target"]
    ):
        counts.add_column(header)
    for period, level, units, status in found.groups():
        counts.add_row(
            str(period),
            _level_name(str(level), lang),
            f"{units:,}",
            *(f"{status[s]:,}" for s in ("met", "not_met", "no_data", "no_target")),
        )
    console.print(counts)
    for group, (period, level, units, _) in enumerate(found.groups()):
        if units > 1:
            title = f"{_level_name(str(level), lang)} · {period}"
            _print_extremes(console, found.ranked(group), title, zh)
    console.print(
        "（每个单位的指标表：加 --all）" if zh else "(every unit's indicator table: add --all)"
    )


class _LevelStats:
    """Counts of a run's results by (period, level), in the order they first occur, and
    by unit within each: on integer codes of the text columns (a national run's 8.6 M rows
    grouped by pandas per level took ~15 s; one factorisation and a few bincounts do it)."""

    def __init__(self, results: pd.DataFrame) -> None:
        period, self.periods = pd.factorize(results["period"])
        level, self.levels = pd.factorize(results["level"])
        unit, self.units = pd.factorize(results["org_unit"])
        status, statuses = pd.factorize(results["status"])
        code = {s: statuses.get_loc(s) if s in statuses else -2 for s in STATUS_STYLE}
        keep = (period >= 0) & (level >= 0)  # groupby leaves out missing keys
        group = period * len(self.levels) + level
        present, first = np.unique(group[keep], return_index=True)
        self._order = present[np.argsort(first, kind="stable")]  # first occurrence
        where = np.full(len(self.periods) * len(self.levels) + 1, -1)
        where[self._order] = np.arange(len(self._order))
        self._group = np.where(keep, where[group], len(self._order))  # dropped: past the end
        n = len(self._order) + 1
        self._status = {
            s: np.bincount(self._group[status == c], minlength=n) for s, c in code.items()
        }
        seen = np.zeros(n * len(self.units), dtype=bool)  # a unit seen in a group
        seen[(self._group * len(self.units) + unit)[unit >= 0]] = True
        self._units = seen.reshape(n, len(self.units)).sum(axis=1)
        self._unit, self._names = unit, results["org_unit_name"].to_numpy(dtype=object)
        self._met = status == code["met"]
        self._targeted = self._met | (status == code["not_met"])
        rank = np.empty(len(self.units), dtype=np.int64)  # the units' codes in code order
        rank[np.argsort(np.asarray(self.units, dtype=str), kind="stable")] = np.arange(len(rank))
        self._rank = rank

    def groups(self) -> list[tuple[object, object, int, dict[str, int]]]:
        """(period, level, number of units, count of each status) of each group."""
        width = len(self.levels)
        return [
            (
                self.periods[code // width],
                self.levels[code % width],
                int(self._units[g]),
                {s: int(c[g]) for s, c in self._status.items()},
            )
            for g, code in enumerate(self._order)
        ]

    def ranked(self, group: int) -> pd.DataFrame:
        """The units of ``group`` with a targeted indicator (code, name, met, targeted,
        share met), the highest share first, then by code."""
        rows = np.flatnonzero(self._targeted & (self._group == group))
        units, first, inverse = np.unique(self._unit[rows], return_index=True, return_inverse=True)
        met = np.bincount(inverse[self._met[rows]], minlength=len(units))
        targeted = np.bincount(inverse, minlength=len(units))
        share = met / targeted
        order = np.lexsort((self._rank[units], -share))
        return pd.DataFrame(
            {
                "org_unit": np.asarray(self.units, dtype=object)[units[order]],
                "org_unit_name": self._names[rows[first[order]]],
                "met": met[order],
                "targeted": targeted[order],
                "share": share[order],
            }
        )


def _print_extremes(console: Console, ranked: pd.DataFrame, title: str, zh: bool) -> None:
    if ranked.empty:
        return
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
