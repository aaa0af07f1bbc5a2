"""Terminal rendering of scenarios: the list, a scenario's actions, and the comparison
with the baseline (summary per target, the units that flip, the cost)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..framework import labels
from ..framework.models import Plan
from ..scenario.compare import FLIP_HEADERS, Comparison, indicator_label

WORDS = labels.section("scenario")


def word(key: str, lang: str) -> str:
    return labels.pick(WORDS[key], lang)


def print_listing(console: Console, frame: pd.DataFrame, lang: str) -> None:
    if frame.empty:
        console.print(word("none", lang))
        return
    table = Table(*(word(k, lang) for k in ("name", "description", "kind_facility", "kind_value")))
    for row in frame.itertuples(index=False):
        table.add_row(row.name, row.description, str(row.facility), str(row.value))
    console.print(table)


def print_actions(console: Console, meta: dict, rows: pd.DataFrame, lang: str) -> None:
    console.print(f"{word('name', lang)}: {meta['name']}  {meta['description']}")
    table = Table("#", word("actions", lang), "", "", "")
    for row in rows.itertuples(index=False):
        if row.kind == "facility":
            table.add_row(str(row.position), word("kind_facility", lang), row.facility_type,
                          f"{row.lon:.6f}, {row.lat:.6f}", row.name or "")  # fmt: skip
        else:
            table.add_row(str(row.position), word("kind_value", lang), row.data_element,
                          f"{row.org_unit} {row.period}", f"{row.value:g}")  # fmt: skip
    console.print(table)


def print_comparison(console: Console, comparison: Comparison, plan: Plan, lang: str) -> None:
    console.print(f"[bold]{word('title', lang)}: {comparison.name} ({comparison.period})[/bold]")
    summary = comparison.summary()
    table = Table(*(word(k, lang) for k in ("indicator", "level", "units", "met_before",
                                            "met_after", "flip_met", "flip_missed")),
                  title=word("summary_title", lang))  # fmt: skip
    for row in summary.itertuples(index=False):
        table.add_row(indicator_label(plan, row.indicator, lang), labels.pick(labels.LEVEL[row.level], lang)
                      if row.level in labels.LEVEL else row.level, str(row.units),
                      str(row.met_before), str(row.met_after), str(row.gained), str(row.lost))  # fmt: skip
    console.print(table)
    flips = comparison.flips
    if flips.empty:
        console.print(word("no_flips", lang))
    else:
        console.print(flip_table(comparison, plan, lang))
    for line in comparison.cost_lines(plan, lang):
        console.print(f"{word('cost', lang)}: {line}")
    console.print(word("note", lang), style="dim")


def flip_table(comparison: Comparison, plan: Plan, lang: str) -> Table:
    table = Table(*(word(k, lang) for k in FLIP_HEADERS), title=word("flips_title", lang))
    for row in comparison.flip_rows(plan, lang):
        table.add_row(*row)
    return table
