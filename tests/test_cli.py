"""The shequ command: exit codes scripts can trust, bilingual help, output files."""

import textwrap

import pandas as pd
from typer.testing import CliRunner

from shequ.cli import app
from tests._files import write

runner = CliRunner()

UNITS = (
    "code,name,parent_code,level\nC,示范市,,市\nS,一街道,C,街道\nA,甲社区,S,社区\nB,乙社区,S,社区\n"
)


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_help_is_bilingual():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "社区发展" in result.output and "community development" in result.output
    for command in ("init", "import", "evaluate", "demo", "plan"):
        assert command in result.output


def test_import_and_evaluate_exit_codes_and_output(tmp_path):
    db = tmp_path / "c.db"
    assert invoke("init", "--db", db).exit_code == 0
    units = write(tmp_path / "u.csv", UNITS)
    assert invoke("import", "orgunits", units, "--db", db).exit_code == 0
    good = write(
        tmp_path / "v.csv",
        "org_unit,period,常住人口,住宅建筑面积\nA,2025,1000,50000\nB,2025,1000,30000\n",
    )
    assert invoke("import", "values", good, "--db", db).exit_code == 0
    partial = write(tmp_path / "p.csv", "org_unit,period,常住人口\nA,2024,10\nNOPE,2024,5\n")
    result = invoke("import", "values", partial, "--db", db, "--lang", "en")
    assert result.exit_code == 1 and "unknown org unit 'NOPE'" in result.output
    bad = write(tmp_path / "b.csv", "org_unit,period,常住人口\nNOPE,2024,5\n")
    result = invoke("import", "values", bad, "--db", db)
    assert result.exit_code == 2 and "未知的组织单位" in result.output
    out = tmp_path / "r.csv"
    result = invoke("evaluate", "--period", "2025", "--db", db, "--output", out)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"org_unit": str})
    required = [
        "indicator",
        "org_unit",
        "period",
        "value",
        "numerator",
        "denominator",
        "target",
        "status",
        "reporting_units",
        "expected_units",
    ]
    assert set(required) <= set(frame.columns)
    street = frame[(frame.indicator == "living_area_per_capita") & (frame.org_unit == "S")].iloc[0]
    # (50000 + 30000) / (1000 + 1000) = 40.0 -> ">= 40" met, both communities report
    assert (street.value, street.status, street.reporting_units) == (40.0, "met", 2)


def test_bad_input_exits_2_with_a_message(tmp_path):
    db = tmp_path / "c.db"
    result = invoke("evaluate", "--period", "2025x", "--db", db)
    assert result.exit_code == 2 and "2025x" in result.output
    result = invoke("import", "values", tmp_path / "missing.csv", "--db", db)
    assert result.exit_code == 2 and "file not found" in result.output
    plan = write(tmp_path / "p.yaml", "code: [oops\n")
    result = invoke("plan", plan)
    assert result.exit_code == 2 and "p.yaml:2" in result.output


def test_plan_command_lists_indicators_and_targets():
    result = invoke("plan", "example_city")
    assert result.exit_code == 0
    assert "green_coverage" in result.output and ">= 38" in result.output


def test_composite_diagnose_and_tasks_commands(tmp_path):
    db = tmp_path / "c.db"
    invoke("import", "orgunits", write(tmp_path / "u.csv", UNITS), "--db", db)
    # A: 50000/1000 = 50 m² (meets >= 40), participation 600/1000 = 60 %; B: 30 m², 90 %
    values = write(
        tmp_path / "v.csv",
        """
        org_unit,period,常住人口,住宅建筑面积,adult_population,participants
        A,2025,1000,50000,1000,600
        B,2025,1000,30000,1000,900
    """,
    )
    assert invoke("import", "values", values, "--db", db).exit_code == 0
    result = invoke(
        "evaluate", "--period", "2025", "--db", db, "--composite", "--level", "community"
    )
    assert result.exit_code == 0, result.output
    assert "综合得分排名" in result.output and "协调" in result.output
    result = invoke("diagnose", "A", "--period", "2025", "--db", db)
    assert result.exit_code == 0, result.output
    assert "居民参与率" in result.output  # A's gap: participation 60 % against 80 %
    result = invoke(
        "tasks",
        "create",
        "A",
        "participation_rate",
        "--owner",
        "S",
        "--deadline",
        "2026-06-30",
        "--db",
        db,
    )
    assert result.exit_code == 0, result.output
    listing = invoke("tasks", "list", "--db", db, "--lang", "en")
    assert "participation_rate" in listing.output and "open" in listing.output
    assert invoke("tasks", "close", "1", "--reason", "done", "--db", db).exit_code == 0
    assert invoke("tasks", "close", "1", "--reason", "again", "--db", db).exit_code == 2
    assert (
        invoke(
            "tasks", "create", "A", "x", "--owner", "S", "--deadline", "soon", "--db", db
        ).exit_code
        == 2
    )


def test_inconsistent_ahp_judgements_stop_before_anything_runs(tmp_path):
    db = tmp_path / "c.db"
    invoke("import", "orgunits", write(tmp_path / "u.csv", UNITS), "--db", db)
    # infrastructure ≫ public services ≫ governance ≫ infrastructure: a cycle, CR far above 0.1
    plan = tmp_path / "p.yaml"
    plan.write_text(
        textwrap.dedent("""
        extends: national
        code: bad
        name: 不一致
        name_en: inconsistent
        composite:
          dimension_weighting: ahp
          ahp:
            items: [infrastructure, public_services, governance]
            matrix: [[1, 9, 1/9], [1/9, 1, 9], [9, 1/9, 1]]
        """),
        encoding="utf-8",
    )
    result = invoke("evaluate", "--period", "2025", "--db", db, "--plan", plan, "--composite")
    assert result.exit_code == 2 and "CR" in result.output and "infrastructure" in result.output
    import pytest

    from shequ.errors import EvaluationError
    from shequ.store import runs
    from shequ.store.db import open_store

    with open_store(db).begin() as conn, pytest.raises(EvaluationError):
        runs.get(conn, "latest")  # no run was recorded
