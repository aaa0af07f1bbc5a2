"""``shequ evaluate`` and ``shequ diagnose``: every indicator of every unit against its
targets (with composite scores on request), and one unit's gaps, peers and actions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, LangOption, PlanOption, actor, console, language
from ._spark import ParquetOption, SparkMasterOption, SparkRemoteOption, engine_choice


def evaluate(
    period: Annotated[
        list[str], typer.Option("--period", help="期间，可重复 / period, repeatable")
    ],
    db: DbOption = None,
    plan: PlanOption = None,
    level: Annotated[str | None, typer.Option(help="只输出该层级 / only this level")] = None,
    unit: Annotated[
        str | None,
        typer.Option(help="只评估该单位及其下级 / only this unit's subtree (org unit code)"),
    ] = None,
    engine: Annotated[str | None, typer.Option(help="duckdb | sqlite | postgres | spark")] = None,
    output: Annotated[
        Path | None, typer.Option(help="结果文件 .csv/.xlsx/.parquet / results file")
    ] = None,
    composite: Annotated[
        bool,
        typer.Option(
            "--composite",
            help="综合得分、排名区间、协调度 / composite scores, rank intervals, coordination",
        ),
    ] = False,
    audit: Annotated[
        bool,
        typer.Option(
            "--audit",
            help="综合评价统计检验：相关、α、主成分（含 --composite）/ "
            "statistical audit: correlations, α, PCA (implies --composite)",
        ),
    ] = False,
    show_all: Annotated[
        bool,
        typer.Option("--all", help="输出每个单位的指标表 / print every unit's indicator table"),
    ] = False,
    lang: LangOption = "",
    spark_master: SparkMasterOption = None,
    spark_remote: SparkRemoteOption = None,
    parquet: ParquetOption = None,
) -> None:
    """评估各单位各指标并对照目标 / evaluate every indicator against its targets."""
    # imported when used: composite scores pull in SciPy (~1.3 s of a `--unit` run's ~10 s)
    from ..evaluate.run import evaluate as run_evaluation
    from ..framework.loader import load_plan
    from ..store.db import open_store
    from ._show_evaluation import print_level_summary, print_summary

    composite = composite or audit
    if output:
        from ..evaluate.output import check_output, write_results

        check_output(output)  # a wrong suffix fails now, not after the evaluation
    engine = engine_choice(engine, spark_master, spark_remote, parquet)
    options = {"periods": period, "level": level, "engine": engine, "actor": actor()}
    if unit is not None:
        options["unit"] = unit
    store, chosen_plan = open_store(db), load_plan(plan)
    assessment = None
    if composite:
        from ..evaluate.assessment import assess

        assessment = assess(store, chosen_plan, **options)
    result = assessment.evaluation if assessment else run_evaluation(store, chosen_plan, **options)
    if output:
        write_results(result.results, output)
    trends = assessment.trends if assessment else None
    if show_all or result.summary()["org_unit"].nunique() == 1:
        print_summary(console, result, language(lang), trends=trends, every_unit=show_all)
    if not show_all and result.results["org_unit"].nunique() > 1:
        print_level_summary(console, result, language(lang))
    if assessment:
        from ._show_composite import print_composite

        print_composite(console, assessment, language(lang), level)
    if assessment and audit:
        _print_audit(assessment, language(lang), level)
    console.print(
        f"评估运行 / evaluation run #{result.run_id} · {result.engine} · "
        f"{len(result.results):,} results · {result.seconds['total']:.2f}s"
    )
    if output:
        console.print(f"结果已写入 / results written to {output}")


def _print_audit(assessment, lang: str, level: str | None) -> None:
    from ..evaluate.composite.audit import audit
    from ._show_audit import print_audit

    comp = assessment.composite
    if comp.scores.empty:
        return
    found = audit(comp.indicator_scores, comp.scores, assessment.evaluation.plan)
    chosen = level or comp.scores["level"].iloc[-1]
    print_audit(console, found, assessment.evaluation.plan, lang, chosen)


def diagnose(
    unit: Annotated[str, typer.Argument(help="单位编码 / org unit code")],
    period: Annotated[str, typer.Option("--period", help="期间 / period")] = "2025",
    db: DbOption = None,
    plan: PlanOption = None,
    lang: LangOption = "",
) -> None:
    """诊断一个单位：主要短板、相似单位、建议措施 / a unit's gaps, better peers and actions."""
    from ..evaluate.assessment import assess
    from ..evaluate.diagnosis import diagnose as run_diagnosis
    from ..evaluate.diagnosis import peer_group
    from ..framework.loader import load_plan
    from ..framework.periods import parse_period
    from ..store.db import open_store
    from ._show_composite import print_diagnosis

    chosen_plan = load_plan(plan)
    store = open_store(db)
    result = assess(store, chosen_plan, periods=[period], persist=False, sensitivity=True)
    with store.begin() as conn:
        group = peer_group(conn, unit, parse_period(period).end)
    found = run_diagnosis(
        unit,
        result.evaluation.results,
        result.composite,
        chosen_plan,
        profile=result.evaluation.profile,
        group=group or None,  # an unknown unit: diagnose says so
    )
    print_diagnosis(console, found, chosen_plan, language(lang))
