"""The ``shequ`` command (Typer): this module assembles it from one module per command
group; each command parses its options, calls one library function and prints.

Exit codes: 0 success; 1 an import loaded with some rows quarantined; 2 nothing was done
(bad input, bad plan, unknown period, store or engine error; see `_common.ShequGroup`);
3 ``shequ audit verify`` found the audit chain broken.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from . import (
    demo,
    evaluate,
    export,
    imports,
    loop,
    notify,
    periods,
    plans,
    report,
    scenario,
    spatial,
    store,
    tasks,
    validate,
    voice,
    web,
)
from ._common import ShequGroup
from .dhis2 import dhis2_app

app = typer.Typer(
    help="shequ 社区发展监测评估系统 — community development monitoring and evaluation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=ShequGroup,
)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """shequ 社区发展监测评估系统 / community development monitoring and evaluation."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


for _name, _command in (
    ("init", store.init),
    ("backup", store.backup),
    ("restore", store.restore),
    ("evaluate", evaluate.evaluate),
    ("diagnose", evaluate.diagnose),
    ("report", report.report),
    ("demo", demo.demo),
    ("plan", plans.check_plan),
    ("coverage", spatial.coverage),
    ("access", spatial.access),
    ("site", spatial.site),
    ("serve", web.serve),
    ("validate", validate.validate),
    ("scheduler", loop.scheduler),
):
    app.command(_name)(_command)

for _name, _group in (
    ("import", imports.import_app),
    ("tasks", tasks.tasks_app),
    ("warnings", loop.warnings_app),
    ("voice", voice.voice_app),
    ("survey", voice.survey_app),
    ("users", web.users_app),
    ("periods", periods.periods_app),
    ("dhis2", dhis2_app),
    ("notify", notify.notify_app),
    ("scenario", scenario.scenario_app),
    ("audit", store.audit_app),
    ("export", export.export_app),
):
    app.add_typer(_group, name=_name)
