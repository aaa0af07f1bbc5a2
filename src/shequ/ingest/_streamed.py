"""A values file of any length, read and checked in batches, written in one transaction.

`run_import` holds a file's cells in memory; a national file (11 M values a year) does not
fit. Here the same steps run on batches of `readers.read_batches`, with the same checks
(`values.checked_cells`, `cells.text_problems`) and the same writer
(`store.imports.write_values`), and what needs the whole file is done on the `Spool`:

1. **check**, batch by batch, in the transaction: every check but the repeated keys; the
   keyed cells go to the spool;
2. **repeated keys** of the whole file, from the spool (`values.add_duplicates`);
3. **quarantine**: the bad rows' cells are read from the file again (only when there are
   bad rows, and only the first `Limits.max_quarantine_rows` of them), the file is the same;
4. **rules and outliers, then write**, part by part: the cells of good rows ordered by
   their unit's parent, so that a part holds every cell of the units it has and of their
   peers (the units of the same parent), which is what a value is judged with; each
   part's findings are those of the whole file, read before the part is written; the new
   keys go to the spool, and one audit entry records all of them
   (`store.values.inserted_entry`);
6. nothing loaded (``strict`` with bad rows, every row bad, a must-fix rule with
   ``strict_rules``): the transaction is rolled back, and a rejected batch is recorded.

A crash leaves the store as it was (one transaction). Memory is bounded by the batch size
and the spool's DuckDB limit, not by the file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from .. import progress as shown
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store import audit, bulk
from ..store import imports as store_imports
from ..store import orgunits as store_orgunits
from ..store import values as store_values
from ..store.db import Store
from ..store.tables.core import DataValue
from ._spool import Spool
from .cells import text_problems
from .findings import rule_findings
from .limits import Limits
from .pipeline import QUARANTINE_COLUMNS, Progress, Scope, finish_batch
from .readers import ROW, file_digest, read_batches
from .report import ImportReport, Problems, write_quarantine

log = logging.getLogger(__name__)
KIND = "data_values"
#: rows read, checked and written at a time
BATCH = 200_000
#: files of up to this many rows are read whole (`run_import`): a province's year of
#: 450 000 values costs 15 s of CPU and 593 MiB so, 19.5 s and 573 MiB in batches
WHOLE = 500_000
#: units whose parents are looked up at a time (`store.orgunits.siblings_on`)
UNITS_AT_ONCE = 50_000


class _NothingLoadedError(Exception):
    """Raised in the transaction to roll back what was written (rules read it first)."""


def import_batches(
    store: Store,
    path: Path,
    header_and_batches: tuple[list[str], Iterator[pd.DataFrame]],
    *,
    plan: Plan,
    check: Callable,
    keyed: Callable,
    add_duplicates: Callable,
    actor: str,
    strict: bool,
    strict_rules: bool,
    limits: Limits,
    progress: Progress | None,
    allowed_units: Scope | None,
) -> ImportReport:
    """Import the values of ``path`` batch by batch with the checks of `values`
    (``check``: `values.checked_cells`, ``keyed``: `values.keyed`, ``add_duplicates``:
    `values.add_duplicates`; passed in, so that this module does not import `values`)."""
    _, batches = header_and_batches
    report = ImportReport(KIND, path, "parquet", strict=strict, strict_rules=strict_rules)
    report.finding_count = report.must_fix_count = 0
    digest = file_digest(path)
    spool = Spool()
    try:
        with store.begin() as conn:  # `_NothingLoadedError` rolls it back
            checks = (check, keyed, add_duplicates)
            problems = _check(conn, batches, spool, report, plan, checks, allowed_units, limits)
            _report_problems(report, problems)
            report.quarantine_path = _quarantine(path, report, limits)
            _write(conn, spool, problems.rows(), report, plan, actor, digest, progress)
    except _NothingLoadedError:
        pass
    finally:
        spool.close()
    if report.import_id is None:
        with store.begin() as conn:
            report.import_id = store_imports.start_batch(
                conn, kind=KIND, file_name=str(path), file_sha256=digest, actor=actor
            )
            finish_batch(conn, report)
    shown.end()
    log.info("%s", report.summary().replace("\n", " | "))
    return report


def _check(conn, batches, spool, report, plan, checks, allowed_units, limits) -> Problems:
    """Pass 1: every batch checked, its keyed cells spooled; then the repeated keys."""
    check, keyed, add_duplicates = checks
    problems = Problems()
    shown.phase("检查 / checking", unit="行 rows")
    for raw in batches:
        raw = raw.drop(columns=[c for c in raw.columns if c in QUARANTINE_COLUMNS])
        report.rows_total += len(raw)
        found = text_problems(raw, limits)
        cells, checked, empty, _ = check(conn, raw, plan, allowed_units, duplicates=False)
        found.merge(checked)
        problems.merge(found)
        report.empty += empty
        spool.add(cells[keyed(cells)])
        shown.reached(report.rows_total)
    add_duplicates(problems, repeated := spool.repeated(), pd.Series(True, index=repeated.index))
    return problems


def _report_problems(report: ImportReport, problems: Problems) -> None:
    report.problems = sorted(problems.items, key=lambda p: (p.row, p.column))
    report.bad_rows, report.problem_count = len(problems.rows()), len(problems)


def _quarantine(path: Path, report: ImportReport, limits: Limits) -> Path | None:
    """The quarantine file of the bad rows, their cells read from the file again."""
    from .report import quarantine_path_for

    if not report.problems:
        quarantine_path_for(Path(path).absolute()).unlink(missing_ok=True)  # a stale one
        return None
    listed = sorted({p.row for p in report.problems})[: limits.max_quarantine_rows]
    wanted, raw = set(listed), []
    header, batches = read_batches(path, limits=limits, size=BATCH) or ([], iter(()))
    for frame in batches:
        frame = frame.drop(columns=[c for c in frame.columns if c in QUARANTINE_COLUMNS])
        raw.append(frame[frame[ROW].isin(wanted)])
    report.unwritten_rows = report.quarantined_rows - len(listed)
    rows = pd.concat(raw, ignore_index=True) if raw else pd.DataFrame(columns=[*header, ROW])
    return write_quarantine(path, rows, report.problems, max_rows=limits.max_quarantine_rows)


def _write(conn, spool, bad_rows, report, plan, actor, digest, progress) -> None:
    """Passes 4 and 5 part by part, then the batch row; raises `_NothingLoadedError` to
    roll the writes back when a must-fix rule refuses the file."""
    total = spool.mark_bad(bad_rows)
    spool.group(_parents(conn, *spool.units_and_periods()))
    shown.phase("写入 / writing", total=total, unit="行 rows")
    writing = report.loaded  # strict with bad rows: rules only, as `run_import`
    if writing and total:  # the batch row first: it opens the transaction's writes
        report.import_id = store_imports.start_batch(
            conn, kind=KIND, file_name=str(report.file), file_sha256=digest, actor=actor
        )
    with bulk.indexes_after(conn, DataValue.__table__, rows=total if writing else 0):
        for part in spool.good(BATCH):
            _keep(report, rule_findings(conn, part, plan))  # before the part is written
            if writing:
                _write_part(conn, part, spool, report, actor)
                (progress or shown.reached)(
                    report.inserted + report.updated + report.unchanged, total
                )
    if report.import_id is None:  # nothing written
        return
    if not report.loaded:
        report.import_id = None
        report.inserted = report.updated = report.unchanged = 0
        raise _NothingLoadedError
    count, periods, elements, units, keys = spool.new_keys()
    if count:
        entry = store_values.inserted_entry(
            count, periods, elements, units, audit.keys_sha256(keys)
        )
        audit.record(conn, [entry], actor=actor, import_id=report.import_id)
    finish_batch(conn, report)


def _keep(report: ImportReport, found: list) -> None:
    """Count the findings of a part and keep them up to `Problems.KEEP` (all of a national
    file's would fill the memory; the CLI and the web page show the first ones)."""
    high = sum(1 for f in found if f.importance == "high")
    report.finding_count = (report.finding_count or 0) + len(found)
    report.must_fix_count = (report.must_fix_count or 0) + high
    report.violations += found[: max(Problems.KEEP - len(report.violations), 0)]


def _write_part(conn, part, spool, report, actor) -> None:
    written = store_imports.write_values(
        conn,
        part[["data_element", "org_unit", "period", "value"]],
        actor=actor,
        batch=report.import_id,
        record_new=spool.add_new,
    )
    report.inserted += written.inserted
    report.updated += written.updated
    report.unchanged += written.unchanged


def _parents(conn, units: list[str], periods: list[str]) -> dict[str, str | None]:
    """Each unit's parent, as `store.validation.check_incoming` finds its peers for the
    whole file: on the last day of the latest period of the file in which it exists."""
    parents: dict[str, str | None] = {}
    for day in sorted({parse_period(p).end for p in periods}):
        for start in range(0, len(units), UNITS_AT_ONCE):  # their siblings too: bounded
            some = units[start : start + UNITS_AT_ONCE]
            found = store_orgunits.siblings_on(conn, day, some)
            parents.update((u, found[u]) for u in some if u in found)
    return parents
