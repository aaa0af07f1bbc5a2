"""What an import did: counts, every problem (row, column, reason in Chinese and English),
the quarantine file of bad rows, and the exit code scripts can trust."""

from __future__ import annotations

import csv
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
    """Collects problems found by vectorised checks, then reports them once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(
        self, frame: pd.DataFrame, mask: pd.Series, column: str, zh: str, en: str, **cells: str
    ) -> None:
        """Add one problem per row of ``frame`` where ``mask`` is true.

        ``zh`` and ``en`` may name other columns of the row in braces (``{org_unit}``);
        ``cells`` maps those names to the columns to take them from.
        """
        mask = pd.Series(mask, index=frame.index).fillna(False).astype(bool)
        for _, row in frame[mask].iterrows():
            values = {name: row.get(source, "") for name, source in cells.items()}
            self.items.append(
                Problem(int(row[ROW]), column, zh.format(**values), en.format(**values))
            )

    def rows(self) -> set[int]:
        return {p.row for p in self.items}

    def __len__(self) -> int:
        return len(self.items)


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

    @property
    def quarantined_rows(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def must_fix(self) -> list[RuleFinding]:
        """Violations of high-importance rules (refused whole with ``strict_rules``)."""
        return [v for v in self.violations if v.importance == "high"]

    @property
    def loaded(self) -> bool:
        if self.strict_rules and self.must_fix:
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
        if self.violations:
            zh += f"；校验问题 {len(self.violations):,} 个（必须修正 {len(self.must_fix):,}）"
            en += (
                f"; {len(self.violations):,} validation findings ({len(self.must_fix):,} must fix)"
            )
        if not self.loaded:
            zh += "；未导入任何数据"
            en += "; nothing was loaded"
        return f"{zh}\n{en}"


def quarantine_path_for(source: Path) -> Path:
    return source.with_name(f"{source.stem}.quarantine.csv")


def write_quarantine(source: Path, raw: pd.DataFrame, problems: list[Problem]) -> Path:
    """Write the bad rows, each with its row number, columns and reasons, beside the input.

    The file is UTF-8 with BOM so that Excel opens the Chinese text correctly; its data
    columns are those of the input, so it can be fixed and imported again as it is.
    """
    path = quarantine_path_for(source)
    by_row: dict[int, list[Problem]] = {}
    for p in problems:
        by_row.setdefault(p.row, []).append(p)
    data_columns = [c for c in raw.columns if c != ROW]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(sheets.safe_row(["行号 row", "列 column", "原因", "reason", *data_columns]))
        for _, row in raw[raw[ROW].isin(by_row)].iterrows():
            found = by_row[int(row[ROW])]
            writer.writerow(
                sheets.safe_row(
                    [
                        int(row[ROW]),
                        "；".join(dict.fromkeys(p.column for p in found)),
                        "；".join(p.reason_zh for p in found),
                        "; ".join(p.reason_en for p in found),
                        *(row[c] for c in data_columns),
                    ]
                )
            )
    return path
