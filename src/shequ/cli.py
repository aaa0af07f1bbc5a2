"""The ``shequ`` command. Each command parses options, calls one library function, prints.

Exit codes: 0 success; 1 an import loaded with some rows quarantined; 2 nothing was done
(bad input, bad plan, unknown period, store or engine error).
"""

from __future__ import annotations

import getpass
import logging
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from . import _display
from .errors import ShequError

app = typer.Typer(
    help="shequ 社区发展监测评估系统 — community development monitoring and evaluation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
import_app = typer.Typer(help="导入数据 / import files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
console = Console(width=None if sys.stdout.isatty() else 120)


def _actor() -> str:
    """Who the audit trail names for changes made from the command line."""
    return f"cli:{getpass.getuser()}"


DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库文件或 postgresql:// 地址（默认 $SHEQU_DB 或 shequ.db）/ store path or URL",
    ),
]
PlanOption = Annotated[
    str | None,
    typer.Option(
        "--plan", help="指标方案 YAML 或内置名（默认 example_city）/ plan YAML or built-in name"
    ),
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="有任何错误行则全部不导入 / load nothing if any row is bad")
]
SheetOption = Annotated[
    str | None,
    typer.Option("--sheet", help="Excel 工作表名（默认第一个）/ XLSX sheet (default: first)"),
]
LangOption = Annotated[str, typer.Option("--lang", help="输出语言 zh 或 en / output language")]


def _lang(lang: str | None) -> str:
    chosen = lang or os.environ.get("SHEQU_LANG", "zh")
    return "en" if chosen.lower().startswith("en") else "zh"


def _fail(exc: ShequError) -> typer.Exit:
    console.print(str(exc), style="red", markup=False)
    return typer.Exit(2)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """shequ 社区发展监测评估系统 / community development monitoring and evaluation."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


@app.command()
def init(db: DbOption = None) -> None:
    """创建或升级数据库 / create or upgrade the store."""
    from .store import db as store_db

    try:
        store = store_db.open_store(db)
    except ShequError as exc:
        raise _fail(exc) from None
    console.print(
        f"数据库就绪 / store ready: {store.url} (schema {store_db.current_revision(store)})"
    )


@import_app.command("orgunits")
def import_orgunits(
    file: Path,
    db: DbOption = None,
    strict: StrictOption = False,
    sheet: SheetOption = None,
    lang: LangOption = "",
) -> None:
    """导入组织机构（编码,名称,上级编码,层级[,启用日期,停用日期]）/ import org units."""
    from ._cli_common import run_import
    from .ingest.orgunits import import_org_units

    run_import(import_org_units, file, lang, db, strict=strict, sheet=sheet)


@import_app.command("values")
def import_values(
    file: Path,
    db: DbOption = None,
    plan: PlanOption = None,
    strict: StrictOption = False,
    sheet: SheetOption = None,
    lang: LangOption = "",
) -> None:
    """导入数据值（长表或宽表，CSV/XLSX）/ import data values (long or wide form)."""
    from ._cli_common import run_import
    from .ingest.values import import_values as run

    run_import(run, file, lang, db, plan=plan, strict=strict, sheet=sheet)


@app.command()
def evaluate(
    period: Annotated[
        list[str], typer.Option("--period", help="期间，可重复 / period, repeatable")
    ],
    db: DbOption = None,
    plan: PlanOption = None,
    level: Annotated[str | None, typer.Option(help="只输出该层级 / only this level")] = None,
    engine: Annotated[str | None, typer.Option(help="duckdb | sqlite | postgres")] = None,
    output: Annotated[Path | None, typer.Option(help="结果文件 .csv/.xlsx / results file")] = None,
    composite: Annotated[
        bool,
        typer.Option(
            "--composite",
            help="综合得分、排名区间、协调度 / composite scores, rank intervals, coordination",
        ),
    ] = False,
    lang: LangOption = "",
) -> None:
    """评估各单位各指标并对照目标 / evaluate every indicator against its targets."""
    from .evaluate.assessment import assess
    from .evaluate.output import write_results
    from .evaluate.run import evaluate as run_evaluation
    from .framework.loader import load_plan
    from .store.db import open_store

    options = {"periods": period, "level": level, "engine": engine, "actor": _actor()}
    try:
        store, chosen_plan = open_store(db), load_plan(plan)
        assessment = assess(store, chosen_plan, **options) if composite else None
        result = (
            assessment.evaluation if assessment else run_evaluation(store, chosen_plan, **options)
        )
        if output:
            write_results(result.results, output)
    except ShequError as exc:
        raise _fail(exc) from None
    trends = assessment.trends if assessment else None
    _display.print_summary(console, result, _lang(lang), trends=trends)
    if assessment:
        from ._display_composite import print_composite

        print_composite(console, assessment, _lang(lang), level)
    console.print(
        f"评估运行 / evaluation run #{result.run_id} · {result.engine} · "
        f"{len(result.results):,} results · {result.seconds['total']:.2f}s"
    )
    if output:
        console.print(f"结果已写入 / results written to {output}")


@app.command()
def diagnose(
    unit: Annotated[str, typer.Argument(help="单位编码 / org unit code")],
    period: Annotated[str, typer.Option("--period", help="期间 / period")] = "2025",
    db: DbOption = None,
    plan: PlanOption = None,
    lang: LangOption = "",
) -> None:
    """诊断一个单位：主要短板、相似单位、建议措施 / a unit's gaps, better peers and actions."""
    from ._display_composite import print_diagnosis
    from .evaluate.assessment import assess
    from .evaluate.diagnosis import diagnose as run_diagnosis
    from .framework.loader import load_plan
    from .store.db import open_store

    try:
        chosen_plan = load_plan(plan)
        result = assess(
            open_store(db), chosen_plan, periods=[period], persist=False, sensitivity=True
        )
        found = run_diagnosis(
            unit,
            result.evaluation.results,
            result.composite,
            chosen_plan,
            profile=result.evaluation.profile,
        )
    except ShequError as exc:
        raise _fail(exc) from None
    print_diagnosis(console, found, chosen_plan, _lang(lang))


tasks_app = typer.Typer(help="整改任务 / follow-up tasks.", no_args_is_help=True)
app.add_typer(tasks_app, name="tasks")


@tasks_app.command("list")
def tasks_list(
    db: DbOption = None,
    status: Annotated[str | None, typer.Option(help="open | closed")] = None,
    lang: LangOption = "",
) -> None:
    """列出整改任务 / list follow-up tasks."""
    from ._display_composite import print_tasks
    from .store import tasks as store_tasks
    from .store.db import open_store

    with open_store(db).begin() as conn:
        print_tasks(console, store_tasks.listing(conn, status=status), _lang(lang))


@tasks_app.command("create")
def tasks_create(
    unit: Annotated[str, typer.Argument(help="单位编码 / org unit code")],
    indicator: Annotated[str, typer.Argument(help="指标编码 / indicator code")],
    owner: Annotated[str, typer.Option(help="责任单位编码 / owner unit")],
    deadline: Annotated[str, typer.Option(help="截止日期 2026-06-30 / deadline")],
    note: Annotated[str, typer.Option(help="说明 / note")] = "",
    db: DbOption = None,
    plan: PlanOption = None,
) -> None:
    """按最近一次评估创建整改任务 / create a task from the latest evaluation run."""
    from .evaluate.tasks import create_task
    from .framework.loader import load_plan
    from .store import runs
    from .store import tasks as store_tasks
    from .store.db import open_store

    try:
        with open_store(db).begin() as conn:
            run = runs.get(conn, "latest")
            task_id = create_task(
                conn,
                runs.results(conn, run.id),
                load_plan(plan),
                org_unit=unit,
                indicator=indicator,
                owner_unit=owner,
                deadline=store_tasks.parse_deadline(deadline),
                note=note,
                actor=_actor(),
                run_id=run.id,
            )
    except ShequError as exc:
        raise _fail(exc) from None
    console.print(f"已创建整改任务 #{task_id} / created task #{task_id}")


@tasks_app.command("close")
def tasks_close(
    task_id: Annotated[int, typer.Argument(help="任务编号 / task id")],
    reason: Annotated[str, typer.Option(help="关闭原因 / why")],
    db: DbOption = None,
) -> None:
    """手动关闭整改任务 / close a task by hand."""
    from .store import tasks as store_tasks
    from .store.db import open_store

    try:
        with open_store(db).begin() as conn:
            store_tasks.close(conn, task_id, actor=_actor(), reason=reason)
    except ShequError as exc:
        raise _fail(exc) from None
    console.print(f"已关闭任务 #{task_id} / closed task #{task_id}")


@app.command()
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
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """生成评估报告：Word、Excel、PDF、HTML、社区记分卡 / write an evaluation report."""
    from .report.context import build_context
    from .report.formats import write
    from .store.db import open_store

    try:
        context = build_context(open_store(db), run, unit)
        path = write(context, output, fmt=fmt, lang=_lang(lang))
    except ShequError as exc:
        raise _fail(exc) from None
    console.print(f"报告已写入 / report written to {path}")


@app.command()
def demo(
    db: DbOption = None,
    out: Annotated[Path, typer.Option(help="示例文件目录 / where the sample files go")] = Path(
        "var/demo"
    ),
    seed: Annotated[int, typer.Option(help="随机种子 / random seed")] = 2025,
    lang: LangOption = "",
) -> None:
    """生成示例城市、导入并评估2025年 / build the sample city, import it, evaluate 2025."""
    from .demo.run import run_demo

    try:
        outcome = run_demo(db or str(out / "shequ.db"), out, seed=seed)
    except ShequError as exc:
        raise _fail(exc) from None
    chosen = _lang(lang)
    for report in outcome.imports:
        _display.print_import(console, report, chosen)
    _display.print_summary(console, outcome.evaluation, chosen, trends=outcome.assessment.trends)
    _display.print_levels(console, outcome.evaluation, chosen)
    from ._display_composite import print_composite, print_diagnosis

    print_composite(console, outcome.assessment, chosen, "street")
    print_diagnosis(console, outcome.diagnosis, outcome.evaluation.plan, chosen)
    if outcome.spatial:
        from ._display_spatial import print_spatial_demo

        print_spatial_demo(console, outcome.spatial, chosen)
    console.print(outcome.describe(chosen))


@app.command("plan")
def check_plan(
    source: Annotated[str, typer.Argument(help="YAML 文件或内置名")] = "example_city",
) -> None:
    """检查指标方案文件并列出指标与目标 / check a plan file and list its indicators."""
    from .framework.loader import load_plan

    try:
        plan = load_plan(source)
    except ShequError as exc:
        raise _fail(exc) from None
    console.print(f"{plan.name} / {plan.name_en} ({plan.code} v{plan.version})")
    for ind in plan.indicators:
        targets = [t for t in plan.targets if t.indicator == ind.code]
        shown = "; ".join(f"{t.comparator} {t.value:g} ({t.period})" for t in targets) or "—"
        console.print(f"  {ind.code:32} {ind.name:16} {shown}", markup=False)


from .cli_spatial import register as _register_spatial  # noqa: E402

_register_spatial(app, import_app)

from .cli_voice import register as _register_voice  # noqa: E402

_register_voice(app, import_app)

from . import cli_web  # noqa: E402  (web: serve, users)

cli_web.register(app, import_app)

from . import cli_periods  # noqa: E402  (periods approve|unlock, per-unit approval)

cli_periods.register(app, import_app)
