"""``shequ plan``: check a plan file and list its indicators, targets and data elements."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import LangOption, console, language


def check_plan(
    source: Annotated[str, typer.Argument(help="YAML 文件或内置名")] = "example_city",
    lang: LangOption = "",
) -> None:
    """检查指标方案文件，列出指标、目标与数据元素 / check a plan file; list indicators,
    targets and the data elements an import file carries."""
    from ..framework.loader import load_plan
    from ._show_plan import print_plan

    print_plan(console, load_plan(source), language(lang))
