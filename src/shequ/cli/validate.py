"""``shequ validate``: check a period's stored data against the plan's validation rules
and outlier checks; exit 0 when clean, 1 when anything is found, 2 on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, LangOption, PlanOption, console, language

PeriodOpt = Annotated[str, typer.Option("--period", help="期间，如 2025、2025Q3 / period")]
UnitOpt = Annotated[
    str | None, typer.Option("--unit", help="只查该单位及其下级 / only this unit's subtree")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", help="把问题清单写入 .csv 或 .xlsx / write the list to .csv or .xlsx"),
]
NoOutliersOpt = Annotated[
    bool, typer.Option("--no-outliers", help="不做异常值检查 / skip the outlier checks")
]


def validate(
    period: PeriodOpt,
    unit: UnitOpt = None,
    output: OutputOpt = None,
    no_outliers: NoOutliersOpt = False,
    plan: PlanOption = None,
    db: DbOption = None,
    lang: LangOption = "",
) -> None:
    """按校验规则和异常值检查核查数据 / check data against validation rules and outliers."""
    from ..framework.loader import load_plan
    from ..store import validation
    from ..store.db import open_store
    from ._show_validation import print_violations, write_violations

    chosen = load_plan(plan)
    with open_store(db).begin() as conn:
        found = validation.violations(conn, chosen, period, unit=unit, outliers=not no_outliers)
    print_violations(console, found, language(lang))
    if output is not None:
        write_violations(found, output)
    raise typer.Exit(1 if len(found) else 0)
