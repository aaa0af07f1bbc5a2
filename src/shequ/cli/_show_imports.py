"""Terminal rendering of an import's report: the summary line and the first problems."""

from __future__ import annotations

from rich.console import Console

from ..ingest.report import ImportReport

MAX_PROBLEMS_SHOWN = 20


def print_import(console: Console, report: ImportReport, lang: str) -> None:
    zh, en = report.summary().split("\n")
    console.print(zh if lang == "zh" else en)
    for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
        text = (
            f"  第{problem.row}行 [{problem.column}] {problem.reason_zh}"
            if lang == "zh"
            else f"  row {problem.row} [{problem.column}] {problem.reason_en}"
        )
        console.print(text, style="yellow", markup=False)
    found = len(report.problems) if report.problem_count is None else report.problem_count
    hidden = found - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        console.print(f"  … 另有 {hidden:,} 个问题 / {hidden:,} more problems")
    for finding in report.violations[:MAX_PROBLEMS_SHOWN]:
        rows = ",".join(map(str, finding.rows)) or "-"
        text = (
            f"  校验 第{rows}行 {finding.org_unit} {finding.period} [{finding.rule}] "
            f"{finding.message_zh}"
            if lang == "zh"
            else f"  rule: row {rows} {finding.org_unit} {finding.period} [{finding.rule}] "
            f"{finding.message_en}"
        )
        style = "red" if finding.importance == "high" else "yellow"
        console.print(text, style=style, markup=False)
    hidden = report.findings[0] - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        console.print(f"  … 另有 {hidden:,} 个校验问题 / {hidden:,} more validation findings")
    if report.quarantine_path:
        label = "隔离文件" if lang == "zh" else "quarantine file"
        console.print(f"  {label}: {report.quarantine_path}")
