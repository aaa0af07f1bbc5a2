"""What every ``shequ import …`` command does once its options are parsed: open the store,
run the importer, print its report and exit with its code (0 ok, 1 some rows quarantined,
2 nothing done)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import typer

from .errors import ShequError

_NO_PLAN = object()


def run_import(
    importer: Callable[..., Any],
    file: Path,
    lang: str,
    db: str | None,
    plan: Any = _NO_PLAN,
    **options: Any,
) -> NoReturn:
    """Run ``importer(store, file, actor=…, **options)``, print its report and exit.

    Pass ``plan`` (a plan path or built-in name, or None for the default) when the importer
    takes a loaded plan; it is loaded here so a bad plan exits 2 like a bad file does.
    """
    from . import cli
    from .store.db import open_store

    try:
        if plan is not _NO_PLAN:
            from .framework.loader import load_plan

            options["plan"] = load_plan(plan)
        report = importer(open_store(db), file, actor=cli._actor(), **options)
    except ShequError as exc:
        raise cli._fail(exc) from None
    cli._display.print_import(cli.console, report, cli._lang(lang))
    raise typer.Exit(report.exit_code)
