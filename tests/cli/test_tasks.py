"""``shequ tasks create|list|close``: follow-up tasks from the latest evaluation run."""

from tests._files import write
from tests.cli._invoke import UNITS, invoke


def test_tasks_create_list_and_close(tmp_path):
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
