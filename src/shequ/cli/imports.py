"""``shequ import …``: every importer in one table, `IMPORTERS`, each row one command.

Every import command takes the file, ``--db``, the options its row names, ``--strict``
and ``--sheet`` (for importers that read rows) and ``--lang``. It opens the store, runs the
importer on the file, prints its report and exits with the report's code: 0 every row
loaded, 1 some rows quarantined, 2 nothing done. The importer is imported only when its
command runs, so ``shequ --help`` stays quick.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from ._common import (
    DbOption,
    LangOption,
    PlanOption,
    SheetOption,
    StrictOption,
    actor,
    command_group,
    console,
    language,
)

import_app = command_group("导入数据 / import files.")

CrsOption = Annotated[
    str | None,
    typer.Option(
        "--crs",
        help="坐标系 wgs84|cgcs2000|gcj02|bd09|EPSG:xxxx（默认图层自带或 wgs84）/ coordinate system",
    ),
]
NameOption = Annotated[str, typer.Option(help="网络名 / network name")]
InstrumentOption = Annotated[
    Path | None, typer.Option(help="问卷定义 XLSX（默认内置满意度问卷）/ form XLSX")
]
KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="化名密钥文件（默认 $SHEQU_PSEUDONYM_KEY 或 "
        "~/.config/shequ/pseudonym.key）/ pseudonym key file",
    ),
]


StrictRulesOption = Annotated[
    bool,
    typer.Option(
        "--strict-rules",
        help="有必须修正的校验问题则全部不导入 / load nothing if a must-fix validation rule "
        "is violated",
    ),
]


def _plan(source: str | None) -> dict[str, Any]:
    from ..framework.loader import load_plan

    return {"plan": load_plan(source)}  # loaded here, so a bad plan exits 2 like a bad file


def _instrument(path: Path | None) -> dict[str, Any]:
    from ..voice.surveys.xlsform import load_instrument

    return {"instrument": load_instrument(path) if path else None}


def _key(path: Path | None) -> dict[str, Any]:
    from ..voice.participation import load_key

    return {"key": load_key(path)}


@dataclass(frozen=True)
class Option:
    """An option some importers take: its parameter, and the importer arguments it gives."""

    parameter: str
    annotation: Any
    default: Any
    arguments: Callable[[Any], dict[str, Any]]


OPTIONS: dict[str, Option] = {
    "plan": Option("plan", PlanOption, None, _plan),
    # population and boundaries accept --plan, as facilities do, but need no plan
    "plan (unused)": Option("plan", PlanOption, None, lambda _: {}),
    "crs": Option("crs", CrsOption, None, lambda crs: {"crs": crs}),
    "name": Option("name", NameOption, "default", lambda name: {"name": name}),
    "instrument": Option("instrument", InstrumentOption, None, _instrument),
    "key_file": Option("key_file", KeyFileOption, None, _key),
    "strict_rules": Option(
        "strict_rules", StrictRulesOption, False, lambda on: {"strict_rules": on}
    ),
}


@dataclass(frozen=True)
class Importer:
    """One ``shequ import NAME`` command: the function it runs and the options it takes."""

    name: str
    function: str  # "module:function", called as function(store, file, actor=…, **options)
    help: str
    options: tuple[str, ...] = ()  # keys of OPTIONS, in the order --help lists them
    rows: bool = True  # reads rows: takes --strict and --sheet, returns an ImportReport


IMPORTERS: tuple[Importer, ...] = (
    Importer(
        "orgunits",
        "shequ.ingest.orgunits:import_org_units",
        "导入组织机构（编码,名称,上级编码,层级[,启用日期,停用日期]）/ import org units.",
    ),
    Importer(
        "values",
        "shequ.ingest.values:import_values",
        "导入数据值（长表或宽表，CSV/XLSX）/ import data values (long or wide form).",
        ("plan", "strict_rules"),
    ),
    Importer(
        "facilities",
        "shequ.spatial.imports.facilities:import_facilities",
        "导入设施（code,type,name,lon,lat[,capacity,opened,closed,org_unit]）/ import facilities.",
        ("plan", "crs"),
    ),
    Importer(
        "population",
        "shequ.spatial.imports.population:import_population",
        "导入居民点（lon,lat,population[,id,org_unit]）/ import population points.",
        ("plan (unused)", "crs"),
    ),
    Importer(
        "boundaries",
        "shequ.spatial.imports.boundaries:import_boundaries",
        "导入社区边界（面图层，或 org_unit,wkt）/ import org-unit boundaries.",
        ("plan (unused)", "crs"),
    ),
    Importer(
        "network",
        "shequ.spatial.imports.networks:import_network",
        "导入步行网络（.osm.pbf 或线图层）/ import a walking network (OSM PBF or lines).",
        ("name", "crs"),
        rows=False,
    ),
    Importer(
        "suggestions",
        "shequ.voice.imports.suggestions:import_suggestions",
        "导入意见建议（编号,内容,渠道,社区编码,受理时间…）/ import suggestions.",
        ("plan",),
    ),
    Importer(
        "responses",
        "shequ.voice.imports.responses:import_responses",
        "导入问卷答卷（每行一份）/ import survey responses (one row each).",
        ("instrument",),
    ),
    Importer(
        "attendance",
        "shequ.voice.imports.attendance:import_attendance",
        "导入活动签到表（身份证号/手机号只以化名保存）/ import sign-in sheets.",
        ("key_file",),
    ),
    Importer(
        "services",
        "shequ.voice.imports.services:import_services",
        "导入志愿和社会组织服务记录 / import volunteer and social-organisation services.",
    ),
)


def run(importer: Importer, file: Path, db: str | None, lang: str, **chosen: Any) -> None:
    """Run ``importer`` on ``file`` with the options chosen, print its report and exit."""
    from ..store.db import open_store

    arguments: dict[str, Any] = {}
    for key in importer.options:
        option = OPTIONS[key]
        arguments.update(option.arguments(chosen.pop(option.parameter)))
    module, name = importer.function.split(":")
    function = getattr(importlib.import_module(module), name)
    result = function(open_store(db), file, actor=actor(), **arguments, **chosen)
    if not importer.rows:
        console.print(result.summary(language(lang)), markup=False)
        return
    from ._show_imports import print_import

    print_import(console, result, language(lang))
    raise typer.Exit(result.exit_code)


def _parameters(importer: Importer) -> list[inspect.Parameter]:
    options = [OPTIONS[key] for key in importer.options]
    shown = [("file", Path, inspect.Parameter.empty), ("db", DbOption, None)]
    shown += [(option.parameter, option.annotation, option.default) for option in options]
    if importer.rows:
        shown += [("strict", StrictOption, False), ("sheet", SheetOption, None)]
    shown.append(("lang", LangOption, ""))
    kind = inspect.Parameter.KEYWORD_ONLY
    return [inspect.Parameter(n, kind, default=d, annotation=a) for n, a, d in shown]


def _command(importer: Importer) -> Callable[..., None]:
    """The command function of ``importer``, with the parameters Typer reads for its options."""

    def command(**chosen: Any) -> None:
        run(importer, **chosen)

    command.__name__ = f"import_{importer.name}"
    command.__doc__ = importer.help
    command.__signature__ = inspect.Signature(_parameters(importer))  # type: ignore[attr-defined]
    return command


for _importer in IMPORTERS:
    import_app.command(_importer.name)(_command(_importer))
