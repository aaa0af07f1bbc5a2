"""Terminal rendering and file output of validation findings (`shequ.framework.rules`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from .. import sheets
from ..errors import ImportFileError

HEADERS = {
    "row": ("序号", "No."),
    "org_unit": ("单位编码", "unit"),
    "name": ("单位名称", "name"),
    "period": ("期间", "period"),
    "rule": ("规则", "rule"),
    "importance": ("重要性", "importance"),
    "left": ("左值", "left"),
    "operator": ("运算符", "operator"),
    "right": ("右值", "right"),
    "data_elements": ("数据元素", "data elements"),
    "message_zh": ("说明", "message (zh)"),
    "message_en": ("说明（英文）", "message"),
}
MAX_SHOWN = 30
IMPORTANCE = {"high": ("必须修正", "must fix"), "medium": ("中", "medium"), "low": ("低", "low")}


def numbered(found: pd.DataFrame) -> pd.DataFrame:
    out = found.reset_index(drop=True)
    return out.assign(row=range(1, len(out) + 1))[list(HEADERS)]


def print_violations(console: Console, found: pd.DataFrame, lang: str) -> None:
    i = 0 if lang == "zh" else 1
    if found.empty:
        console.print(("未发现问题", "no problems found")[i])
        return
    high = int((found["importance"] == "high").sum())
    console.print(
        f"共 {len(found)} 个问题，其中必须修正 {high} 个" if i == 0
        else f"{len(found)} problems, {high} must be fixed"
    )  # fmt: skip
    table = Table()
    shown = ["row", "org_unit", "name", "period", "rule", "importance", "left", "operator",
             "right", ("message_zh", "message_en")[i]]  # fmt: skip
    for column in shown:
        table.add_column(HEADERS[column][i])
    for r in numbered(found).head(MAX_SHOWN).to_dict("records"):
        r["importance"] = IMPORTANCE[r["importance"]][i]
        table.add_row(*("" if pd.isna(r[c]) else str(r[c]) for c in shown))
    console.print(table)
    hidden = len(found) - MAX_SHOWN
    if hidden > 0:
        console.print(
            f"… 另有 {hidden} 个，完整清单请用 --output" if i == 0
            else f"… {hidden} more; --output writes the full list"
        )  # fmt: skip


def write_violations(found: pd.DataFrame, path: Path) -> None:
    """Write the list with bilingual headers: CSV as UTF-8 with BOM (Excel), or XLSX."""
    frame = numbered(found).rename(columns={k: f"{zh} {en}" for k, (zh, en) in HEADERS.items()})
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        sheets.write_frame(frame, path, suffix[1:], sheet_name="validation")
    else:
        msg = f"输出文件应为 .csv 或 .xlsx：{path} / the output must be .csv or .xlsx: {path}"
        raise ImportFileError(msg)
