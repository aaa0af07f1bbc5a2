"""Terminal rendering of composite scores, diagnoses and tasks (rich)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..evaluate.assessment import Assessment
from ..evaluate.composite.run import CompositeResult
from ..evaluate.diagnosis import Diagnosis
from ..framework import labels
from ..framework.models import Plan

SHOWN = 10


def print_composite(
    console: Console, result: Assessment, lang: str, level: str | None = None
) -> None:
    comp = result.composite
    if comp.scores.empty:
        return
    plan = result.evaluation.plan
    zh = lang == "zh"
    scores = comp.scores[comp.scores["dimension"] == "overall"]
    chosen = level or scores["level"].iloc[-1]
    shown_level = labels.pick(labels.LEVEL.get(chosen, (chosen, chosen)), lang)
    for period, frame in scores[scores["level"] == chosen].groupby("period"):
        coupling = comp.coordination[
            (comp.coordination["level"] == chosen) & (comp.coordination["period"] == period)
        ]
        title = (
            f"综合得分排名（{shown_level}，{period}）"
            if zh
            else f"Overall score ranking ({chosen}, {period})"
        )
        table = Table(title=title)
        for header in (
            ["排名", "90%区间", "单位", "综合得分", "插补占比", "TOPSIS", "协调度", "协调类型"]
            if zh
            else [
                "Rank",
                "90% interval",
                "Unit",
                "Score",
                "Imputed",
                "TOPSIS",
                "Coordination",
                "Class",
            ]
        ):
            table.add_column(header)
        ranked = frame.sort_values("rank").merge(
            coupling[["org_unit", "coordination", "class_zh", "class_en"]],
            on="org_unit",
            how="left",
        )
        ranked = ranked.merge(_shares(comp.availability, chosen, period), on="org_unit", how="left")
        shown = (
            ranked
            if len(ranked) <= 2 * SHOWN
            else pd.concat([ranked.head(SHOWN), ranked.tail(SHOWN)])
        )
        for row in shown.itertuples(index=False):
            interval = (
                ""
                if pd.isna(getattr(row, "rank_low", float("nan")))
                else f"{row.rank_low:.0f}–{row.rank_high:.0f}"
            )
            table.add_row(
                f"{row.rank:.0f}",
                interval,
                f"{row.org_unit_name}",
                labels.number(row.score, 1),
                _percent(row.imputed_share),
                labels.number(row.topsis, 3),
                labels.number(row.coordination, 3),
                _text(row.class_zh if zh else row.class_en),
            )
        console.print(table)
        if len(ranked) > 2 * SHOWN:
            console.print(
                f"（共 {len(ranked)} 个单位，显示前后各 {SHOWN} 个）"
                if zh
                else f"({len(ranked)} units; the first and last {SHOWN} shown)"
            )
    _print_availability(console, comp, plan, chosen, zh)
    _print_weights(console, comp.weights, plan, chosen, zh)
    _print_sensitivity(console, comp.sensitivity, chosen, zh)
    imputed = (
        comp.imputed[comp.imputed["level"] == chosen] if not comp.imputed.empty else comp.imputed
    )
    if len(imputed):
        counts = imputed["method"].value_counts().to_dict()
        console.print(
            ("缺失值插补：" if zh else "Imputed values: ")
            + ", ".join(f"{k} {v}" for k, v in counts.items())
        )


def _shares(availability: pd.DataFrame, level: str, period: str) -> pd.DataFrame:
    if "level" not in availability:  # a stored run keeps no availability table
        return pd.DataFrame(columns=["org_unit", "imputed_share"])
    mine = availability[(availability["level"] == level) & (availability["period"] == period)]
    return mine[["org_unit", "imputed_share"]]


def _percent(share: float | None) -> str:
    return "—" if share is None or pd.isna(share) else f"{share:.0%}"


def _text(value: object) -> str:
    """A label, or "—" where there is none (a unit without a coordination class)."""
    return value if isinstance(value, str) else "—"


def _print_availability(
    console: Console, comp: CompositeResult, plan: Plan, level: str, zh: bool
) -> None:
    """Dimensions left out and units not scored, each with its reason (never silent)."""
    left = comp.left_out
    if "level" in left:
        left = left[left["level"] == level].drop_duplicates("dimension")
    for row in left.itertuples(index=False):
        dim = plan.dimension(row.dimension)
        console.print(
            f"维度未计入综合得分：{dim.name}（{row.reason_zh}），其余维度权重重新归一"
            if zh
            else f"Dimension left out of the composite: {dim.name_en} ({row.reason_en}); "
            "the other dimensions' weights renormalised to sum to 1"
        )
    shares = comp.availability
    if shares.empty or "level" not in shares:
        return
    unscored = shares[(shares["level"] == level) & ~shares["scored"].astype(bool)]
    if len(unscored):
        first = unscored.iloc[0]
        console.print(
            f"{len(unscored)} 个单位数据不足、未计分，如 {first.org_unit_name}：{first.reason_zh}"
            if zh
            else f"{len(unscored)} units not scored for lack of data, e.g. "
            f"{first.org_unit_name}: {first.reason_en}"
        )


def _print_weights(
    console: Console, weights: pd.DataFrame, plan: Plan, level: str, zh: bool
) -> None:
    frame = weights[weights["level"] == level].drop_duplicates("dimension")
    parts = [
        f"{(plan.dimension(d).name if zh else plan.dimension(d).name_en)} {w:.3f}"
        for d, w in zip(frame["dimension"], frame["dimension_weight"], strict=True)
    ]
    console.print(("维度权重：" if zh else "Dimension weights: ") + " · ".join(parts))


def _print_sensitivity(console: Console, sensitivity: pd.DataFrame, level: str, zh: bool) -> None:
    if sensitivity.empty:
        return
    frame = sensitivity[sensitivity["level"] == level]
    names = {
        "weights": "权重",
        "normalisation": "标准化方法",
        "aggregation": "集成方法",
        "imputation": "缺失值插补",
    }
    parts = [
        f"{names[c] if zh else c} {s:.1f}"
        for c, s in zip(frame["choice"], frame["mean_rank_shift"], strict=True)
    ]
    console.print(
        ("对排名影响（平均名次变化）：" if zh else "Rank shift by choice (mean ranks moved): ")
        + " · ".join(parts)
    )


def print_diagnosis(console: Console, d: Diagnosis, plan: Plan, lang: str) -> None:
    zh = lang == "zh"
    overall = d.scores[d.scores["dimension"] == "overall"].iloc[0]
    interval = (
        ""
        if pd.isna(overall.get("rank_low"))
        else f"（90%区间 {overall['rank_low']:.0f}–{overall['rank_high']:.0f}）"
    )
    console.print(f"[bold]{d.name} ({d.org_unit}) · {d.period}[/]")
    console.print(
        (
            f"综合得分 {overall['score']:.1f}，排名 {overall['rank']:.0f}{interval}；协调度 {d.coordination['coordination']:.3f}（{_text(d.coordination['class_zh'])}）"
        )
        if zh
        else f"Overall {overall['score']:.1f}, rank {overall['rank']:.0f} {interval}; coordination {d.coordination['coordination']:.3f} ({_text(d.coordination['class_en'])})"
    )
    dims = d.scores[d.scores["dimension"] != "overall"]
    console.print(
        "  ".join(
            f"{plan.dimension(r.dimension).name if zh else r.dimension} {r.score:.1f}"
            for r in dims.itertuples()
        )
    )
    table = Table(
        title="主要短板（按对综合得分的提升排序）"
        if zh
        else "Gaps, by the score gain of closing them"
    )
    for header in (
        ["指标", "数值", "目标", "可提升", "表现更好的相似单位", "建议"]
        if zh
        else [
            "Indicator",
            "Value",
            "Target",
            "Gain",
            "Similar units doing better",
            "Suggested action",
        ]
    ):
        table.add_column(header, overflow="fold")
    for gap in d.gaps:
        ind = plan.indicator(gap.indicator)
        peers = (
            "；".join(f"{p.name} {labels.number(p.value, ind.decimals)}" for p in gap.peers) or "—"
        )
        table.add_row(
            ind.name if zh else ind.name_en,
            labels.number(gap.value, ind.decimals),
            labels.number(gap.target, ind.decimals),
            f"+{gap.gain:.1f}",
            peers,
            escape((gap.action if zh else gap.action_en) + (f" [{gap.tool}]" if gap.tool else "")),
        )
    console.print(table)


def print_tasks(console: Console, tasks: pd.DataFrame, lang: str) -> None:
    zh = lang == "zh"
    table = Table(title="整改任务" if zh else "Follow-up tasks")
    for header in (
        ["编号", "单位", "指标", "责任单位", "截止", "状态", "进展", "起始值", "最新值"]
        if zh
        else [
            "ID",
            "Unit",
            "Indicator",
            "Owner",
            "Deadline",
            "Status",
            "Outcome",
            "Start",
            "Latest",
        ]
    ):
        table.add_column(header)
    for t in tasks.itertuples(index=False):
        table.add_row(
            str(t.id),
            t.org_unit,
            t.indicator,
            t.owner_unit,
            str(t.deadline),
            t.status,
            str(t.outcome or "—"),
            labels.number(t.start_value, 2),
            labels.number(t.last_value, 2),
        )
    console.print(table)
