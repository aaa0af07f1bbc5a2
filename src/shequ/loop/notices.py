"""Warnings as notifications: every warning a scheduled run opens or closes becomes one
message (`shequ.notify.Message`) to the warning's owners — the unit's staff and its
supervisors — filed in their inboxes and in the outboxes of the subscriptions that want it
(`shequ.notify.dispatch`); the same tick then sends what is due (`shequ.notify.deliver`).

A message names the unit, what happened and the evidence (value against target, the
projection, who has not reported, how many days overdue), in Chinese and English. Its
source is the warning (``warning_opened`` / ``warning_closed`` and the warning's id), so a
run that is repeated files nothing twice. Severities map high → critical, medium →
warning, low → info; a closing is always info.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..framework.models import Plan
from ..notify import DispatchReport, Message, dispatch
from ..store.db import Store
from ..store.tables.core import OrgUnit
from .events import WarningEvent

SEVERITY = {"high": "critical", "medium": "warning", "low": "info"}
KIND_WORDS = {
    "target_missed": ("未达标", "target missed"),
    "trend_off_track": ("趋势偏离目标", "trend off track"),
    "reporting": ("数据未按时上报", "data not reported in time"),
    "suggestion_overdue": ("居民建议办理超期", "resident suggestion overdue"),
    "rule_violation": ("数据校验未通过", "validation rule violated"),
}


def send_warnings(
    store: Store, plan: Plan, events: Iterable[WarningEvent], *, now: dt.datetime
) -> DispatchReport:
    """File one message per event for its owners (nothing is sent here)."""
    events = list(events)
    if not events:
        return DispatchReport()
    units = {e.warning["org_unit"] for e in events}
    with store.begin() as conn:
        query = select(OrgUnit.code, OrgUnit.name).where(OrgUnit.code.in_(units))
        names = dict(conn.execute(query).all())
    messages = [message_of(e, plan, names) for e in events]
    return dispatch(store, messages, now=now)


def message_of(event: WarningEvent, plan: Plan, names: dict[str, str]) -> Message:
    """The message telling a warning's owners that it opened or closed."""
    w = event.warning
    unit = w["org_unit"]
    zh, en = KIND_WORDS.get(w["kind"], (w["kind"], w["kind"]))
    what_zh, what_en = _subject(w, plan)
    place = f"{names.get(unit, unit)}（{unit}）"
    if event.kind == "closed":
        subject_zh, subject_en = f"已解除：{place} {what_zh}{zh}", f"Cleared: {unit} {what_en} {en}"
        severity = "info"
    else:
        subject_zh, subject_en = f"预警：{place} {what_zh}{zh}", f"Warning: {unit} {what_en} {en}"
        severity = SEVERITY.get(str(w.get("severity")), "warning")
    body_zh, body_en = _evidence(w.get("evidence") or {})
    if w.get("action") and event.kind == "opened":
        body_zh += f"\n建议整改：{w['action']}"
        body_en += f"\nProposed follow-up: {w['action']}"
    return Message(
        subject_zh=subject_zh,
        subject_en=subject_en,
        unit=unit,
        severity=severity,
        body_zh=body_zh,
        body_en=body_en,
        link="/admin/schedule",
        source_kind=f"warning_{event.kind}",
        source_id=str(w["id"]),
        recipients=tuple(event.recipients),
    )


def _subject(w: dict[str, Any], plan: Plan) -> tuple[str, str]:
    if w["kind"] in ("target_missed", "trend_off_track"):
        try:
            indicator = plan.indicator(w["subject"])
        except KeyError:
            return f"{w['subject']} ", f"{w['subject']}"
        return f"“{indicator.name}”", f"'{indicator.name_en}'"
    return "", ""


def _evidence(e: dict[str, Any]) -> tuple[str, str]:
    if "target" in e:
        zh = f"{e.get('period')} 实际 {_n(e.get('value'))}，目标 {_cmp(e.get('comparator'))} {_n(e.get('target'))}"
        en = f"{e.get('period')}: {_n(e.get('value'))}, target {_cmp(e.get('comparator'))} {_n(e.get('target'))}"
        if e.get("projected_value") is not None:
            zh += f"；按趋势 {e.get('target_period')} 预计 {_n(e['projected_value'])}"
            en += f"; projected {_n(e['projected_value'])} in {e.get('target_period')}"
        return zh, en
    if "missing_count" in e:
        missing = "、".join(e.get("missing") or [])
        zh = (
            f"{e['period']} 已上报 {e['reported']}/{e['expected']}，截止 {e['deadline']}"
            f"（剩 {e['days_to_deadline']} 天）；未上报：{missing}"
        )
        en = (
            f"{e['period']}: {e['reported']} of {e['expected']} reported, due {e['deadline']} "
            f"({e['days_to_deadline']} days left); not reported: {', '.join(e.get('missing') or [])}"
        )
        return zh, en
    if "days_overdue" in e:
        zh = f"建议 #{e['suggestion']} 应于 {e['due']} 前办理，已超期 {e['days_overdue']} 天"
        en = f"suggestion #{e['suggestion']} was due {e['due']}: {e['days_overdue']} days overdue"
        return zh, en
    if "rule" in e:
        return str(e.get("message_zh", e["rule"])), str(e.get("message_en", e["rule"]))
    return "", ""


def _n(value: object) -> str:
    if value is None:
        return "—"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.4g}"


def _cmp(comparator: object) -> str:
    return {">=": "≥", "<=": "≤"}.get(str(comparator), str(comparator))
