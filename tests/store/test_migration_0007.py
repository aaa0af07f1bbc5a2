"""Migration 0007: a store at 0006 with a run in it upgrades to stored trends.

The run made before the upgrade keeps its results and scores; the new tables start empty,
so its report says that it stored no trends; the next assessment stores them.
"""

import pandas as pd
from alembic import command
from sqlalchemy import inspect, text

from shequ.evaluate.assessment import assess
from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.report.context import build_context
from shequ.store import db, runs
from tests import _city

NEW_TABLES = {
    "evaluation_trend",
    "evaluation_history",
    "composite_indicator_score",
    "composite_weight",
    "unit_profile",
}


def _downgrade(store, revision: str) -> None:
    config = db._alembic_config(store)
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def test_a_store_with_a_run_upgrades_from_0006_to_0007(any_store, tmp_path):
    _city.build(any_store, tmp_path)
    plan = load_plan("national")
    # a run as 0006 stored it: results, and composite scores beside them (written with
    # today's code, whose runs carry columns 0006 lacks, then taken down to 0006)
    old = evaluate(any_store, plan, periods=["2025"], actor="before")
    with any_store.begin() as conn:
        runs.save_composite(conn, old.run_id, _scores(), _coordination())
    _downgrade(any_store, "0006")
    assert db.current_revision(any_store) == "0006"
    assert not NEW_TABLES & set(inspect(any_store.engine).get_table_names())

    db.upgrade(any_store, "0007")

    assert db.current_revision(any_store) == "0007"
    assert set(inspect(any_store.engine).get_table_names()) >= NEW_TABLES
    with any_store.begin() as conn:
        # 0007 keeps a result a row (0021 turned them into parts: downgraded, they are rows)
        kept = conn.execute(
            text("SELECT count(*) FROM evaluation_result WHERE run_id = :run"),
            {"run": old.run_id},
        ).scalar()
        assert kept == len(old.results) > 0
        assert len(runs.composite_scores(conn, old.run_id)) == 4
        assert runs.trends(conn, old.run_id).empty
    db.upgrade(any_store)  # today's readers need today's schema
    context = build_context(any_store, old.run_id, unit="S1")
    assert context.indicators["value"].notna().any()
    assert "shequ evaluate --composite" in context.missing["trends"][1]
    assert "evaluate again" in context.missing["diagnosis"][1]

    new = assess(any_store, plan, periods=["2025"], actor="after", sensitivity=False)
    with any_store.begin() as conn:
        stored = runs.trends(conn, new.evaluation.run_id)
    assert len(stored) == len(new.trends) == len(new.evaluation.results)
    assert "trends" not in build_context(any_store, new.evaluation.run_id, unit="S1").missing

    _downgrade(any_store, "0006")  # and back: the new tables go, the runs stay
    assert not NEW_TABLES & set(inspect(any_store.engine).get_table_names())
    with any_store.begin() as conn:
        kept = conn.execute(
            text("SELECT count(*) FROM evaluation_result WHERE run_id = :run"),
            {"run": old.run_id},
        ).scalar()
    assert kept == len(old.results)


def _scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "org_unit": ["S1", "S2"],
            "period": ["2025", "2025"],
            "level": ["street", "street"],
            "dimension": ["overall", "overall"],
            "score": [60.0, 40.0],
            "rank": [1.0, 2.0],
        }
    )


def _coordination() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "org_unit": ["S1", "S2"],
            "period": ["2025", "2025"],
            "level": ["street", "street"],
            "coordination": [0.65, 0.45],
            "class": ["primary_coordination", "verge_of_imbalance"],
        }
    )
