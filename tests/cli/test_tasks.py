"""``shequ tasks create|list|close``: follow-up tasks from the latest evaluation run."""

from tests.cli._invoke import invoke, two_communities


def test_tasks_create_list_and_close(tmp_path):
    # A: 50000/1000 = 50 m² (meets >= 40), participation 600/1000 = 60 %; B: 30 m², 90 %
    db = two_communities(tmp_path)
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
