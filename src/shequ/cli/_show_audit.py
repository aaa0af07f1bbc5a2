"""Terminal rendering of the composite's statistical audit (``evaluate --composite --audit``)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..evaluate.composite.audit import Audit
from ..framework import labels
from ..framework.models import Plan

ALPHA_BAR = 0.7  # the usual bar for "the indicators measure one thing"


def print_audit(console: Console, found: Audit, plan: Plan, lang: str, level: str) -> None:
    zh = lang == "zh"
    dims = found.dimensions[found.dimensions["level"] == level]
    table = Table(
        title="综合评价统计检验（各维度）" if zh else "Statistical audit of the composite"
    )
    for header in (
        ["期间", "维度", "指标数", "单位数", "克朗巴赫α", "第一主成分解释方差", "指标间相关"]
        if zh
        else [
            "Period",
            "Dimension",
            "Items",
            "Units",
            "Cronbach's α",
            "PC1 variance",
            "Correlations",
        ]
    ):
        table.add_column(header, overflow="fold")
    pairs = found.correlations
    for row in dims.itertuples(index=False):
        mine = pairs[
            (pairs["level"] == level)
            & (pairs["period"] == row.period)
            & (pairs["dimension"] == row.dimension)
        ]
        table.add_row(
            str(row.period),
            _dimension_name(plan, row.dimension, zh),
            str(row.items),
            str(row.units),
            _alpha(row.cronbach_alpha),
            "—" if pd.isna(row.pca_first_share) else f"{row.pca_first_share:.0%}",
            _weakest(mine, zh),
        )
    console.print(table)
    console.print(
        f"α ≥ {ALPHA_BAR} 通常视为同一维度的指标一致；负相关说明指标相互抵消"
        if zh
        else f"α ≥ {ALPHA_BAR} is the usual bar for a consistent dimension; a negative "
        "correlation means two indicators pull it apart"
    )


def _weakest(pairs: pd.DataFrame, zh: bool) -> str:
    """The weakest correlated pair and the mean r (every pair: the report's appendix)."""
    if pairs.empty:
        return "—"
    low = pairs.loc[pairs["r"].idxmin()]
    mean, n = pairs["r"].mean(), len(pairs)
    if zh:
        return f"最弱 {low.indicator_a}~{low.indicator_b} {low.r:+.2f}；{n} 对平均 {mean:+.2f}"
    return f"weakest {low.indicator_a}~{low.indicator_b} {low.r:+.2f}; mean of {n} {mean:+.2f}"


def _alpha(value: float) -> str:
    if pd.isna(value):
        return "—"
    flag = "" if value >= ALPHA_BAR else " ⚠"
    return f"{labels.number(value, 2)}{flag}"


def _dimension_name(plan: Plan, code: str, zh: bool) -> str:
    if code == "overall":
        return "综合（各维度得分）" if zh else "overall (dimension scores)"
    dim = plan.dimension(code)
    return dim.name if zh else dim.name_en
