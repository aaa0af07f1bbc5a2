"""``shequ scenario create|list|show|delete|evaluate``: try new facilities and changed
values against the targets before acting, on a copy of the store (调整策略)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, LangOption, PlanOption, actor, command_group, console, language

scenario_app = command_group("情景：先试后做 / scenarios: try a plan before acting.")
NameArg = Annotated[str, typer.Argument(help="情景名称 / scenario name")]


@scenario_app.command("create")
def scenario_create(
    name: NameArg,
    from_sites: Annotated[
        Path | None,
        typer.Option("--from-sites", help="shequ site 输出的选址文件 / sites file from shequ site"),
    ] = None,
    site_type: Annotated[
        str | None, typer.Option("--type", help="选址文件的设施类型 / facility type of the sites")
    ] = None,
    facility: Annotated[
        list[str] | None,
        typer.Option("--facility", help="新设施 类型,经度,纬度[,名称] / type,lon,lat[,name]"),
    ] = None,
    value: Annotated[
        list[str] | None,
        typer.Option("--value", help="改变数据值 元素,单位,期间,数值 / element,unit,period,value"),
    ] = None,
    description: Annotated[str, typer.Option(help="说明 / description")] = "",
    db: DbOption = None,
    plan: PlanOption = None,
    lang: LangOption = "",
) -> None:
    """创建情景 / create a scenario from new facilities and changed values."""
    from ..framework.loader import load_plan
    from ..scenario import actions
    from ..store import scenarios as store_scenarios
    from ..store.db import open_store
    from ._show_scenario import word

    chosen = load_plan(plan)
    rows = actions.from_sites(chosen, from_sites, facility_type=site_type) if from_sites else []
    rows += [actions.facility(chosen, text) for text in facility or []]
    rows += [actions.value(chosen, text) for text in value or []]
    with open_store(db).begin() as conn:
        store_scenarios.create(conn, name, actions.frame(rows), description=description,
                               actor=actor())  # fmt: skip
    console.print(word("created", language(lang)).format(name=name, count=len(rows)))


@scenario_app.command("list")
def scenario_list(db: DbOption = None, lang: LangOption = "") -> None:
    """列出情景 / list scenarios."""
    from ..store import scenarios as store_scenarios
    from ..store.db import open_store
    from ._show_scenario import print_listing

    with open_store(db).begin() as conn:
        print_listing(console, store_scenarios.listing(conn), language(lang))


@scenario_app.command("show")
def scenario_show(name: NameArg, db: DbOption = None, lang: LangOption = "") -> None:
    """显示情景的动作 / show a scenario's actions."""
    from ..store import scenarios as store_scenarios
    from ..store.db import open_store
    from ._show_scenario import print_actions

    with open_store(db).begin() as conn:
        meta, rows = store_scenarios.get(conn, name)
    print_actions(console, meta, rows, language(lang))


@scenario_app.command("delete")
def scenario_delete(name: NameArg, db: DbOption = None, lang: LangOption = "") -> None:
    """删除情景 / delete a scenario."""
    from ..store import scenarios as store_scenarios
    from ..store.db import open_store
    from ._show_scenario import word

    with open_store(db).begin() as conn:
        store_scenarios.remove(conn, name, actor=actor())
    console.print(word("deleted", language(lang)).format(name=name))


@scenario_app.command("evaluate")
def scenario_evaluate(
    name: NameArg,
    period: Annotated[str, typer.Option("--period", help="期间，如 2025 / period")],
    engine: Annotated[str | None, typer.Option(help="duckdb | sqlite | postgres")] = None,
    db: DbOption = None,
    plan: PlanOption = None,
    lang: LangOption = "",
) -> None:
    """在副本上评估情景，与基线对比 / evaluate a scenario beside the baseline (real data untouched)."""
    from ..framework.loader import load_plan
    from ..scenario.compare import evaluate_scenario
    from ..store.db import open_store
    from ._show_scenario import print_comparison

    chosen = load_plan(plan)
    comparison = evaluate_scenario(open_store(db), chosen, name, period=period, engine=engine)
    print_comparison(console, comparison, chosen, language(lang))
