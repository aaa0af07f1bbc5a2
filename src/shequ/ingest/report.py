"""What an import did: counts, every problem (row, column, reason in Chinese and English),
the quarantine file of bad rows, and the exit code scripts can trust."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import sheets
from .readers import ROW

EXIT_OK, EXIT_SOME_QUARANTINED, EXIT_NOTHING_LOADED = 0, 1, 2


@dataclass(frozen=True)
class Problem:
    """One bad cell or row: its line in the file (header = 1), the column and why."""

    row: int
    column: str
    reason_zh: str
    reason_en: str

    def __str__(self) -> str:
        return f"第{self.row}行 [{self.column}] {self.reason_zh} / row {self.row} [{self.column}] {self.reason_en}"


class Problems:
    """Collects problems found by vectorised checks, then reports them once.

    Every bad row is remembered (`rows`), but only the first ``keep`` problems are kept with
    their reasons (`items`); `dropped` counts the rest, so a file of a million bad rows
    neither fills the memory nor loses count.
    """

    #: problems kept with their reasons by default
    KEEP = 50_000

    def __init__(self, keep: int | None = None) -> None:
        self.items: list[Problem] = []
        self.keep = self.KEEP if keep is None else keep
        self.dropped = 0
        self._rows: set[int] = set()

    def add(
        self, frame: pd.DataFrame, mask: pd.Series, column: str, zh: str, en: str, **cells: str
    ) -> None:
        """Add one problem per row of ``frame`` where ``mask`` is true.

        ``zh`` and ``en`` may name other columns of the row in braces (``{org_unit}``);
        ``cells`` maps those names to the columns to take them from.
        """
        mask = pd.Series(mask, index=frame.index).fillna(False).astype(bool)
        if not mask.any():
            return
        bad = frame[mask]
        rows = [int(r) for r in bad[ROW]]
        self._rows.update(rows)
        room = max(self.keep - len(self.items), 0)
        self.dropped += max(len(rows) - room, 0)
        names = list(cells)
        sources = [
            bad[cells[n]].head(room) if cells[n] in bad else [""] * min(room, len(bad))
            for n in names
        ]
        for row, *found in zip(rows[:room], *sources, strict=False):
            values = dict(zip(names, found, strict=True))
            self.items.append(Problem(row, column, zh.format(**values), en.format(**values)))

    def rows(self) -> set[int]:
        """Every bad row (also those whose problems were not kept)."""
        return self._rows.union(p.row for p in self.items)

    def merge(self, other: Problems) -> None:
        """Add the problems of ``other``, within this one's ``keep``."""
        self._rows |= other.rows()
        room = max(self.keep - len(self.items), 0)
        self.items.extend(other.items[:room])
        self.dropped += other.dropped + max(len(other.items) - room, 0)

    def __len__(self) -> int:
        return len(self.items) + self.dropped


@dataclass(frozen=True)
class RuleFinding:
    """A validation rule or outlier check the loaded values violate (`shequ.framework.rules`):
    the file rows holding the values read (header = 1), unit, period, rule and both sides."""

    rows: tuple[int, ...]
    org_unit: str
    period: str
    rule: str
    importance: str
    left: float | None
    operator: str
    right: float | None
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        rows = ",".join(map(str, self.rows)) or "-"
        return (
            f"第{rows}行 {self.org_unit} {self.period} [{self.rule}] {self.message_zh} / "
            f"row {rows} {self.org_unit} {self.period} [{self.rule}] {self.message_en}"
        )


@dataclass
class ImportReport:
    """The outcome of one import."""

    kind: str
    file: Path
    file_format: str = ""
    rows_total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    empty: int = 0
    strict: bool = False
    strict_rules: bool = False
    problems: list[Problem] = field(default_factory=list)
    violations: list[RuleFinding] = field(default_factory=list)
    quarantine_path: Path | None = None
    import_id: int | None = None
    #: bad rows in all (the problems listed may be fewer: `Limits.max_quarantine_rows`)
    bad_rows: int | None = None
    #: problems found in all (`problems` keeps the first `Problems.KEEP` of them)
    problem_count: int | None = None
    #: bad rows not written to the quarantine file (over `Limits.max_quarantine_rows`)
    unwritten_rows: int = 0
    #: validation findings in all, and of them must-fix ones (`violations` may keep fewer:
    #: a file read in batches keeps the first `Problems.KEEP`); None: all are kept
    finding_count: int | None = None
    must_fix_count: int | None = None

    @property
    def quarantined_rows(self) -> int:
        if self.bad_rows is not None:
            return self.bad_rows
        return len({p.row for p in self.problems})

    @property
    def must_fix(self) -> list[RuleFinding]:
        """Violations of high-importance rules (refused whole with ``strict_rules``)."""
        return [v for v in self.violations if v.importance == "high"]

    @property
    def findings(self) -> tuple[int, int]:
        """(validation findings, must-fix ones), also those not kept in `violations`."""
        if self.finding_count is None or self.must_fix_count is None:
            return len(self.violations), len(self.must_fix)
        return self.finding_count, self.must_fix_count

    @property
    def loaded(self) -> bool:
        if self.strict_rules and self.findings[1]:
            return False
        return not (self.problems and (self.strict or self.rows_total == self.quarantined_rows))

    @property
    def status(self) -> str:
        if not self.loaded:
            return "rejected"
        return "partial" if self.problems else "ok"

    @property
    def exit_code(self) -> int:
        return {"ok": EXIT_OK, "partial": EXIT_SOME_QUARANTINED}.get(
            self.status, EXIT_NOTHING_LOADED
        )

    def summary(self) -> str:
        zh = (
            f"{self.file.name}：共 {self.rows_total:,} 行，新增 {self.inserted:,}，更新 {self.updated:,}，"
            f"未变 {self.unchanged:,}，空值 {self.empty:,}，隔离 {self.quarantined_rows:,} 行"
        )
        en = (
            f"{self.file.name}: {self.rows_total:,} rows, {self.inserted:,} inserted, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged, {self.empty:,} empty, "
            f"{self.quarantined_rows:,} quarantined"
        )
        found, must_fix = self.findings
        if found:
            zh += f"；校验问题 {found:,} 个（必须修正 {must_fix:,}）"
            en += f"; {found:,} validation findings ({must_fix:,} must fix)"
        if self.unwritten_rows:
            zh += f"；另有 {self.unwritten_rows:,} 个错误行未写入隔离文件（超过上限）"
            en += f"; {self.unwritten_rows:,} more bad rows not written to the quarantine file (over the limit)"
        if not self.loaded:
            zh += "；未导入任何数据"
            en += "; nothing was loaded"
        return f"{zh}\n{en}"


def quarantine_path_for(source: Path) -> Path:
    return source.with_name(f"{source.stem}.quarantine.csv")


def write_quarantine(
    source: Path, raw: pd.DataFrame, problems: list[Problem], *, max_rows: int | None = None
) -> Path:
    """Write the bad rows, each with its row number, columns and reasons, beside the input.

    The file is UTF-8 with BOM so that Excel opens the Chinese text correctly; its data
    columns are those of the input, so it can be fixed and imported again as it is. At most
    ``max_rows`` rows are written, row by row, to a temporary name that is renamed when
    complete: a crash leaves the old file or the new one, never half of one. The path is
    absolute, so the web app finds a file the command line wrote.
    """
    path = quarantine_path_for(Path(source).absolute())
    by_row: dict[int, list[Problem]] = {}
    for p in problems:
        by_row.setdefault(p.row, []).append(p)
    written = sorted(by_row)[:max_rows] if max_rows is not None else sorted(by_row)
    data_columns = [c for c in raw.columns if c != ROW]
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                sheets.safe_row(["行号 row", "列 column", "原因", "reason", *data_columns])
            )
            chosen = raw[raw[ROW].isin(set(written))]
            for row in chosen.itertuples(index=False, name=None):
                record = dict(zip(raw.columns, row, strict=True))
                found = by_row[int(record[ROW])]
                writer.writerow(
                    sheets.safe_row(
                        [
                            int(record[ROW]),
                            "；".join(dict.fromkeys(p.column for p in found)),
                            "；".join(p.reason_zh for p in found),
                            "; ".join(p.reason_en for p in found),
                            *(record[c] for c in data_columns),
                        ]
                    )
                )
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path
