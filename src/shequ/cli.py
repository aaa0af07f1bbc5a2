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
    from .ingest.orgunits import import_org_units
    from .store.db import open_store

    try:
        report = import_org_units(open_store(db), file, strict=strict, sheet=sheet, actor=_actor())
    except ShequError as exc:
        raise _fail(exc) from None
    _display.print_import(console, report, _lang(lang))
    raise typer.Exit(report.exit_code)


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
    from .framework.loader import load_plan
    from .ingest.values import import_values as run_import
    from .store.db import open_store

    try:
        report = run_import(
            open_store(db), file, plan=load_plan(plan), strict=strict, sheet=sheet, actor=_actor()
        )
    except ShequError as exc:
        raise _fail(exc) from None
    _display.print_import(console, report, _lang(lang))
    raise typer.Exit(report.exit_code)


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
    lang: LangOption = "",
) -> None:
    """评估各单位各指标并对照目标 / evaluate every indicator against its targets."""
    from .evaluate.output import write_results
    from .evaluate.run import evaluate as run_evaluation
    from .framework.loader import load_plan
    from .store.db import open_store

    try:
        result = run_evaluation(
            open_store(db),
            load_plan(plan),
            periods=period,
            level=level,
            engine=engine,
            actor=_actor(),
        )
        if output:
            write_results(result.results, output)
    except ShequError as exc:
        raise _fail(exc) from None
    _display.print_summary(console, result, _lang(lang))
    console.print(
        f"评估运行 / evaluation run #{result.run_id} · {result.engine} · "
        f"{len(result.results):,} results · {result.seconds['total']:.2f}s"
    )
    if output:
        console.print(f"结果已写入 / results written to {output}")


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
    _display.print_summary(console, outcome.evaluation, chosen)
    _display.print_levels(console, outcome.evaluation, chosen)
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
