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
    if outcome.loop:
        _print_loop(outcome.loop, outcome.evaluation.plan.schedule, chosen)
    console.print(outcome.describe(chosen))


def _print_loop(loop, schedule, lang: str) -> None:
    """The schedule, the one scheduled run the demo made, its warnings and their readers."""
    from rich.table import Table

    from ..loop.notices import KIND_WORDS

    zh = lang == "zh"
    jobs = ", ".join(
        f"{j.code} ({j.period_type}, +{schedule.expiry_days}+{j.days_after_due} d, {j.hour:02d}:00 UTC)"
        for j in schedule.evaluations
    )
    console.print(("定期评估：" if zh else "Schedule: ") + jobs)
    done = loop.outcome
    console.print(
        f"{loop.due_at} 自动评估 {loop.period}（{loop.job}）：{done.get('outcome')}，"
         f"新开预警 {done.get('warnings_opened', 0)} 条，已通知 {done.get('notified', 0)} 条"
         if zh else
         f"{loop.due_at} scheduled evaluation of {loop.period} ({loop.job}): {done.get('outcome')}, "
         f"{done.get('warnings_opened', 0)} warnings opened, {done.get('notified', 0)} notifications filed"
    )  # fmt: skip
    table = Table(title="预警（进行中）" if zh else "Open warnings")
    table.add_column("类型" if zh else "kind")
    table.add_column("条数" if zh else "count", justify="right")
    for kind, count in sorted(loop.warnings.items(), key=lambda kv: -kv[1]):
        words = KIND_WORDS.get(kind, (kind, kind))
        table.add_row(words[0] if zh else words[1], str(count))
    console.print(table)
    for w in loop.examples:
        owners = ", ".join(
            (w["owners"] or {}).get("staff", []) + (w["owners"] or {}).get("supervisors", [])
        )
        console.print(
            f"  [{w['severity']}] {w['org_unit']} {w['kind']} {w['subject']} → {owners or '-'}"
        )
    if loop.inboxes:
        readers = ", ".join(f"{name} {count}" for name, count in loop.inboxes.items())
        console.print(("收件箱（账号 条数）：" if zh else "Inboxes (user count): ") + readers)
