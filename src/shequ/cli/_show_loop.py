"""Terminal rendering of scheduled runs and warnings."""

from __future__ import annotations

import json

import pandas as pd
from rich.console import Console
from rich.table import Table


def print_tick(console: Console, report) -> None:
    if not report.done and not report.lost and not report.skipped:
        console.print("没有到期任务 / nothing due")
    for done in report.done:
        console.print(
            f"{done['job']} {done['period']}: {done['outcome']} — 新预警 / opened "
            f"{done.get('warnings_opened', 0)}, 关闭 / closed {done.get('warnings_closed', 0)}"
            + (f" ({done['message']})" if done.get("message") else "")
        )
    for lost in report.lost:
        console.print(f"{lost}: 已由其他调度器运行 / run by another scheduler")
    for skipped in report.skipped:
        console.print(f"{skipped}: 超出补跑上限，已跳过 / beyond catch-up, skipped")


def print_warnings(console: Console, frame: pd.DataFrame) -> None:
    if frame.empty:
        console.print("没有预警 / no warnings")
        return
    table = Table(
        "#",
        "类别 kind",
        "单位 unit",
        "对象 subject",
        "级别 severity",
        "证据 evidence",
        "责任人 owners",
        "处理 decision",
    )
    for row in frame.itertuples(index=False):
        owners = row.owners.get("staff", []) + row.owners.get("supervisors", [])
        table.add_row(
            str(row.id),
            row.kind,
            row.org_unit,
            row.subject,
            row.severity,
            json.dumps(row.evidence, ensure_ascii=False)[:80],
            ", ".join(dict.fromkeys(owners)),
            row.decision + ("" if pd.isna(row.closed_at) else " (closed)"),
        )
    console.print(table)
