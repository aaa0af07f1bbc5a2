"""The pipeline every file import runs: read, validate in the transaction, write or
reject, quarantine, and record the import batch.

An importer gives `run_import` a ``validate`` step (raw cells → `Checked`: rows ready to
write and `Problems` by row, column and reason) and a ``write`` step (rows → counts);
the pipeline does the rest the same way for every kind of file:

* the file is read by `shequ.ingest.readers` (CSV/XLSX; ``read`` may pass another reader,
  e.g. `readers.read_cells` for vector layers);
* bad rows go to a quarantine CSV beside the input, which can be fixed and imported again;
* the rest is written in one transaction, or nothing with ``strict`` or when every row is
  bad; a crash leaves the store as it was;
* one import batch row (`shequ.store.imports.start_batch`) records the file, its SHA-256,
  the actor and the counts, also when nothing loaded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection

from .. import progress as shown
from ..errors import ImportFileError
from ..store import imports as store_imports
from ..store import orgunits as store_orgunits
from ..store.db import Store
from .cells import code_text, per_unique, text_problems
from .limits import Limits, check_file
from .readers import ROW, file_digest, read_table
from .report import ImportReport, Problems, RuleFinding, quarantine_path_for, write_quarantine

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
QUARANTINE_COLUMNS = {"行号 row", "列 column", "原因", "reason"}


@dataclass
class Checked:
    """What validation found: rows ready to write, problems, and empty cells skipped."""

    good: pd.DataFrame
    problems: Problems
    empty: int = 0
    violations: list[RuleFinding] = field(default_factory=list)


Validator = Callable[[Connection, pd.DataFrame], Checked]
Reader = Callable[..., tuple[pd.DataFrame, str]]  # (path, *, limits) -> (raw cells, format)
Writer = Callable[[Connection, pd.DataFrame, int, str, Progress | None], dict[str, int]]


def run_import(
    store: Store,
    path: Path,
    *,
    kind: str,
    validate: Validator,
    write: Writer,
    actor: str,
    strict: bool,
    sheet: str | None = None,
    progress: Progress | None = None,
    read: Reader | None = None,
    strict_rules: bool = False,
    limits: Limits | None = None,
    free_text: Collection[str] = (),
) -> ImportReport:
    """Read ``path``, validate and write it in one transaction; quarantine bad rows.

    ``read`` replaces the CSV/XLSX reader (e.g. for GeoPackage or Shapefile layers); it
    returns raw cells with `ROW` and a format label, like `read_table`. Validation-rule
    findings of ``validate`` are listed in the report; with ``strict_rules`` a must-fix one
    means nothing loads.

    The file is held to ``limits`` (default `Limits.from_env`); every cell is checked for
    control characters and length (``free_text`` names the columns, by their canonical
    names or aliases, that may hold long text: `Limits.max_text_chars`, not
    `Limits.max_field_chars`).
    """
    path = Path(path)
    limits = limits or Limits.from_env()
    shown.phase(f"读取 / reading {path.name}")
    raw, file_format = _read(path, read or partial(read_table, sheet=sheet), limits)
    shown.phase(f"检查 / checking {len(raw):,} 行 rows")
    raw = raw.drop(columns=[c for c in raw.columns if c in QUARANTINE_COLUMNS])
    report = ImportReport(
        kind, path, file_format, rows_total=len(raw), strict=strict, strict_rules=strict_rules
    )
    digest = file_digest(path)
    hostile = text_problems(raw, limits, free_text)
    with store.begin() as conn:
        checked = validate(conn, raw)
        hostile.merge(checked.problems)
        checked.good = _without(checked.good, hostile)
        report.problems = sorted(hostile.items, key=lambda p: (p.row, p.column))
        report.bad_rows, report.problem_count = len(hostile.rows()), len(hostile)
        report.empty = checked.empty
        report.violations = checked.violations
        report.quarantine_path = _quarantine(path, raw, report, limits)
        del raw  # the raw cells are not needed to write (a national file: ~40 MB of them)
        if report.loaded and len(checked.good):
            report.import_id = _start_batch(conn, kind, path, digest, actor)
            shown.phase("写入 / writing", total=len(checked.good), unit="行 rows")
            counts = write(conn, checked.good, report.import_id, actor, progress or shown.reached)
            report.inserted, report.updated = counts["inserted"], counts["updated"]
            report.unchanged = counts["unchanged"]
            finish_batch(conn, report)
    if report.import_id is None:
        with store.begin() as conn:
            report.import_id = _start_batch(conn, kind, path, digest, actor)
            finish_batch(conn, report)
    shown.end()
    log.info("%s", report.summary().replace("\n", " | "))
    return report


def _read(path: Path, read: Reader, limits: Limits) -> tuple[pd.DataFrame, str]:
    """The raw cells; a file that cannot be read at all is refused with the reason."""
    check_file(path, limits)
    try:
        raw, file_format = read(path, limits=limits)
    except (OSError, NotImplementedError) as exc:  # zipfile: an unsupported zip version
        msg = f"{path.name}：无法读取文件（{exc}）/ {path.name}: cannot read the file ({exc})"
        raise ImportFileError(msg) from None
    if raw.empty:
        msg = (
            f"{path.name}：没有数据行（或要素），未导入任何数据 / {path.name}: no data rows "
            "(or features); nothing was loaded"
        )
        raise ImportFileError(msg)
    return raw, file_format


def _without(good: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    if ROW not in good.columns or good.empty or not len(problems):
        return good  # not a copy of every good row when there is nothing to take out
    return good[~good[ROW].isin(problems.rows())]


def _quarantine(path: Path, raw: pd.DataFrame, report: ImportReport, limits: Limits) -> Path | None:
    if report.problems:
        written = write_quarantine(path, raw, report.problems, max_rows=limits.max_quarantine_rows)
        listed = min(len({p.row for p in report.problems}), limits.max_quarantine_rows)
        report.unwritten_rows = report.quarantined_rows - listed
        return written
    quarantine_path_for(Path(path).absolute()).unlink(missing_ok=True)  # a stale one
    return None


def _start_batch(conn: Connection, kind: str, path: Path, digest: str, actor: str) -> int:
    return store_imports.start_batch(
        conn, kind=kind, file_name=str(path), file_sha256=digest, actor=actor
    )


def finish_batch(conn: Connection, report: ImportReport) -> None:
    """Close the batch row of ``report`` with its status and counts."""
    store_imports.finish_batch(
        conn,
        report.import_id,
        status=report.status,
        rows_total=report.rows_total,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        empty=report.empty,
        quarantined=report.quarantined_rows,
        quarantine_path=report.quarantine_path,
    )


def check_known_units(
    conn: Connection,
    frame: pd.DataFrame,
    problems: Problems,
    *,
    required: bool = False,
    versions: pd.DataFrame | None = None,
) -> pd.Series:
    """Report the rows whose ``org_unit`` is not a stored org unit; return where it is known.

    An empty cell is reported only when ``required``; pass ``versions`` when the caller has
    already read them (`store.orgunits.versions`).
    """
    given = per_unique(frame["org_unit"], code_text)
    frame["org_unit"] = given  # full-width codes written as the ASCII ones they mean
    codes = store_orgunits.known_codes(conn, given) if versions is None else set(versions["code"])
    known = given.isin(codes)
    problems.add(
        frame,
        ~known if required else (given != "") & ~known,
        "org_unit",
        store_orgunits.UNKNOWN_ZH,
        store_orgunits.UNKNOWN_EN,
        code="org_unit",
    )
    return known


#: units a writer may write: one set, or a function of the period code (their subtree then)
Scope = set[str] | Callable[[str], set[str]]


def in_scope(cells: pd.DataFrame, allowed: Scope) -> pd.Series:
    """Whether each cell's unit is allowed in the cell's own period (a fixed set, or a
    function of the period code: a user's subtree on that period's last day)."""
    if not callable(allowed):
        return cells["org_unit"].isin(allowed)
    inside = pd.Series(False, index=cells.index)
    for period, units in cells.groupby("period", sort=False)["org_unit"]:  # no period: out
        with suppress(ValueError):  # an unreadable period is refused by its own rule too
            inside[units.index] = units.isin(allowed(str(period)))
    return inside
