"""Progress of long work (`shequ.progress`): library code reports steps and counts; the
``shequ`` command draws rich bars on a terminal and nothing when piped."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from shequ import progress

UNITS = (
    "code,name,parent_code,level\nC,示范市,,市\nS,一街道,C,街道\nA,甲社区,S,社区\nB,乙社区,S,社区\n"
)


class Recorder:
    """A reporter that writes down what it was told."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def start(self, label, total, unit):
        self.events.append(("start", label, total))
        return label

    def advance(self, handle, amount):
        self.events.append(("advance", handle, amount))

    def finish(self, handle):
        self.events.append(("finish", handle))


def test_a_phase_ends_when_the_next_starts_and_advances_the_current_one():
    seen = Recorder()
    with progress.using(seen):
        progress.phase("read")
        progress.phase("write", total=10, unit="rows")
        progress.advance(4)
        progress.reached(7, 10)  # a (done, total) callback: 7 − 4 = 3 more
        progress.end()
        progress.advance(5)  # no step under way: nothing reported
    assert seen.events == [
        ("start", "read", None),
        ("finish", "read"),
        ("start", "write", 10),
        ("advance", "write", 4),
        ("advance", "write", 3),
        ("finish", "write"),
    ]


def test_track_counts_one_per_item_and_ends_with_the_loop():
    seen = Recorder()
    with progress.using(seen):
        assert list(progress.track(["a", "b", "c"], "units")) == ["a", "b", "c"]
    assert seen.events == [
        ("start", "units", 3),
        *[("advance", "units", 1)] * 3,
        ("finish", "units"),
    ]


def test_nothing_is_reported_without_a_front_end():
    assert progress.current() is progress.SILENT
    progress.phase("quiet", total=3)
    progress.advance(3)
    progress.end()


def test_an_import_reports_reading_checking_and_writing(tmp_path):
    from shequ.ingest.orgunits import import_org_units
    from shequ.store.db import open_store

    (tmp_path / "u.csv").write_text(UNITS, encoding="utf-8")
    seen = Recorder()
    store = open_store(tmp_path / "s.db")
    try:
        with progress.using(seen):
            import_org_units(store, tmp_path / "u.csv", actor="test")
    finally:
        store.close()
    starts = [e[1] for e in seen.events if e[0] == "start"]
    assert starts == ["读取 / reading u.csv", "检查 / checking 4 行 rows", "写入 / writing"]
    writing = next(e for e in seen.events if e[0] == "start" and e[1] == "写入 / writing")
    assert writing[2] == 4  # four units to write
    assert ("finish", "写入 / writing") in seen.events


def _command(tmp_path: Path) -> list[str]:
    (tmp_path / "u.csv").write_text(UNITS, encoding="utf-8")
    script = "from shequ.cli import app; app()"
    return [sys.executable, "-c", script, "import", "orgunits", "u.csv", "--db", "s.db"]


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "100", "TERM": "xterm-256color"}


def test_a_terminal_run_draws_a_bar(tmp_path):
    main, child = pty.openpty()
    process = subprocess.Popen(
        _command(tmp_path), cwd=tmp_path, stdin=child, stdout=child, stderr=child, env=_env()
    )
    os.close(child)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif process.poll() is not None:
            break
    os.close(main)
    assert process.wait(timeout=30) == 0
    text = out.decode("utf-8", "replace")
    assert "写入 / writing" in text
    assert "━" in text  # rich's bar
    assert "4/4" in text  # the writing step, complete: 4 units of 4


def test_a_piped_run_prints_no_bar(tmp_path):
    done = subprocess.run(_command(tmp_path), cwd=tmp_path, capture_output=True, env=_env())
    assert done.returncode == 0, done.stderr
    text = (done.stdout + done.stderr).decode("utf-8", "replace")
    assert "写入 / writing" not in text
    assert "━" not in text
    assert "\x1b[?25l" not in text  # no cursor hiding: no live display at all
