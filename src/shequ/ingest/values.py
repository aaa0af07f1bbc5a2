"""Import data values, in long form (``data_element,org_unit,period,value``) or wide form
(``org_unit,period`` and one column per data element, named by code or Chinese name).

An empty cell is no value: it is skipped, never read as zero and never an error. A row
with any bad cell is quarantined whole (nothing of it loads), so the quarantine file
holds exactly what did not load. Checks: unknown data element or org unit, a unit that
does not exist in the period, bad period, locked period, non-numeric value, a value below
the element's minimum (negative counts) or above its maximum, a fraction where the element
counts whole things, and the same key more than once in the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ..errors import ImportFileError
from ..framework.loader import load_plan
from ..framework.models import Plan
from ..store import imports as store_imports
from ..store.db import Store
from . import _streamed
from ._unit_periods import check_units_and_periods
from .cells import (
    AMBIGUOUS_COMMA,
    NOT_A_NUMBER,
    PERCENT_NOT_ALLOWED,
    blank,
    code_text,
    number,
    per_unique,
    period_code,
    plain_numbers,
)
from .findings import rule_findings
from .limits import Limits
from .pipeline import Checked, Progress, Scope, in_scope, run_import
from .readers import ROW, read_batches, rename_columns
from .report import ImportReport, Problems

COMBO = "category_option_combo"
CARRIED = [COMBO, "comment", "followup", "stored_by"]
"""Optional long-form columns kept with each value (DHIS2's disaggregation and attributes)."""

ALIASES = {
    **dict.fromkeys(
        [COMBO, "categoryoptioncombo", "catoptcombo", "coc", "分类组合", "分组"], COMBO
    ),
    **dict.fromkeys(["comment", "备注"], "comment"),
    **dict.fromkeys(["followup", "跟进"], "followup"),
    **dict.fromkeys(["stored_by", "storedby", "填报人"], "stored_by"),
    **dict.fromkeys(
        ["data_element", "dataelement", "数据元素", "数据项", "指标项", "数据元"], "data_element"
    ),
    **dict.fromkeys(
        ["org_unit", "orgunit", "单位编码", "组织机构", "社区编码", "单位", "编码"], "org_unit"
    ),
    **dict.fromkeys(["period", "期间", "时期", "年度", "统计期"], "period"),
    **dict.fromkeys(["value", "值", "数值"], "value"),
}


def import_values(
    store: Store,
    path: str | Path,
    *,
    plan: Plan | None = None,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
    allowed_units: Scope | None = None,
    strict_rules: bool = False,
) -> ImportReport:
    """Import data values from ``path`` (CSV or XLSX, long or wide form) against ``plan``.

    With ``allowed_units`` (the web app passes a user's subtree of each period, as a function
    of the period code), rows of any other unit
    are quarantined with the reason, like any other bad row. The plan's validation rules
    and outlier checks run on the rows that load, read with what is stored for the same
    unit and period; their findings are listed in the report (`ImportReport.violations`)
    and the values still load, unless ``strict_rules`` and a must-fix rule is violated.
    """
    plan = plan or load_plan()
    limits = Limits.from_env()
    batches = read_batches(Path(path), limits=limits, size=_streamed.BATCH, whole=_streamed.WHOLE)
    if batches is not None and _streams(batches[0]):
        return _streamed.import_batches(
            store,
            Path(path),
            batches,
            plan=plan,
            check=checked_cells,
            keyed=keyed,
            add_duplicates=add_duplicates,
            actor=actor,
            strict=strict,
            strict_rules=strict_rules,
            limits=limits,
            progress=progress,
            allowed_units=allowed_units,
        )
    return run_import(
        store,
        Path(path),
        kind="data_values",
        validate=lambda c, r: _validate(c, r, plan, allowed_units),
        write=_write,
        actor=actor,
        strict=strict,
        sheet=sheet,
        progress=progress,
        strict_rules=strict_rules,
        limits=limits,
    )


def _streams(header: list[str]) -> bool:
    """Whether a file of this header is read in batches (`_streamed`): not with `CARRIED`
    columns or DHIS2's ``deleted`` (their rows go through `run_import`, whole)."""
    named = {ALIASES.get(str(h).strip().lower().replace(" ", ""), h) for h in header}
    return not named & {*CARRIED, "deleted"}


def check_values(
    conn: Connection, raw: pd.DataFrame, plan: Plan, allowed_units: Scope | None = None
) -> Checked:
    """Validate raw cells (long or wide form, with a `ROW` column) by the import rules.

    The web data-entry grid calls this for validation as you type and before saving, so
    a value typed in the browser meets exactly the rules of a file import.
    """
    return _validate(conn, raw, plan, allowed_units)


def write_checked(
    conn: Connection, good: pd.DataFrame, *, actor: str, reason: str | None = None
) -> dict[str, int]:
    """Write checked rows (new, changed, unchanged; ``deleted`` ones with ``reason``), audited."""
    rows, gone = split_deleted(good)
    out = store_imports.write_values(conn, rows, actor=actor, deletes=gone, delete_reason=reason)
    return {**out.counts(), "deleted": out.deleted}


def split_deleted(good: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values to write, keys to delete) of checked rows (DHIS2's ``deleted: true``)."""
    if "deleted" not in good:
        return good, good.iloc[0:0]
    gone = good["deleted"].astype(bool)
    rest = good.drop(columns="deleted")
    return rest[~gone], rest[gone]


def _validate(
    conn: Connection, raw: pd.DataFrame, plan: Plan, allowed_units: Scope | None = None
) -> Checked:
    cells, problems, empty, carried = checked_cells(conn, raw, plan, allowed_units)
    good = cells[~cells[ROW].isin(problems.rows())]
    columns = ["data_element", "org_unit", "period", "value"]
    if carried or good["deleted"].any():
        columns += [*carried, "deleted"]
    findings = rule_findings(conn, good[~good["deleted"]], plan)
    return Checked(good[columns], problems, empty, findings)


def checked_cells(
    conn: Connection,
    raw: pd.DataFrame,
    plan: Plan,
    allowed_units: Scope | None = None,
    *,
    duplicates: bool = True,
) -> tuple[pd.DataFrame, Problems, int, list[str]]:
    """The present cells of ``raw`` (one per value, with `ROW`, ``value_column`` and the
    parsed key and value), their problems, the number of empty cells and the `CARRIED`
    columns of the file: every check of an import but the rule findings.

    ``duplicates=False`` leaves out the check of keys repeated in the file, for a caller
    that reads a file in batches and checks the keys of all of them (`add_duplicates`)."""
    frame = rename_columns(raw, ALIASES)
    if {"data_element", "value"} <= set(frame.columns):
        cells, problems = _long_cells(frame, plan)
    else:
        cells, problems = _wide_cells(frame, plan)
    present = ~blank(cells["value_raw"]) | cells["deleted"]
    empty = int((~present).sum())
    cells = cells[present].reset_index(drop=True)
    _check_cells(conn, cells, plan, problems, duplicates=duplicates)
    if allowed_units is not None:
        problems.add(
            cells,
            ~in_scope(cells, allowed_units) & cells["period"].notna(),
            "org_unit",
            "单位 {u} 不在您的权限范围内",
            "org unit {u} is outside your scope",
            u="org_unit",
        )
    return cells, problems, empty, [c for c in CARRIED if c in frame.columns]


def keyed(cells: pd.DataFrame) -> pd.Series:
    """The cells whose key can repeat another's: a known data element and a valid period."""
    return cells["data_element"].notna() & cells["period"].notna()


def add_duplicates(problems: Problems, cells: pd.DataFrame, repeated: pd.Series) -> None:
    """Report the ``repeated`` cells (their key is in the file more than once), each in its
    value column (cells with `ROW`, ``value_column``, the key and ``combo_shown``)."""
    _add_by_column(
        problems,
        cells,
        repeated,
        cells["value_column"],
        "{e}{c}/{u}/{p} 在文件中重复",
        "{e}{c}/{u}/{p} appears more than once in the file",
        e="data_element",
        c="combo_shown",
        u="org_unit",
        p="period",
    )


def _require(frame: pd.DataFrame, columns: tuple[str, ...], form: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        msg = (
            f"{form}缺少列 {', '.join(missing)} / {form} is missing columns {', '.join(missing)}: "
            "use data_element,org_unit,period,value (long) or org_unit,period,<data elements> (wide)"
        )
        raise ImportFileError(msg)


def _long_cells(frame: pd.DataFrame, plan: Plan) -> tuple[pd.DataFrame, Problems]:
    _require(frame, ("data_element", "org_unit", "period", "value"), "长表 long form ")
    names = plan.element_by_name()
    element_raw = per_unique(frame["data_element"], code_text)
    cells = pd.DataFrame(
        {
            ROW: frame[ROW],
            "element_raw": element_raw,
            "data_element": per_unique(
                element_raw, lambda k: getattr(names.get(k.lower()), "code", None)
            ),
            "org_unit_raw": frame["org_unit"],
            "period_raw": frame["period"],
            "value_raw": frame["value"],
            "value_column": "value",
            "element_column": "data_element",
            **{c: frame[c] for c in CARRIED if c in frame.columns},
            "deleted": frame["deleted"].fillna(False).astype(bool)
            if "deleted" in frame.columns
            else False,
        }
    )
    problems = Problems()
    return cells, problems


def _wide_cells(frame: pd.DataFrame, plan: Plan) -> tuple[pd.DataFrame, Problems]:
    _require(frame, ("org_unit", "period"), "宽表 wide form ")
    names = plan.element_by_name()
    element_columns = [c for c in frame.columns if c not in ("org_unit", "period", ROW)]
    if not element_columns:
        raise ImportFileError("宽表没有数据元素列 / the wide form has no data-element columns")
    parts = []
    for column in element_columns:
        element = names.get(str(column).strip().lower())
        parts.append(
            pd.DataFrame(
                {
                    ROW: frame[ROW],
                    "element_raw": str(column),
                    "data_element": element.code if element else None,
                    "org_unit_raw": frame["org_unit"],
                    "period_raw": frame["period"],
                    "value_raw": frame[column],
                    "value_column": str(column),
                    "element_column": str(column),
                    "deleted": False,
                }
            )
        )
    return pd.concat(parts, ignore_index=True), Problems()


def _check_cells(
    conn: Connection, cells: pd.DataFrame, plan: Plan, problems: Problems, *, duplicates: bool
) -> None:
    elements = {e.code: e for e in plan.data_elements}
    cells["org_unit"] = per_unique(cells["org_unit_raw"], code_text)
    cells["period"] = per_unique(cells["period_raw"], period_code)
    _parse_numbers(cells, elements)
    _add_by_column(
        problems,
        cells,
        cells["data_element"].isna(),
        cells["element_column"],
        "未知的数据元素“{v}”",
        "unknown data element '{v}'",
        v="element_raw",
    )
    check_units_and_periods(conn, cells, problems)
    value_col = cells["value_column"]
    cells.loc[cells["deleted"], "value"] = cells.loc[cells["deleted"], "value"].fillna(0.0)
    infinite = cells["value"].notna() & ~np.isfinite(cells["value"].fillna(0))
    cells.loc[infinite, "reason_en"] = NOT_A_NUMBER[1]
    cells.loc[infinite, "value"] = np.nan
    bad_number = cells["value"].isna()
    for zh, en in (NOT_A_NUMBER, AMBIGUOUS_COMMA, PERCENT_NOT_ALLOWED):
        _add_by_column(
            problems, cells, bad_number & (cells["reason_en"] == en), value_col, zh, en,
            v="value_raw",
        )  # fmt: skip
    low = _per_element(cells, elements, "min_value", float)
    high = _per_element(cells, elements, "max_value", float)
    _add_by_column(
        problems,
        cells,
        ~bad_number & (cells["value"] < low),
        value_col,
        "数值 {v} 小于允许的最小值（不能为负）",
        "value {v} is below the minimum allowed (no negatives)",
        v="value_raw",
    )
    _add_by_column(
        problems,
        cells,
        ~bad_number & (cells["value"] > high),
        value_col,
        "数值 {v} 超过允许的最大值",
        "value {v} is above the maximum allowed",
        v="value_raw",
    )
    integer = _per_element(cells, elements, "value_type", object) == "integer"
    fraction = ~bad_number & integer & (cells["value"] % 1 != 0)
    _add_by_column(
        problems,
        cells,
        fraction,
        value_col,
        "数值 {v} 应为整数",
        "value {v} should be a whole number",
        v="value_raw",
    )
    combo = cells[COMBO] if COMBO in cells else pd.Series("", index=cells.index)
    cells["combo_shown"] = per_unique(combo.fillna("").astype(str), lambda c: f"[{c}]" if c else "")
    if duplicates:
        key = ["data_element", "org_unit", "period", "combo_shown"]
        add_duplicates(problems, cells, keyed(cells) & cells.duplicated(key, keep=False))


def _parse_numbers(cells: pd.DataFrame, elements: dict) -> None:
    """``value`` and, where unreadable, ``reason_en``: plain numbers in one vectorised
    pass, the rest (1,234 · ５５０４ · 12.5% · words) cell by cell with `cells.number`."""
    fast = plain_numbers(cells["value_raw"])
    fast = fast.where(np.isfinite(fast.fillna(np.nan)))
    cells["value"] = fast
    cells["reason_en"] = ""
    slow = fast.isna()
    percent = _per_element(cells[slow], elements, "unit", object) == "%"
    for i in cells.index[slow]:
        parsed, reason = number(cells.at[i, "value_raw"], percentage=bool(percent[i]))
        cells.at[i, "value"] = np.nan if parsed is None else parsed
        cells.at[i, "reason_en"] = reason[1] if reason else ""


def _per_element(cells: pd.DataFrame, elements: dict, field: str, dtype) -> pd.Series:
    """A field of each cell's data element (None/NaN where the element is unknown)."""
    known = {code: getattr(e, field) for code, e in elements.items()}
    return cells["data_element"].map(known).astype(dtype)


def _add_by_column(
    problems: Problems,
    cells: pd.DataFrame,
    mask: pd.Series,
    columns: pd.Series,
    zh: str,
    en: str,
    **refs: str,
) -> None:
    for column in columns[mask.fillna(False)].unique():
        problems.add(cells, mask & (columns == column), str(column), zh, en, **refs)


def _write(
    conn: Connection, good: pd.DataFrame, import_id: int, actor: str, progress: Progress | None
) -> dict[str, int]:
    """Locked rows were quarantined by `_check_units_and_periods`; the writer checks again."""
    rows, deletes = split_deleted(good)
    written = store_imports.write_values(
        conn, rows, actor=actor, batch=import_id, progress=progress, deletes=deletes
    )
    return written.counts()
