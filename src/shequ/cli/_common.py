"""What every ``shequ`` command shares: the options, the console it prints to, the actor
the audit trail names, and the one place where a domain error becomes an exit code.

Exit codes: 0 success; 1 an import loaded with some rows quarantined; 2 nothing was done
(bad input, bad plan, unknown period, store or engine error). Commands do not catch
`ShequError`: every command group is a `ShequGroup`, which prints the error's message and
exits 2.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from ..errors import ShequError
from . import _progress

console = Console(width=None if sys.stdout.isatty() else 120)

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


def actor() -> str:
    """Who the audit trail names for changes made from the command line."""
    return f"cli:{getpass.getuser()}"


def language(lang: str | None) -> str:
    """``zh`` or ``en``: the ``--lang`` given, else ``$SHEQU_LANG``, else Chinese."""
    chosen = lang or os.environ.get("SHEQU_LANG", "zh")
    return "en" if chosen.lower().startswith("en") else "zh"


class ShequGroup(TyperGroup):
    """A command group whose commands exit 2, printing the message, on any `ShequError`."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            with _progress.display(console, ctx.invoked_subcommand):
                return super().invoke(ctx)
        except ShequError as exc:
            console.print(str(exc), style="red", markup=False)
            raise typer.Exit(2) from None


def command_group(help_text: str) -> typer.Typer:
    """A group of commands (``shequ tasks …``) that shows its help when called bare."""
    return typer.Typer(help=help_text, no_args_is_help=True, cls=ShequGroup)
