"""The sample city on Apache Spark (local mode): the same numbers as DuckDB and SQLite, and
the run persisted into the store like any other engine's."""

import pandas as pd
import pytest

from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.store import runs
from shequ.store.db import open_store
from tests._files import copy_store

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _evaluate(store, engine, *, persist=False):
    evaluation = evaluate(store, load_plan(), periods=["2025"], engine=engine, persist=persist)
    frame = evaluation.results.sort_values(["period", "indicator", "org_unit"])
    return evaluation, frame.reset_index(drop=True)


def test_spark_equals_duckdb_equals_sqlite_on_the_sample_city_and_persists_its_run(
    demo_folder, tmp_path
):
    store = open_store(copy_store(demo_folder / "shequ.db", tmp_path / "shequ.db"), migrate=False)
    _, reference = _evaluate(store, "duckdb")
    _, on_sqlite = _evaluate(store, "sqlite")
    on_spark, frame = _evaluate(store, "spark", persist=True)
    # 1 city + 6 districts + 41 streets + 300 communities, every indicator of the plan
    assert len(reference) == len(load_plan().indicators) * (1 + 6 + 41 + 300)
    for name, other in (("sqlite", on_sqlite), ("spark", frame)):
        pd.testing.assert_frame_equal(
            other, reference, check_exact=False, rtol=1e-9, check_dtype=False, obj=name
        )
    with store.begin() as conn:
        run = runs.get(conn, on_spark.run_id)
        stored = runs.results(conn, on_spark.run_id)
    assert run.engine == "spark"
    assert len(stored) == len(reference)
