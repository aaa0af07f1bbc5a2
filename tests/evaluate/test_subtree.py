"""``evaluate(..., unit=CODE)`` / ``shequ evaluate --unit``: one subtree, with the targets
its ancestors' scopes set, gives exactly the same units' rows as a full evaluation."""

import math

import pandas as pd
import pytest

from shequ.errors import EvaluationError
from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.store import runs as store_runs
from tests import _city
from tests._files import write
from tests.cli._invoke import invoke

KEYS = ["indicator", "org_unit", "period"]


def _scoped_plan(folder):
    """The national plan with a target scoped to district D, an ancestor of S1."""
    return load_plan(
        write(
            folder / "scoped.yaml",
            """
            extends: national
            code: scoped
            name: 东区目标
            name_en: scoped
            targets:
              - {indicator: living_area_per_capita, comparator: ">=", value: 38, period: "2025", scope: D}
            """,
        )
    )


def _sorted(frame):
    return frame.sort_values(KEYS).reset_index(drop=True)


def test_a_subtree_equals_the_same_units_of_a_full_run(engine_store, tmp_path):
    engine, store = engine_store
    _city.build(store, tmp_path)
    plan = _scoped_plan(tmp_path)
    periods = ["2024", "2025"]
    full = evaluate(store, plan, periods=periods, engine=engine, persist=False).results
    part = evaluate(store, plan, periods=periods, engine=engine, unit="S1")
    assert set(part.results["org_unit"]) == {"S1", "A", "B"}
    mine = full[full["org_unit"].isin(["S1", "A", "B"])]
    pd.testing.assert_frame_equal(_sorted(part.results), _sorted(mine))
    rows = part.results.set_index(KEYS)
    # S1 = (50000 + 90000) / (1000 + 3000) = 35.0 m² per resident; D's scoped ">= 38"
    # applies (not the national ">= 40"): not met. A 50000/1000 = 50.0: met.
    s1 = rows.loc[("living_area_per_capita", "S1", "2025")]
    assert (s1.value, s1.target, s1.status) == (35.0, 38.0, "not_met")
    assert (s1.reporting_units, s1.expected_units) == (2, 2)
    a = rows.loc[("living_area_per_capita", "A", "2025")]
    assert (a.value, a.target, a.status) == (50.0, 38.0, "met")
    # 2024 has no values: no data, never zero
    assert math.isnan(rows.loc[("living_area_per_capita", "S1", "2024")].value)
    with store.begin() as conn:
        assert store_runs.get(conn, part.run_id).unit == "S1"


def test_an_unknown_unit_is_refused(sqlite_store, tmp_path):
    _city.build(sqlite_store, tmp_path)
    with pytest.raises(EvaluationError, match="NOPE"):
        evaluate(sqlite_store, load_plan(), periods=["2025"], unit="NOPE")


def test_cli_unit_option(tmp_path):
    db = tmp_path / "c.db"
    from shequ.store.db import open_store

    store = open_store(db)
    _city.build(store, tmp_path)
    store.close()
    out = tmp_path / "s2.csv"
    result = invoke("evaluate", "--period", "2025", "--db", db, "--unit", "S2", "--output", out)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert set(frame["org_unit"]) == {"S2", "E", "F"}
    refused = invoke("evaluate", "--period", "2025", "--db", db, "--unit", "NOPE")
    assert refused.exit_code == 2 and "NOPE" in refused.output
