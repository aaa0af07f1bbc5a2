"""The terminal summary by level (`print_level_summary`) of a hand-made run: counts per
(period, level) in the order they first occur, and the units meeting most and fewest of
their targeted indicators (ties by code)."""

import io

import pandas as pd
from rich.console import Console

from shequ.cli._show_evaluation import print_level_summary
from shequ.evaluate.run import Evaluation
from shequ.framework.loader import load_plan

ROWS = [  # period, level, unit, name, status
    ("2025", "street", "S1", "东街道", "met"),
    ("2025", "street", "S1", "东街道", "not_met"),
    ("2025", "community", "C1", "一社区", "met"),
    ("2025", "community", "C1", "一社区", "met"),
    ("2025", "community", "C1", "一社区", "no_target"),
    ("2025", "community", "C2", "二社区", "not_met"),
    ("2025", "community", "C2", "二社区", "no_data"),
    ("2025", None, "X", "无层级", "met"),  # no level: left out, as a groupby leaves it
    ("2025", "community", "C4", "四社区", "not_met"),
    ("2025", "community", "C4", "四社区", "met"),
    ("2025", "community", "C3", "三社区", "met"),
    ("2025", "community", "C3", "三社区", "not_met"),
    ("2025", "community", "C0", "零社区", "no_target"),  # nothing targeted: not ranked
    ("2024", "community", "C1", "旧一社区", "no_data"),
    ("2024", "community", "C1", "旧一社区", "no_target"),
]


def _cells(lang: str) -> list[list[str]]:
    frame = pd.DataFrame(ROWS, columns=["period", "level", "org_unit", "org_unit_name", "status"])
    evaluation = Evaluation(None, load_plan("national"), ["2025", "2024"], "duckdb", frame)
    out = io.StringIO()
    print_level_summary(Console(file=out, width=200, color_system=None), evaluation, lang)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("│")]
    return [[cell.strip() for cell in line.strip("│").split("│")] for line in lines]


def test_counts_by_level_then_the_extremes_of_each_level_of_many_units():
    assert _cells("en") == [
        # (2025, street): S1 met 1, not met 1
        ["2025", "street", "1", "1", "1", "0", "0"],
        # (2025, community): C0–C4; met C1×2 + C4 + C3 = 4, not met C2 + C4 + C3 = 3,
        # no data C2 = 1, no target C1 + C0 = 2
        ["2025", "community", "5", "4", "3", "1", "2"],
        ["2024", "community", "1", "0", "0", "1", "1"],
        # the street level has one unit, 2024's community level too: no extremes.
        # 2025's communities with a target: C1 2/2, C3 1/2, C4 1/2, C2 0/1: n = 4 // 2 = 2;
        # C3 before C4 (same share, code order); the bottom lists the lowest first
        ["↑", "C1", "一社区", "2/2", "100%"],
        ["↑", "C3", "三社区", "1/2", "50%"],
        ["↓", "C2", "二社区", "0/1", "0%"],
        ["↓", "C4", "四社区", "1/2", "50%"],
    ]


def test_the_chinese_summary_names_the_levels_in_chinese():
    cells = _cells("zh")
    assert cells[1] == ["2025", "社区（村）", "5", "4", "3", "1", "2"]
    assert cells[3] == ["↑", "C1", "一社区", "2/2", "100%"]
