"""The spatial commands: import facilities/population/boundaries/network, coverage,
access, site. Each parses options, calls one library function and prints.

No ``from __future__ import annotations`` here: Typer reads the option annotations of the
nested command functions at run time.
"""

from pathlib import Path
from typing import Annotated

import typer

from . import cli
from .cli import DbOption, LangOption, PlanOption, SheetOption, StrictOption

CrsOption = Annotated[
    str | None,
    typer.Option(
        "--crs",
        help="坐标系 wgs84|cgcs2000|gcj02|bd09|EPSG:xxxx（默认图层自带或 wgs84）/ coordinate system",
    ),
]
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


def _open(db: str | None):
    from .store.db import open_store

    return open_store(db)


def _network(name: str) -> str | None:
    return None if name.lower() in ("none", "straight", "无") else name


def _run_with_plan(function, show, *, db, plan, facility_type, radius, network, lang, **options):
    """Load the plan, call ``function(store, plan, …)`` with the chosen radius and network,
    print its result with ``show``; a ShequError exits 2."""
    from .framework.loader import load_plan
    from .spatial.defaults import default_radius

    try:
        chosen = load_plan(plan)
        if radius is None:
            radius = default_radius(chosen, facility_type)
        result = function(
            _open(db), chosen, facility_type=facility_type, radius=radius,
            network_name=_network(network), **options,
        )  # fmt: skip
    except cli.ShequError as exc:
        raise cli._fail(exc) from None
    show(cli.console, result, cli._lang(lang))


def register(app: typer.Typer, import_app: typer.Typer) -> None:
    """Add the spatial commands to the ``shequ`` app and its ``import`` group."""

    def _points_import(kind: str, function_name: str, doc: str):
        def command(
            file: Path,
            db: DbOption = None,
            plan: PlanOption = None,
            crs: CrsOption = None,
            strict: StrictOption = False,
            sheet: SheetOption = None,
            lang: LangOption = "",
        ) -> None:
            import importlib

            from ._cli_common import run_import

            module = importlib.import_module(f".spatial.imports.{kind}", "shequ")
            options = {"crs": crs, "strict": strict, "sheet": sheet}
            if kind == "facilities":
                options["plan"] = plan
            run_import(getattr(module, function_name), file, lang, db, **options)

        command.__doc__ = doc
        return command

    import_app.command("facilities")(
        _points_import(
            "facilities",
            "import_facilities",
            "导入设施（code,type,name,lon,lat[,capacity,opened,closed,org_unit]）/ import facilities.",
        )
    )
    import_app.command("population")(
        _points_import(
            "population",
            "import_population",
            "导入居民点（lon,lat,population[,id,org_unit]）/ import population points.",
        )
    )
    import_app.command("boundaries")(
        _points_import(
            "boundaries",
            "import_boundaries",
            "导入社区边界（面图层，或 org_unit,wkt）/ import org-unit boundaries.",
        )
    )

    @import_app.command("network")
    def import_network(
        file: Path,
        db: DbOption = None,
        name: Annotated[str, typer.Option(help="网络名 / network name")] = "default",
        crs: CrsOption = None,
        lang: LangOption = "",
    ) -> None:
        """导入步行网络（.osm.pbf 或线图层）/ import a walking network (OSM PBF or lines)."""
        from .spatial.imports.networks import import_network as run

        try:
            result = run(_open(db), file, name=name, crs=crs, actor=cli._actor())
        except cli.ShequError as exc:
            raise cli._fail(exc) from None
        cli.console.print(result.summary(cli._lang(lang)), markup=False)

    @app.command()
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
    ) -> None:
        """服务半径覆盖：写入数据值与图层 / walking coverage: data values and GeoJSON layers."""
        from ._display_spatial import print_coverage
        from .spatial.run import run_coverage

        _run_with_plan(
            run_coverage, print_coverage, db=db, plan=plan, facility_type=facility_type,
            radius=radius, network=network, lang=lang, period=period, out_dir=out,
            detour=detour, actor=cli._actor(),
        )  # fmt: skip

    @app.command()
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
        from ._display_spatial import print_access
        from .spatial.run import run_access

        _run_with_plan(
            run_access, print_access, db=db, plan=plan, facility_type=facility_type,
            radius=radius, network=network, lang=lang, enhanced=enhanced, period=period,
            detour=detour,
        )  # fmt: skip

    @app.command()
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
        from ._display_spatial import print_sites
        from .spatial.defaults import parse_share
        from .spatial.sites import propose_sites

        try:
            share = parse_share(target) if target else None
        except cli.ShequError as exc:
            raise cli._fail(exc) from None
        _run_with_plan(
            propose_sites, print_sites, db=db, plan=plan, facility_type=facility_type,
            radius=radius, network=network, lang=lang, new=new, target=share,
            candidates=candidates, areas=area, period=period, detour=detour,
            time_limit=time_limit, out_dir=out,
        )  # fmt: skip
