"""Terminal rendering of a plan: its indicators with targets, and its data elements with
codes, units and the indicators that use them (what an import file's columns are)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console

from ..framework.models import Plan


def print_plan(console: Console, plan: Plan, lang: str) -> None:
    zh = lang == "zh"
    console.print(f"{plan.name} / {plan.name_en} ({plan.code} v{plan.version})", markup=False)
    console.print("指标与目标 / indicators and targets:" if zh else "Indicators and targets:")
    for ind in plan.indicators:
        targets = [t for t in plan.targets if t.indicator == ind.code]
        shown = "; ".join(f"{t.comparator} {t.value:g} ({t.period})" for t in targets) or "—"
        name = ind.name if zh else ind.name_en
        console.print(f"  {ind.code:32} {_pad(name, 24)} {shown}", markup=False, soft_wrap=True)
    users = uses(plan)
    console.print(
        "数据元素（导入文件的列，编码或中文名均可作表头）/ data elements (import columns):"
        if zh
        else "Data elements (the columns of an import file; code or name as header):"
    )
    for el in plan.data_elements:
        name, unit = (el.name, el.unit) if zh else (el.name_en, el.unit_en)
        kind = "整数" if zh and el.value_type == "integer" else el.value_type
        if zh and el.value_type == "number":
            kind = "数值"
        used = ", ".join(users.get(el.code, [])) or ("（未被指标使用）" if zh else "(no indicator)")
        line = (
            f"  {el.code:36} {_pad(name, 24)} {_pad(f'[{unit or chr(8212)}]', 8)} {_pad(kind, 7)}"
        )
        console.print(f"{line} → {used}", markup=False, soft_wrap=True)
    header = ",".join(["org_unit", "period", *(e.code for e in plan.data_elements[:3])])
    console.print(
        ("导入文件表头示例 / example header: " if zh else "Example import header: ") + header,
        markup=False,
    )


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal cells (a Chinese character takes two)."""
    return text + " " * max(width - cell_len(text), 0)


def uses(plan: Plan) -> dict[str, list[str]]:
    """Indicator codes by the data element they read (numerator or denominator)."""
    out: dict[str, list[str]] = {}
    for ind in plan.indicators:
        for code in dict.fromkeys(ind.elements):
            out.setdefault(code, []).append(ind.code)
    return out
