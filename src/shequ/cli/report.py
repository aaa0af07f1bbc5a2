"""``shequ report``: write an evaluation report (Word, Excel, PDF, HTML, scorecards)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, LangOption, console, language


def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件 / output file")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="docx | xlsx | pdf | html | scorecard（默认按扩展名）"),
    ] = None,
    run: Annotated[str, typer.Option(help="评估运行编号或 latest / run id or latest")] = "latest",
    unit: Annotated[
        str | None, typer.Option(help="单位编码（默认最高层级）/ org unit code")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option(help="加入情景评估一节（Word）/ add a scenario section (docx)")
    ] = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """生成评估报告：Word、Excel、PDF、HTML、社区记分卡 / write an evaluation report."""
    from ..report.context import build_context
    from ..report.formats import write
    from ..store.db import open_store

    store = open_store(db)
    context = build_context(store, run, unit)
    if scenario:
        from ..scenario.compare import evaluate_scenario

        compared = evaluate_scenario(store, context.plan, scenario, period=context.period)
        context.scenario = compared.report_section(context.plan, language(lang))
    path = write(context, output, fmt=fmt, lang=language(lang))
    console.print(f"报告已写入 / report written to {path}")
