"""Words every output shares (terminal, workbooks, reports): statuses, trends, levels, coordination classes, in Chinese and English."""

from __future__ import annotations

STATUS = {
    "met": ("达标", "met"),
    "not_met": ("未达标", "not met"),
    "no_data": ("无数据", "no data"),
    "no_target": ("无目标", "no target"),
}
TREND = {
    "met": ("已达标", "met"),
    "on_track": ("按期可达", "on track"),
    "at_risk": ("有风险", "at risk"),
    "off_track": ("难以达成", "off track"),
    "insufficient_data": ("数据不足", "too few points"),
    "no_data": ("无数据", "no data"),
    "no_target": ("—", "—"),
}
LEVEL = {
    "province": ("省", "province"),
    "city": ("市", "city"),
    "district": ("区（县）", "district"),
    "street": ("街道（乡镇）", "street"),
    "community": ("社区（村）", "community"),
    "grid": ("网格", "grid"),
}
COORDINATION = {
    "extreme_imbalance": ("极度失调", "extreme imbalance"),
    "serious_imbalance": ("严重失调", "serious imbalance"),
    "moderate_imbalance": ("中度失调", "moderate imbalance"),
    "mild_imbalance": ("轻度失调", "mild imbalance"),
    "verge_of_imbalance": ("濒临失调", "on the verge of imbalance"),
    "barely_coordinated": ("勉强协调", "barely coordinated"),
    "primary_coordination": ("初级协调", "primary coordination"),
    "intermediate_coordination": ("中级协调", "intermediate coordination"),
    "good_coordination": ("良好协调", "good coordination"),
    "high_quality": ("优质协调", "high-quality coordination"),
}
# status colours (hex, no '#'): green met, red not met, amber no data, grey no target
STATUS_COLOUR = {"met": "C6EFCE", "not_met": "FFC7CE", "no_data": "FFEB9C", "no_target": "EDEDED"}


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def number(value: float | None, decimals: int) -> str:
    """A value as printed in documents; a missing one is a dash, never 0."""
    if value is None or value != value:  # NaN
        return "—"
    return f"{value:,.{decimals}f}"


def target_text(comparator: str | None, target: float | None, decimals: int) -> str:
    if not isinstance(comparator, str) or target is None or target != target:
        return "—"
    shown = "≤" if comparator == "reduce_by" else comparator.replace(">=", "≥").replace("<=", "≤")
    return f"{shown} {number(target, decimals)}"
