"""A run's results as Parquet parts (migration 0021): what goes in comes out, in order,
whole or by unit and period, on SQLite and PostgreSQL; a damaged part is refused; the
parts go with their run; the migration carries stored runs both ways."""

import math

import pandas as pd
import pyarrow as pa
import pytest
from alembic import command
from sqlalchemy import delete, func, select, text, update

from shequ.errors import StoreError
from shequ.store import db, result_parts, runs
from shequ.store.tables.core import EvaluationResultPart, EvaluationRun

META = {
    "actor": "test",
    "plan_code": "p",
    "plan_version": "1",
    "plan_digest": "0" * 64,
    "plan_json": "{}",
    "periods": "2024,2025",
    "level": None,
    "unit": None,
    "engine": "duckdb",
    "inputs_digest": "0" * 64,
    "seconds": 1.0,
}

# seven results in result order (period, level, unit, indicator), written by hand: a
# missing value, target and baseline; counts as a merge leaves them (3.0)
RESULTS = pd.DataFrame(
    {
        "indicator": ["a", "b", "a", "b", "a", "a", "b"],
        "org_unit": ["33", "33", "3301", "3301", "3302", "33", "3302"],
        "period": ["2024", "2024", "2024", "2024", "2024", "2025", "2025"],
        "value": [0.5, None, 0.25, 1.0, 0.75, 0.6, 2.0],
        "numerator": [1.0, None, 1.0, 4.0, 3.0, 3.0, 8.0],
        "denominator": [2.0, None, 4.0, 4.0, 4.0, 5.0, 4.0],
        "target": [0.4, 0.9, 0.4, 0.9, 0.4, None, 0.9],
        "comparator": [">=", ">=", ">=", ">=", ">=", None, ">="],
        "target_period": ["2025", "2025", "2025", "2025", "2025", None, "2025"],
        "baseline_value": [None, None, None, None, None, 0.5, 1.5],
        "status": ["met", "no_data", "not_met", "met", "met", "no_target", "met"],
        "reporting_units": [3.0, 0.0, 1.0, 1.0, 1.0, 3.0, 1.0],
        "expected_units": [3, 3, 1, 1, 1, 3, 1],
    }
)


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(result_parts, "PART_ROWS", 2)  # 7 rows: parts of 2, 2, 2, 1
    monkeypatch.setattr(result_parts, "GROUP", 3)  # fetched in two queries


def _save(store) -> int:
    with store.begin() as conn:
        run_id = runs.save(conn, META, RESULTS)
        runs.mark_complete(conn, run_id)
    return run_id


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Rows as comparable tuples (NaN and None both read as None)."""
    out = []
    for row in frame.itertuples(index=False):
        out.append(tuple(None if (isinstance(v, float) and math.isnan(v)) else v for v in row))
    return out


EXPECTED = [
    ("a", "33", "2024", 0.5, 1.0, 2.0, 0.4, ">=", "2025", None, "met", 3, 3),
    ("b", "33", "2024", None, None, None, 0.9, ">=", "2025", None, "no_data", 0, 3),
    ("a", "3301", "2024", 0.25, 1.0, 4.0, 0.4, ">=", "2025", None, "not_met", 1, 1),
    ("b", "3301", "2024", 1.0, 4.0, 4.0, 0.9, ">=", "2025", None, "met", 1, 1),
    ("a", "3302", "2024", 0.75, 3.0, 4.0, 0.4, ">=", "2025", None, "met", 1, 1),
    ("a", "33", "2025", 0.6, 3.0, 5.0, None, None, None, 0.5, "no_target", 3, 3),
    ("b", "3302", "2025", 2.0, 8.0, 4.0, 0.9, ">=", "2025", 1.5, "met", 1, 1),
]


def test_results_come_back_as_they_went_in_whole_and_by_unit(any_store, small_parts):
    run_id = _save(any_store)
    with any_store.begin() as conn:
        parts = conn.execute(
            select(
                EvaluationResultPart.seq,
                EvaluationResultPart.rows,
                EvaluationResultPart.first_unit,
                EvaluationResultPart.last_unit,
                EvaluationResultPart.first_period,
                EvaluationResultPart.last_period,
            )
            .where(EvaluationResultPart.run_id == run_id)
            .order_by(EvaluationResultPart.seq)
        ).all()
        whole = runs.results(conn, run_id)
        cities = runs.results(conn, run_id, org_units={"3302", "3301"})
        of_2025 = runs.results(conn, run_id, period="2025")
        none = runs.results(conn, run_id, org_units={"44"})
    # rows 1-2, 3-4, 5-6, 7: the min and max unit code and period of each (by text)
    assert [tuple(p) for p in parts] == [
        (0, 2, "33", "33", "2024", "2024"),
        (1, 2, "3301", "3301", "2024", "2024"),
        (2, 2, "33", "3302", "2024", "2025"),
        (3, 1, "3302", "3302", "2025", "2025"),
    ]
    assert list(whole.columns) == runs.RESULT_COLUMNS
    assert _rows(whole) == EXPECTED
    assert str(whole["reporting_units"].dtype) == "int64"
    assert str(whole["value"].dtype) == "float64"
    assert _rows(cities) == [EXPECTED[i] for i in (2, 3, 4, 6)]
    assert _rows(of_2025) == [EXPECTED[5], EXPECTED[6]]
    assert none.empty and list(none.columns) == runs.RESULT_COLUMNS


def test_only_the_parts_that_may_hold_a_unit_are_read(any_store, small_parts, monkeypatch):
    run_id = _save(any_store)
    decoded = []
    original = result_parts.pq.read_table

    def counting(source, *args, **kwargs):
        decoded.append(1)
        return original(source, *args, **kwargs)

    monkeypatch.setattr(result_parts.pq, "read_table", counting)
    with any_store.begin() as conn:
        found = runs.results(conn, run_id, org_units={"3301"})
    # "3301" lies in part 1 ["3301", "3301"] and in part 2 ["33", "3302"]; not in part 0
    # ["33", "33"] nor part 3 ["3302", "3302"]: two parts decoded of four
    assert len(decoded) == 2
    assert _rows(found) == [EXPECTED[2], EXPECTED[3]]


def test_overlap_of_a_part_and_the_asked_codes():
    assert result_parts._overlaps(None, "1", "2")
    assert result_parts._overlaps(["3301", "3305"], "3302", "3305")  # 3305 is the high end
    assert not result_parts._overlaps(["3301", "3306"], "3302", "3305")  # around, not in
    assert not result_parts._overlaps([], "3302", "3305")


def test_a_damaged_part_is_refused_by_name(any_store, small_parts):
    run_id = _save(any_store)
    with any_store.begin() as conn:
        conn.execute(
            update(EvaluationResultPart)
            .where(EvaluationResultPart.run_id == run_id, EvaluationResultPart.seq == 1)
            .values(rows=5)
        )
    with any_store.begin() as conn, pytest.raises(StoreError, match="part 1 of the results"):
        runs.results(conn, run_id)


def test_a_result_without_its_counts_is_refused():
    broken = RESULTS.assign(expected_units=[3, None, 1, 1, 1, 3, 1])
    with pytest.raises(StoreError, match="no expected_units"):
        result_parts.as_table(broken)


def test_the_parts_go_with_their_run(any_store, small_parts):
    kept, dropped = _save(any_store), _save(any_store)
    with any_store.begin() as conn:
        conn.execute(delete(EvaluationRun).where(EvaluationRun.id == dropped))
    with any_store.begin() as conn:
        left = conn.execute(
            select(EvaluationResultPart.run_id, func.count()).group_by(EvaluationResultPart.run_id)
        ).all()
    assert [tuple(r) for r in left] == [(kept, 4)]


def _migrate(store, action, revision: str) -> None:
    config = db._alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        action(config, revision)


def test_the_migration_carries_stored_runs_both_ways(any_store, small_parts):
    first, second = _save(any_store), _save(any_store)
    _migrate(any_store, command.downgrade, "0020_result_index")
    with any_store.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT run_id, indicator, org_unit, period, status, reporting_units"
                " FROM evaluation_result ORDER BY id"
            )
        ).all()
    # both runs' rows, one run after the other, each in result order
    assert [tuple(r) for r in rows] == [
        (run, e[0], e[1], e[2], e[10], e[11]) for run in (first, second) for e in EXPECTED
    ]
    db.upgrade(any_store)
    with any_store.begin() as conn:
        assert _rows(runs.results(conn, first)) == EXPECTED
        assert _rows(runs.results(conn, second)) == EXPECTED
        counts = conn.execute(
            select(EvaluationResultPart.run_id, func.count())
            .group_by(EvaluationResultPart.run_id)
            .order_by(EvaluationResultPart.run_id)
        ).all()
    assert [tuple(c) for c in counts] == [(first, 4), (second, 4)]  # parts of 2 rows again


def test_a_part_is_a_parquet_file_any_reader_opens(any_store):
    run_id = _save(any_store)
    with any_store.begin() as conn:
        (data,) = conn.execute(
            select(EvaluationResultPart.data).where(EvaluationResultPart.run_id == run_id)
        ).one()
    table = result_parts.pq.read_table(pa.BufferReader(data))
    assert table.num_rows == 7 and table.schema == result_parts.SCHEMA
