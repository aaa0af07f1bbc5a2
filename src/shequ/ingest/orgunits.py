"""Import the org-unit tree: ``code,name,parent_code,level`` with optional ``opened,closed``.

Chinese headers ``编码,名称,上级编码,层级,启用日期,停用日期`` work too; levels may be
``city/district/street/community`` or 市/区/街道/社区 (and 县, 镇, 村 ...). A unit that
changes parent appears once per version, the old one closed on the day the new one opens.
Checks: required cells, codes, levels, dates, duplicate (code, opened) in the file, a
parent that exists neither in the file nor in the store, a parent at the same or a lower
level, overlapping versions of one code, and cycles.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ..framework.levels import LEVEL_ORDER
from ..store import orgunits as store_orgunits
from ..store.db import Store
from ..store.tables.core import SINCE_EVER, UNTIL_FURTHER
from . import cells
from .cells import per_unique, text, texts
from .pipeline import Checked, Progress, run_import
from .readers import ROW, resolve_columns
from .report import ImportReport, Problems

ALIASES = {
    **dict.fromkeys(["code", "编码", "代码", "区划代码", "统计用区划代码", "单位编码"], "code"),
    **dict.fromkeys(["name", "名称", "单位名称", "区划名称"], "name"),
    **dict.fromkeys(["parent_code", "parent", "上级编码", "上级代码", "上级"], "parent_code"),
    **dict.fromkeys(["level", "层级", "级别", "类型"], "level"),
    **dict.fromkeys(["opened", "启用日期", "成立日期", "开始日期"], "opened"),
    **dict.fromkeys(["closed", "停用日期", "撤销日期", "结束日期"], "closed"),
}
REQUIRED = ("code", "name", "parent_code", "level")


def import_org_units(
    store: Store,
    path: str | Path,
    *,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import org units from ``path`` (CSV or XLSX); see the module docstring for the rules.

    The stored tree is read once, in the import's transaction: validation checks the file
    against it and the write compares the file with it."""
    stored: list[pd.DataFrame] = []  # what `_validate` read, for `_write`
    return run_import(
        store,
        Path(path),
        kind="org_units",
        validate=lambda conn, raw: _validate(conn, raw, stored),
        write=lambda *args: _write(*args, stored=stored[0] if stored else None),
        actor=actor,
        strict=strict,
        sheet=sheet,
        progress=progress,
    )


def _validate(conn: Connection, raw: pd.DataFrame, read: list[pd.DataFrame]) -> Checked:
    frame = resolve_columns(raw, ALIASES, REQUIRED, need="code,name,parent_code,level")
    rows = _convert(frame)
    del frame
    problems = Problems()
    _check_cells(rows, problems)
    _check_duplicates(rows, problems)
    stored = store_orgunits.versions(conn)
    read.append(stored)
    ok = rows[~rows[ROW].isin(problems.rows())] if len(problems) else rows
    _check_tree(ok, stored, problems)
    good = rows[~rows[ROW].isin(problems.rows())] if len(problems) else rows
    return Checked(good, problems)


def _convert(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical cells beside the raw text, each converter called once per distinct cell."""
    blank = pd.Series("", index=frame.index, dtype=object)
    get = lambda col: frame[col] if col in frame.columns else blank  # noqa: E731
    opened, closed = per_unique(get("opened"), text), per_unique(get("closed"), text)
    code_raw = texts(get("code"))
    return pd.DataFrame(
        {
            ROW: frame[ROW],
            "code_raw": code_raw,
            "code": cells.codes(code_raw),
            "name": texts(get("name")),
            "parent_raw": per_unique(get("parent_code"), text),
            "parent_code": per_unique(
                get("parent_code"), lambda v: cells.code(v) if text(v) else ""
            ),
            "level_raw": per_unique(get("level"), text),
            "level": per_unique(get("level"), cells.level),
            "opened_raw": opened,
            "valid_from": per_unique(
                get("opened"), lambda v: cells.date(v) if text(v) else SINCE_EVER
            ),
            "closed_raw": closed,
            "valid_to": per_unique(
                get("closed"), lambda v: cells.date(v) if text(v) else UNTIL_FURTHER
            ),
        }
    )


def _check_cells(rows: pd.DataFrame, problems: Problems) -> None:
    empty_code = rows["code_raw"] == ""
    problems.add(rows, empty_code, "code", "编码为空", "code is empty")
    problems.add(
        rows,
        ~empty_code & rows["code"].isna(),
        "code",
        "编码“{v}”无效（只能用字母、数字，最长32位）",
        "code '{v}' is not valid (letters and digits, at most 32)",
        v="code_raw",
    )
    problems.add(rows, rows["name"] == "", "name", "名称为空", "name is empty")
    problems.add(
        rows,
        rows["parent_code"].isna(),
        "parent_code",
        "上级编码“{v}”无效",
        "parent code '{v}' is not valid",
        v="parent_raw",
    )
    problems.add(
        rows,
        rows["level"].isna(),
        "level",
        "层级“{v}”无效（市/区/街道/社区 或 city/district/street/community）",
        "level '{v}' is not one of city/district/street/community (市/区/街道/社区)",
        v="level_raw",
    )
    for column, raw in (("valid_from", "opened_raw"), ("valid_to", "closed_raw")):
        name = "opened" if column == "valid_from" else "closed"
        problems.add(
            rows,
            rows[column].isna(),
            name,
            "日期“{v}”无效（应为 2023-01-01）",
            "date '{v}' is not valid (use 2023-01-01)",
            v=raw,
        )
    dated = rows["valid_from"].notna() & rows["valid_to"].notna()
    bad_order = dated & (rows["valid_to"].where(dated) <= rows["valid_from"].where(dated))
    problems.add(rows, bad_order, "closed", "停用日期不晚于启用日期", "closed is not after opened")


def _check_duplicates(rows: pd.DataFrame, problems: Problems) -> None:
    dup = rows["code"].notna() & rows.duplicated(["code", "valid_from"], keep=False)
    problems.add(
        rows,
        dup,
        "code",
        "编码 {v} 在文件中重复（同一启用日期）",
        "code {v} appears more than once (same opened date)",
        v="code",
    )


def _check_tree(rows: pd.DataFrame, stored: pd.DataFrame, problems: Problems) -> None:
    """Parents exist, sit higher, versions do not overlap, and there is no cycle.

    The file's versions replace the stored ones of the same (code, opened); the checks run
    on integer arrays over both (codes numbered once, dates as day numbers), so the whole
    country is one pass each, not a Python object per unit."""
    tree = _Tree(rows, stored)
    _check_parents(rows, tree, problems)
    _check_overlaps(rows, tree, problems)
    _check_cycles(rows, tree, problems)


class _Tree:
    """The stored versions not replaced by the file's, then the file's (``rows``), as
    arrays: ``code`` and ``parent`` numbers (-1: no parent), level ``rank``, ``start`` and
    ``end`` day numbers; the file's versions are the last ``len(rows)``."""

    def __init__(self, rows: pd.DataFrame, stored: pd.DataFrame) -> None:
        given = [stored["code"], rows["code"], stored["parent_code"], rows["parent_code"]]
        numbers, self.codes = pd.factorize(
            pd.concat([c.astype(object).where(c != "", None) for c in given], ignore_index=True)
        )
        n_stored, n_rows = len(stored), len(rows)
        code, parent = numbers[: n_stored + n_rows], numbers[n_stored + n_rows :]
        days = store_orgunits.day_numbers
        start = days(pd.concat([stored["valid_from"], rows["valid_from"]], ignore_index=True))
        end = days(pd.concat([stored["valid_to"], rows["valid_to"]], ignore_index=True))
        kept = np.ones(n_stored + n_rows, dtype=bool)
        found = store_orgunits.stored_positions(rows, stored)
        kept[found[found >= 0]] = False  # replaced by the file's version
        levels = pd.concat([stored["level"], rows["level"]], ignore_index=True)
        self.code, self.parent = code[kept], parent[kept]
        self.start, self.end = start[kept], end[kept]
        self.rank = levels.map(LEVEL_ORDER).to_numpy(dtype=float)[kept]
        self.first_row = int(kept.sum()) - n_rows  # where the file's versions begin

    def file(self, values: np.ndarray) -> np.ndarray:
        """The file's part of an array over the whole tree."""
        return values[self.first_row :]


def _check_parents(rows: pd.DataFrame, tree: _Tree, problems: Problems) -> None:
    highest = np.full(len(tree.codes), np.inf)  # a unit's highest level over its versions
    np.minimum.at(highest, tree.code, tree.rank)
    parent = tree.file(tree.parent)
    has_parent = parent >= 0
    parent_rank = np.where(has_parent, highest[np.maximum(parent, 0)], np.inf)
    missing = has_parent & np.isinf(parent_rank)
    problems.add(
        rows,
        missing,
        "parent_code",
        "上级单位 {v} 不存在（文件和系统中都没有）",
        "parent {v} does not exist (neither in the file nor in the store)",
        v="parent_code",
    )
    inverted = has_parent & ~missing & (parent_rank >= tree.file(tree.rank))
    problems.add(
        rows,
        inverted,
        "level",
        "层级 {lv} 不低于上级 {p} 的层级",
        "level {lv} is not below that of its parent {p}",
        lv="level",
        p="parent_code",
    )


def _check_overlaps(rows: pd.DataFrame, tree: _Tree, problems: Problems) -> None:
    order = np.lexsort((tree.start, tree.code))
    code, start, end = tree.code[order], tree.start[order], tree.end[order]
    overlap = np.zeros(len(order), dtype=bool)
    overlap[:-1] = (code[:-1] == code[1:]) & (end[:-1] > start[1:])
    flagged = overlap.copy()
    flagged[1:] |= overlap[:-1]  # both versions of an overlapping pair
    in_file = np.zeros(len(order), dtype=bool)
    in_file[order[flagged]] = True
    problems.add(
        rows,
        tree.file(in_file),
        "opened",
        "编码 {v} 的有效期与另一版本重叠",
        "the validity of {v} overlaps another version of it",
        v="code",
    )


def _check_cycles(rows: pd.DataFrame, tree: _Tree, problems: Problems) -> None:
    linked = tree.parent >= 0
    links = pd.unique(tree.code[linked].astype(np.int64) << 32 | tree.parent[linked])
    child, parent = links >> 32, links & 0xFFFFFFFF
    # peel the tree from its roots (a code whose every parent is peeled is on no cycle),
    # vectorised, one pass per level; only what is left is walked code by code
    peeled = np.zeros(len(tree.codes), dtype=bool)
    peeled[tree.code] = True
    peeled[child] = False
    while len(child):
        blocked = np.zeros(len(tree.codes), dtype=bool)
        blocked[child[~peeled[parent]]] = True
        free = ~blocked[child]
        if not free.any():
            break
        peeled[child[free]] = True
        child, parent = child[~free], parent[~free]
    parents: dict[int, set[int]] = {}
    for code, above in zip(child.tolist(), parent.tolist(), strict=True):
        parents.setdefault(code, set()).add(above)
    in_cycle = [code for code in parents if _reaches(parents, code)]
    problems.add(
        rows,
        pd.Series(tree.file(tree.code)).isin(in_cycle).to_numpy(),
        "parent_code",
        "上级关系形成循环（{v} 是自己的上级）",
        "parents form a cycle ({v} is its own ancestor)",
        v="code",
    )


def _reaches(parents: dict[int, set[int]], start: int) -> bool:
    seen: set[int] = set()
    todo = list(parents.get(start, ()))
    while todo:
        code = todo.pop()
        if code == start:
            return True
        if code not in seen:
            seen.add(code)
            todo.extend(parents.get(code, ()))
    return False


def _write(
    conn: Connection,
    good: pd.DataFrame,
    import_id: int,
    actor: str,
    progress: Progress | None,
    *,
    stored: pd.DataFrame | None,
) -> dict[str, int]:
    rows = good[list(store_orgunits.VERSION_FIELDS)]
    counts = store_orgunits.write_versions(
        conn, rows, actor=actor, import_id=import_id, stored=stored
    )
    if progress:
        progress(len(rows), len(rows))
    return counts
