"""``shequ dhis2 map|ids|import``: DHIS2 UIDs of data elements, org units and category
option combos, and a DHIS2 dataValueSet file (JSON or CSV) imported through the same code
as ``POST /api/dataValueSets``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._common import DbOption, PlanOption, actor, command_group, console

dhis2_app = command_group(
    "DHIS2：UID 映射与 dataValueSet 导入 / DHIS2: UID mapping and dataValueSet import."
)
FileArg = Annotated[Path, typer.Argument(help="文件路径 / file path")]


@dhis2_app.command("map")
def load_map(file: FileArg, db: DbOption = None) -> None:
    """导入 UID 映射（CSV：kind,uid,code）/ load a UID mapping (CSV: kind,uid,code)."""
    from ..ingest.dhis2_import import read_mapping
    from ..store import dhis2_ids
    from ..store.db import open_store

    rows = read_mapping(file)
    with open_store(db).begin() as conn:
        counts = dhis2_ids.save(conn, rows, actor=actor())
    console.print(
        f"新增 {counts['inserted']}，更新 {counts['updated']}，未变 {counts['unchanged']} / "
        f"inserted {counts['inserted']}, updated {counts['updated']}, unchanged "
        f"{counts['unchanged']}",
        markup=False,
    )


@dhis2_app.command("ids")
def list_ids(db: DbOption = None) -> None:
    """列出 UID 映射 / list the UID mapping (kind, uid, code)."""
    from ..store import dhis2_ids
    from ..store.db import open_store

    with open_store(db).begin() as conn:
        frame = dhis2_ids.read(conn)
    console.print(frame.to_csv(index=False).rstrip(), markup=False)


@dhis2_app.command("import")
def import_set(
    file: FileArg,
    db: DbOption = None,
    plan: PlanOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只检查不写入 / check, write nothing")
    ] = False,
    strategy: Annotated[
        str, typer.Option("--strategy", help="CREATE_AND_UPDATE | CREATE | UPDATE | DELETE")
    ] = "CREATE_AND_UPDATE",
    id_scheme: Annotated[str, typer.Option("--id-scheme", help="CODE | UID")] = "CODE",
) -> None:
    """导入 DHIS2 dataValueSet（JSON 或 CSV），打印 DHIS2 导入摘要 / import a DHIS2
    dataValueSet file and print DHIS2's ImportSummary (exit 1 on conflicts)."""
    from ..framework.loader import load_plan
    from ..ingest import dhis2
    from ..ingest.dhis2_import import import_value_set, read_value_set_file
    from ..store import orgunits
    from ..store.db import open_store

    plan_ = load_plan(plan)
    raw, payload = read_value_set_file(file)
    given = {"dryRun": dry_run, "importStrategy": strategy, "idScheme": id_scheme}
    options = dhis2.options_from(given, payload)
    store = open_store(db)
    with store.begin() as conn:
        allowed = set(orgunits.versions(conn)["code"])
    summary = import_value_set(store, raw, plan_, allowed, options, actor=actor())
    console.print(json.dumps(summary, ensure_ascii=False, indent=2), markup=False)
    if summary["conflicts"]:
        raise typer.Exit(1)
