"""``shequ coverage``, ``access`` and ``site``: walking coverage, capacity-aware
accessibility (2SFCA) and facility siting, from the facilities and residents in the store.
(Their importers are in `imports`.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import DbOption, LangOption, PlanOption, actor, console, language
from ._spark import SparkMasterOption, SparkRemoteOption

TypeOption = Annotated[
    str, typer.Option("--type", help="设施类型，如 service_centre / facility type")
]
RadiusOption = Annotated[
    float | None,
    typer.Option("--radius", help="步行半径（米，默认按方案或 500）/ walking radius, metres"),
]
PeriodOption = Annotated[
    str | None, typer.Option("--period", help="期间，如 2025 / period (facilities open at its end)")
]
DetourOption = Annotated[
    float,
    typer.Option("--detour", help="无步行网络时的绕行系数 / detour factor without a network"),
]
NetworkOption = Annotated[
    str, typer.Option("--network", help="步行网络名（none 表示直线）/ network name, or none")
]
OutOption = Annotated[
    Path, typer.Option("--out", help="GeoJSON 图层目录 / where GeoJSON layers go")
]


def _run(
    function: Callable[..., Any],
    show: Callable[..., None],
    *,
    db: str | None,
    plan: str | None,
    facility_type: str,
    radius: float | None,
    network: str,
    lang: str,
    **options: Any,
) -> None:
    """Load the plan, call ``function(store, plan, …)`` with the chosen radius (the plan's
    for the facility type when none is given) and network, and print the result with
    ``show``."""
    from ..framework.loader import load_plan
    from ..spatial.defaults import default_radius
    from ..store.db import open_store

    chosen = load_plan(plan)
    if radius is None:
        radius = default_radius(chosen, facility_type)
    straight = network.lower() in ("none", "straight", "无")
    result = function(
        open_store(db), chosen, facility_type=facility_type, radius=radius,
        network_name=None if straight else network, **options,
    )  # fmt: skip
    show(console, result, language(lang))


def coverage(
    facility_type: TypeOption = "service_centre",
    radius: RadiusOption = None,
    period: PeriodOption = None,
    db: DbOption = None,
    plan: PlanOption = None,
    detour: DetourOption = 1.3,
    network: NetworkOption = "default",
    out: OutOption = Path("coverage"),
    lang: LangOption = "",
    engine: Annotated[
        str | None,
        typer.Option(
            help="local（本进程，默认）| spark（按市分区）/ local (default) or spark (by city)"
        ),
    ] = None,
    spark_master: SparkMasterOption = None,
    spark_remote: SparkRemoteOption = None,
) -> None:
    """服务半径覆盖：写入数据值与图层 / walking coverage: data values and GeoJSON layers."""
    from ..spatial.cities import check_engine
    from ..spatial.inputs import SpatialInputError
    from ..spatial.run import run_coverage
    from ._show_spatial import print_coverage

    chosen = check_engine(engine)
    if (spark_master or spark_remote) and chosen != "spark":
        msg = (
            f"--spark-master/--spark-remote 只用于 --engine spark（而非 {chosen}）/ "
            f"--spark-master and --spark-remote need --engine spark, not {chosen}"
        )
        raise SpatialInputError(msg)
    _run(
        run_coverage, print_coverage, db=db, plan=plan, facility_type=facility_type,
        radius=radius, network=network, lang=lang, period=period, out_dir=out,
        detour=detour, actor=actor(), engine=chosen, spark_master=spark_master,
        spark_remote=spark_remote,
    )  # fmt: skip


def access(
    facility_type: TypeOption = "service_centre",
    radius: RadiusOption = None,
    enhanced: Annotated[
        bool, typer.Option("--enhanced", help="距离衰减分段 E2SFCA / distance-decay bands")
    ] = False,
    period: PeriodOption = None,
    db: DbOption = None,
    plan: PlanOption = None,
    detour: DetourOption = 1.3,
    network: NetworkOption = "default",
    lang: LangOption = "",
) -> None:
    """两步移动搜索法可达性（考虑容量）/ capacity-aware accessibility (2SFCA)."""
    from ..spatial.run import run_access
    from ._show_spatial import print_access

    _run(
        run_access, print_access, db=db, plan=plan, facility_type=facility_type,
        radius=radius, network=network, lang=lang, enhanced=enhanced, period=period,
        detour=detour,
    )  # fmt: skip


def site(
    facility_type: TypeOption = "service_centre",
    new: Annotated[
        int | None, typer.Option("--new", help="新建数量（最大覆盖）/ sites to add")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="覆盖目标，如 100% / coverage target")
    ] = None,
    radius: RadiusOption = None,
    candidates: Annotated[
        Path | None, typer.Option(help="候选点文件（lon,lat[,code,name]）/ candidate sites")
    ] = None,
    area: Annotated[
        list[str] | None, typer.Option("--area", help="候选区域单位编码（可重复）/ area code")
    ] = None,
    period: PeriodOption = None,
    time_limit: Annotated[float, typer.Option(help="求解时限（秒）/ solver seconds")] = 60.0,
    db: DbOption = None,
    plan: PlanOption = None,
    detour: DetourOption = 1.3,
    network: NetworkOption = "default",
    out: OutOption = Path("coverage"),
    lang: LangOption = "",
) -> None:
    """设施选址：最大覆盖或集合覆盖 / facility siting: maximal or set covering."""
    from ..spatial.defaults import parse_share
    from ..spatial.sites import propose_sites
    from ._show_spatial import print_sites

    share = parse_share(target) if target else None
    _run(
        propose_sites, print_sites, db=db, plan=plan, facility_type=facility_type,
        radius=radius, network=network, lang=lang, new=new, target=share,
        candidates=candidates, areas=area, period=period, detour=detour,
        time_limit=time_limit, out_dir=out,
    )  # fmt: skip
