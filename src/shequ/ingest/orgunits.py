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

import pandas as pd
from sqlalchemy import Connection

from ..framework.levels import LEVEL_ORDER
from ..store import orgunits as store_orgunits
from ..store.db import Store
from ..store.tables.core import SINCE_EVER, UNTIL_FURTHER
from . import cells
from .cells import per_unique, text
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
    """Import org units from ``path`` (CSV or XLSX); see the module docstring for the rules."""
    return run_import(
        store,
        Path(path),
        kind="org_units",
        validate=_validate,
        write=_write,
        actor=actor,
        strict=strict,
        sheet=sheet,
        progress=progress,
    )


def _validate(conn: Connection, raw: pd.DataFrame) -> Checked:
    frame = resolve_columns(raw, ALIASES, REQUIRED, need="code,name,parent_code,level")
    rows = _convert(frame)
    problems = Problems()
    _check_cells(rows, problems)
    _check_duplicates(rows, problems)
    stored = store_orgunits.versions(conn)
    ok = rows[~rows[ROW].isin(problems.rows())]
    _check_tree(ok, stored, problems)
    good = rows[~rows[ROW].isin(problems.rows())]
    return Checked(good, problems)


def _convert(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical cells beside the raw text, each converter called once per distinct cell."""
    blank = pd.Series("", index=frame.index, dtype=object)
    get = lambda col: frame[col] if col in frame.columns else blank  # noqa: E731
    opened, closed = per_unique(get("opened"), text), per_unique(get("closed"), text)
    return pd.DataFrame(
        {
            ROW: frame[ROW],
            "code_raw": per_unique(get("code"), text),
            "code": per_unique(get("code"), cells.code),
            "name": get("name").map(text),
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
    """Parents exist, sit higher, versions do not overlap, and there is no cycle."""
    keys = set(zip(rows["code"], rows["valid_from"], strict=True))
    kept = stored[[k not in keys for k in zip(stored["code"], stored["valid_from"], strict=True)]]
    combined = pd.concat([kept.assign(**{ROW: 0}), rows], ignore_index=True)
    _check_parents(rows, combined, problems)
    _check_overlaps(combined, problems)
    _check_cycles(rows, combined, problems)


def _check_parents(rows: pd.DataFrame, combined: pd.DataFrame, problems: Problems) -> None:
    ranks = combined["level"].map(LEVEL_ORDER)
    highest = ranks.groupby(combined["code"]).min()  # a unit's highest level over its versions
    names = {rank: level for level, rank in LEVEL_ORDER.items()}
    levels = highest.map(names)
    has_parent = rows["parent_code"] != ""
    missing = has_parent & ~rows["parent_code"].isin(levels.index)
    problems.add(
        rows,
        missing,
        "parent_code",
        "上级单位 {v} 不存在（文件和系统中都没有）",
        "parent {v} does not exist (neither in the file nor in the store)",
        v="parent_code",
    )
    parent_rank = rows["parent_code"].map(levels).map(LEVEL_ORDER)
    own_rank = rows["level"].map(LEVEL_ORDER)
    inverted = has_parent & ~missing & (parent_rank >= own_rank)
    problems.add(
        rows,
        inverted,
        "level",
        "层级 {lv} 不低于上级 {p} 的层级",
        "level {lv} is not below that of its parent {p}",
        lv="level",
        p="parent_code",
    )


def _check_overlaps(combined: pd.DataFrame, problems: Problems) -> None:
    ordered = combined.sort_values(["code", "valid_from"]).reset_index(drop=True)
    same_code = ordered["code"].eq(ordered["code"].shift(-1))
    next_from = ordered["valid_from"].shift(-1, fill_value=UNTIL_FURTHER)
    overlap = same_code & (ordered["valid_to"] > next_from)
    flagged = ordered[(overlap | overlap.shift(1, fill_value=False)) & (ordered[ROW] > 0)]
    problems.add(
        flagged,
        pd.Series(True, index=flagged.index),
        "opened",
        "编码 {v} 的有效期与另一版本重叠",
        "the validity of {v} overlaps another version of it",
        v="code",
    )


def _check_cycles(rows: pd.DataFrame, combined: pd.DataFrame, problems: Problems) -> None:
    links = combined.loc[combined["parent_code"] != "", ["code", "parent_code"]]
    links = links.drop_duplicates()
    # peel the tree from its roots (a code whose every parent is peeled is on no cycle),
    # vectorised, one pass per level; only what is left is walked code by code
    peeled = pd.Index(combined["code"]).unique().difference(pd.Index(links["code"]))
    while len(links):
        blocked = links.loc[~links["parent_code"].isin(peeled), "code"].unique()
        free = links.loc[~links["code"].isin(blocked), "code"].unique()
        if not len(free):
            break
        peeled = peeled.union(pd.Index(free))
        links = links[~links["code"].isin(free)]
    parents: dict[str, set[str]] = {}
    for code, parent in zip(links["code"], links["parent_code"], strict=True):
        parents.setdefault(code, set()).add(parent)
    in_cycle = {code for code in parents if _reaches(parents, code)}
    problems.add(
        rows,
        rows["code"].isin(in_cycle),
        "parent_code",
        "上级关系形成循环（{v} 是自己的上级）",
        "parents form a cycle ({v} is its own ancestor)",
        v="code",
    )


def _reaches(parents: dict[str, set[str]], start: str) -> bool:
    seen: set[str] = set()
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
    conn: Connection, good: pd.DataFrame, import_id: int, actor: str, progress: Progress | None
) -> dict[str, int]:
    rows = good[list(store_orgunits.VERSION_FIELDS)]
    counts = store_orgunits.write_versions(conn, rows, actor=actor, import_id=import_id)
    if progress:
        progress(len(rows), len(rows))
    return counts
