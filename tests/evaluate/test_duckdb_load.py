"""What the DuckDB engine loads from the store (`backends._load`): only the (data element,
period) cells the indicators read, by reader processes on a large store, all of one
version of the store (read again when another connection commits meanwhile)."""

import sqlite3

import duckdb
import pandas as pd
import pytest

from shequ import progress
from shequ.errors import EvaluationError
from shequ.evaluate import backends, run
from shequ.evaluate.backends import _load
from shequ.evaluate.indicators import cells_read
from shequ.framework.loader import load_plan
from shequ.framework.periods import parse_period
from tests import _city

KEYS = ["indicator", "org_unit", "period"]


def test_a_baseline_period_reads_only_what_its_reduce_by_target_needs():
    plan = load_plan()  # national: criminal_case_rate reduce_by 30 % from 2020
    asked = [parse_period("2025")]
    computed = run._with_baselines(asked, plan, history=0)
    work = run._work(plan, asked, computed, history=0)
    assert [i.code for i in work["2020"]] == ["criminal_case_rate"]
    cells = cells_read(work, computed)
    # criminal_case_rate = criminal_cases / resident_population × 10 000: its two elements
    assert [c for c in cells if c[1] == "2020"] == [
        ("criminal_cases", "2020"),
        ("resident_population", "2020"),
    ]
    # new_service_centres accumulates service_centres_opened from 2021: 2021 … 2025
    opened = [p for e, p in cells if e == "service_centres_opened"]
    assert opened == ["2021", "2022", "2023", "2024", "2025"]


def test_with_history_every_indicator_is_evaluated_in_the_earlier_periods():
    plan = load_plan()
    asked = [parse_period("2025")]
    computed = run._with_baselines(asked, plan, history=5)  # 2020 … 2025
    work = run._work(plan, asked, computed, history=5)
    assert len(work["2020"]) == len(work["2024"]) == len(plan.indicators)
    assert len(work["2025"]) == len(plan.indicators) + 2  # and the unit profile


def _loaded(store, reads, tmp_path):
    con = duckdb.connect()
    counts = _load.load(store.sqlite_path, reads, con, tmp_path)
    frame = con.execute("FROM data_value ORDER BY ALL").df()
    return counts, frame


def test_only_the_cells_named_are_loaded(sqlite_store, tmp_path):
    _city.build(sqlite_store, tmp_path)
    cells = (("criminal_cases", "2020"), ("resident_population", "2025"))
    counts, frame = _loaded(sqlite_store, backends.Reads(cells=cells), tmp_path)
    # VALUES_2020: criminal_cases of A (20) and B (30); VALUES_2025: population of A, B, E
    assert counts["data_value"] == 5
    assert sorted(zip(frame["data_element"], frame["org_unit"], frame["value"], strict=True)) == [
        ("criminal_cases", "A", 20.0),
        ("criminal_cases", "B", 30.0),
        ("resident_population", "A", 1000.0),
        ("resident_population", "B", 3000.0),
        ("resident_population", "E", 2000.0),
    ]
    assert set(frame["category_option_combo"]) == {"default"}
    # of S1's subtree only (A, B): the same cells, E left out
    counts, frame = _loaded(sqlite_store, backends.Reads(unit="S1", cells=cells), tmp_path)
    assert counts["data_value"] == 4 and set(frame["org_unit"]) == {"A", "B"}
    assert counts["org_unit"] == 3  # S1, A, B


def test_reader_processes_load_what_one_transaction_loads(sqlite_store, tmp_path, monkeypatch):
    _city.build(sqlite_store, tmp_path)
    plan = load_plan()
    alone = run.evaluate(sqlite_store, plan, periods=["2025"], engine="duckdb", persist=False)
    monkeypatch.setattr(_load, "PARALLEL_FROM", 0)  # readers even on this small store
    together = run.evaluate(sqlite_store, plan, periods=["2025"], engine="duckdb", persist=False)
    pd.testing.assert_frame_equal(together.results, alone.results)
    assert together.inputs_digest == alone.inputs_digest
    # a subtree goes through the `_fetch` readers (indexed lookups), the tree through `_scan`
    one = run.evaluate(
        sqlite_store, plan, periods=["2025"], engine="duckdb", persist=False, unit="S1"
    )
    of_s1 = alone.results[alone.results["org_unit"].isin(set(one.results["org_unit"]))]
    assert {"S1", "A", "B"} <= set(one.results["org_unit"])
    pd.testing.assert_frame_equal(one.results, of_s1.reset_index(drop=True))


@pytest.mark.parametrize(
    ("unit", "advanced"),
    [(None, [2]), ("S1", [1])],  # the tree: one `_scan` of both cells; S1: two `_fetch` readers
)
def test_a_commit_while_the_readers_read_makes_the_load_start_again(
    sqlite_store, tmp_path, monkeypatch, unit, advanced
):
    _city.build(sqlite_store, tmp_path)
    monkeypatch.setattr(_load, "PARALLEL_FROM", 0)
    path = sqlite_store.sqlite_path
    commits = []

    def commit_once(amount=1):  # called as each reader is done: after it read everything
        if not commits:
            writer = sqlite3.connect(path)
            with writer:
                writer.execute(
                    "UPDATE data_value SET value = 1001 WHERE org_unit = 'A'"
                    " AND period = '2025' AND data_element = 'resident_population'"
                )
            writer.close()
            commits.append(amount)

    monkeypatch.setattr(progress, "advance", commit_once)
    cells = (("resident_population", "2025"), ("criminal_cases", "2025"))
    counts, frame = _loaded(sqlite_store, backends.Reads(unit=unit, cells=cells), tmp_path)
    assert commits == advanced
    # the readers had read 1000; the second attempt read the committed value, and no row
    # twice (cases: A 14, B 25; E is not in S1's subtree)
    expected = [
        ("criminal_cases", "A", 14.0),
        ("criminal_cases", "B", 25.0),
        ("resident_population", "A", 1001.0),
        ("resident_population", "B", 3000.0),
        ("resident_population", "E", 2000.0),
    ]
    expected = [row for row in expected if unit is None or row[1] != "E"]
    assert counts["data_value"] == len(expected)
    assert (
        sorted(zip(frame["data_element"], frame["org_unit"], frame["value"], strict=True))
        == expected
    )


def test_a_failed_scan_is_an_evaluation_error_with_the_reason(sqlite_store, tmp_path, monkeypatch):
    _city.build(sqlite_store, tmp_path)
    monkeypatch.setattr(_load, "PARALLEL_FROM", 0)
    broken = tmp_path / "broken_scan.py"
    broken.write_text("import sys\nsys.exit('the store is not readable')\n")
    monkeypatch.setattr(_load, "_SCAN", broken)
    cells = (("resident_population", "2025"), ("criminal_cases", "2025"))
    with pytest.raises(EvaluationError, match="reading the store's values failed: the store is"):
        _loaded(sqlite_store, backends.Reads(cells=cells), tmp_path)
