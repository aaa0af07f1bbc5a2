"""``shequ plan``: check a plan file and list its indicators and targets."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import console


def check_plan(
    source: Annotated[str, typer.Argument(help="YAML 文件或内置名")] = "example_city",
) -> None:
    """检查指标方案文件并列出指标与目标 / check a plan file and list its indicators."""
    from ..framework.loader import load_plan

    plan = load_plan(source)
    console.print(f"{plan.name} / {plan.name_en} ({plan.code} v{plan.version})")
    for ind in plan.indicators:
        targets = [t for t in plan.targets if t.indicator == ind.code]
        shown = "; ".join(f"{t.comparator} {t.value:g} ({t.period})" for t in targets) or "—"
        console.print(f"  {ind.code:32} {ind.name:16} {shown}", markup=False)
