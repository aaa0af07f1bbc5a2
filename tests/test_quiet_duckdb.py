"""DuckDB draws a progress bar of its own on stdout for queries over ~2 s, also into pipes and
logs (seen in a piped province build: "100% ▕███▏ (00:00:04.31 elapsed)" between shequ's
lines). Every DuckDB connection shequ opens turns it off (`progress.quiet_duckdb`)."""

import re
from pathlib import Path

from shequ.progress import quiet_duckdb

SRC = Path(__file__).resolve().parents[1] / "src" / "shequ"


def test_a_quiet_connection_draws_no_progress_bar():
    with quiet_duckdb() as con:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone() == (False,)


def test_every_duckdb_connection_in_the_package_is_quiet():
    opened = re.compile(r"\b(?:duckdb|ibis\.duckdb)\.connect\(")
    loud = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "progress.py" or not opened.search(text):
            continue
        if "enable_progress_bar = false" not in text:
            loud.append(str(path.relative_to(SRC)))
    assert loud == []
