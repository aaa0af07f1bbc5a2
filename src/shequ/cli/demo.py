"""``shequ demo``: build the sample city, import it, evaluate 2025, and show what it found."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, LangOption, console, language


def demo(
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="示例文件目录 / where the sample files go")] = Path(
        "var/demo"
    ),
    seed: Annotated[int, typer.Option(help="随机种子 / random seed")] = 2025,
    lang: LangOption = "",
) -> None:
    """生成示例城市、导入并评估2025年 / build the sample city, import it, evaluate 2025."""
    from ..demo.run import run_demo
    from ._show_composite import print_composite, print_diagnosis
    from ._show_evaluation import print_levels, print_summary
    from ._show_imports import print_import

    outcome = run_demo(db or str(out / "shequ.db"), out, seed=seed)
    chosen = language(lang)
    for imported in outcome.imports:
        print_import(console, imported, chosen)
    print_summary(console, outcome.evaluation, chosen, trends=outcome.assessment.trends)
    print_levels(console, outcome.evaluation, chosen)
    print_composite(console, outcome.assessment, chosen, "street")
    print_diagnosis(console, outcome.diagnosis, outcome.evaluation.plan, chosen)
    if outcome.spatial:
        from ._show_spatial import print_spatial_demo

        print_spatial_demo(console, outcome.spatial, chosen)
    if outcome.scenario:
        from ._show_scenario import print_comparison

        print_comparison(console, outcome.scenario, outcome.evaluation.plan, chosen)
    console.print(outcome.describe(chosen))
