"""Period approval per org unit: an approved (unit, period) locks the unit's subtree.

A supervisor approves the data of an org unit for a period; from then on no value of that
unit or of any unit below it (on the period's last day, by the closure table) may change
until the approval is withdrawn. Approving a community locks only that community; approving
a street locks all its communities. Who may approve: an administrator or analyst whose scope
strictly contains the unit, or an administrator of a top unit (the whole tree).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, and_, delete, insert, select

from ..errors import ShequError
from ..framework.loader import load_plan
from ..framework.models import Plan
from ..framework.periods import parse_period
from . import audit, validation
from . import orgunits as store_orgunits
from .accounts import ADMINISTRATOR, ANALYST, find_user
from .tables.approvals import PeriodApproval
from .tables.core import OrgUnitPath, Period
from .values import ensure_periods

APPROVER_ROLES = (ADMINISTRATOR, ANALYST)


class ApprovalError(ShequError):
    """An approval or unlock that is not allowed or names an unknown unit; a refusal for
    must-fix validation problems carries them as ``violations`` (a frame)."""

    def __init__(self, message: str, *, violations: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.violations = violations


def locked(conn: Connection, pairs: pd.DataFrame) -> pd.DataFrame:
    """Which (org_unit, period) pairs of ``pairs`` are locked, and by which approval.

    One query joins the approvals of the periods asked about to the closure table on each
    period's last day; the answer is merged with ``pairs`` in memory. Returns one row per
    locked distinct pair: ``org_unit``, ``period``, ``approved_unit`` (the nearest approving
    unit: the unit itself or its closest approved ancestor).
    """
    columns = ["org_unit", "period", "approved_unit"]
    keys = pairs[["org_unit", "period"]].dropna().astype(str).drop_duplicates()
    if keys.empty:
        return pd.DataFrame(columns=columns)
    path = OrgUnitPath
    query = (
        select(
            path.descendant_code.label("org_unit"),
            PeriodApproval.period,
            PeriodApproval.org_unit.label("approved_unit"),
            path.depth,
        )
        .join(Period, Period.code == PeriodApproval.period)
        .join(
            path,
            and_(
                path.ancestor_code == PeriodApproval.org_unit,
                path.valid_from <= Period.end_date,
                path.valid_to > Period.end_date,
            ),
        )
        .where(PeriodApproval.period.in_(sorted(keys["period"].unique())))
    )
    found = pd.DataFrame(conn.execute(query).all(), columns=[*columns, "depth"])
    if found.empty:
        return pd.DataFrame(columns=columns)
    nearest = found.sort_values("depth").drop_duplicates(["org_unit", "period"])
    return keys.merge(nearest[columns], on=["org_unit", "period"])[columns].reset_index(drop=True)


def locked_by(conn: Connection, unit: str, period: str) -> str | None:
    """The unit whose approval locks ``unit`` in ``period``, or None when it is open."""
    frame = locked(conn, pd.DataFrame({"org_unit": [unit], "period": [period]}))
    return None if frame.empty else str(frame["approved_unit"].iloc[0])


def approvals(conn: Connection, period: str | None = None) -> pd.DataFrame:
    """Stored approvals (org_unit, period, approved_by, approved_at), newest period first."""
    query = select(
        PeriodApproval.org_unit,
        PeriodApproval.period,
        PeriodApproval.approved_by,
        PeriodApproval.approved_at,
    )
    if period is not None:
        query = query.where(PeriodApproval.period == period)
    query = query.order_by(PeriodApproval.period.desc(), PeriodApproval.org_unit)
    return pd.DataFrame(
        conn.execute(query).all(), columns=["org_unit", "period", "approved_by", "approved_at"]
    )


def may_approve(conn: Connection, role: str, scope: str, unit: str, period: str) -> bool:
    """Whether a user (``role``, ``scope``) supervises ``unit`` for ``period``.

    Supervisors are administrators and analysts whose scope strictly contains the unit on
    the period's last day; an administrator of a top unit may also approve the top unit.
    A unit's own staff never approve their own data.
    """
    if role not in APPROVER_ROLES:
        return False
    day = parse_period(period).end
    if unit == scope:
        return role == ADMINISTRATOR and store_orgunits.is_top(conn, scope)
    return unit in store_orgunits.subtree(conn, scope, day)


def approve(
    conn: Connection, unit: str, period: str, *, actor: str, plan: Plan | None = None
) -> bool:
    """Approve ``unit`` for ``period`` (locking its subtree); audited. False if already so.

    Refused with `ApprovalError`, listing them, while a high-importance validation rule of
    ``plan`` (default: the default plan) is violated in the subtree (`validation.must_fix`).
    """
    period = _known(conn, unit, period)
    ensure_periods(conn, [period])
    if _stored(conn, unit, period):
        return False
    _refuse_if_must_fix(conn, plan or load_plan(), unit, period)
    conn.execute(insert(PeriodApproval).values(org_unit=unit, period=period, approved_by=actor))
    audit.record(
        conn,
        [("approve", "period_approval", f"{unit}/{period}", None, {"approved_by": actor})],
        actor=actor,
    )
    return True


def _refuse_if_must_fix(conn: Connection, plan: Plan, unit: str, period: str) -> None:
    found = validation.must_fix(conn, plan, unit, period)
    if found.empty:
        return
    raise ApprovalError(
        f"单位 {unit} 的期间 {period} 有 {len(found)} 条必须修正的校验问题，不能审核 / period "
        f"{period} of org unit {unit} has {len(found)} must-fix validation problems and cannot "
        f"be approved:\n{validation.describe(found)}",
        violations=found,
    )


def unlock(conn: Connection, unit: str, period: str, *, actor: str) -> bool:
    """Withdraw the approval of ``unit`` for ``period``; audited. False if there was none."""
    period = _known(conn, unit, period)
    before = _stored(conn, unit, period)
    if before is None:
        return False
    conn.execute(
        delete(PeriodApproval).where(
            PeriodApproval.org_unit == unit, PeriodApproval.period == period
        )
    )
    audit.record(
        conn,
        [("unlock", "period_approval", f"{unit}/{period}", {"approved_by": before}, None)],
        actor=actor,
    )
    return True


def whole_tree_approved(conn: Connection, periods: Iterable[str]) -> set[str]:
    """The periods approved at every top unit (the whole tree locked)."""
    tops = set(store_orgunits.top_units(conn))
    frame = approvals(conn)
    frame = frame[frame["period"].isin(set(periods)) & frame["org_unit"].isin(tops)]
    counts = frame.groupby("period")["org_unit"].nunique()
    return {p for p, n in counts.items() if tops and n == len(tops)}


def _known(conn: Connection, unit: str, period: str) -> str:
    code = parse_period(period).code
    store_orgunits.require(conn, unit, ApprovalError)
    return code


def _stored(conn: Connection, unit: str, period: str) -> str | None:
    query = select(PeriodApproval.approved_by).where(
        PeriodApproval.org_unit == unit, PeriodApproval.period == period
    )
    return conn.execute(query).scalar_one_or_none()


def lock_message(frame: pd.DataFrame) -> str | None:
    """A bilingual message naming the first locked row of a `locked` answer, or None."""
    if frame.empty:
        return None
    first = frame.sort_values(["period", "org_unit"]).iloc[0]
    unit, period, by = first["org_unit"], first["period"], first["approved_unit"]
    more = len(frame) - 1
    extra_zh = f"（另有 {more} 个单位）" if more else ""
    extra_en = f" (and {more} more units)" if more else ""
    return (
        f"单位 {unit} 的期间 {period} 已由 {by} 审核锁定{extra_zh} / period {period} of org unit "
        f"{unit} is approved and locked by {by}{extra_en}"
    )


def set_approval(
    conn: Connection,
    unit: str,
    period: str,
    *,
    approved: bool,
    role: str,
    scope: str,
    actor: str,
    plan: Plan | None = None,
) -> bool:
    """Approve or unlock ``unit`` for ``period`` on behalf of a user (``role``, ``scope``).

    Raises `ApprovalError` unless the user supervises the unit (`may_approve`); returns
    whether anything changed. Audited under ``actor``.
    """
    code = _known(conn, unit, period)
    if not may_approve(conn, role, scope, unit, code):
        raise ApprovalError(
            f"{actor} 不是单位 {unit} 的上级审核人，不能审核或解锁 / {actor} does not supervise "
            f"org unit {unit} and may not approve or unlock it"
        )
    if approved:
        return approve(conn, unit, code, actor=actor, plan=plan)
    return unlock(conn, unit, code, actor=actor)


def set_approval_as(
    conn: Connection,
    username: str,
    unit: str,
    period: str,
    *,
    approved: bool,
    plan: Plan | None = None,
) -> bool:
    """`set_approval` on behalf of the active web user ``username`` (the CLI's way in)."""
    user = find_user(conn, username)
    if user is None or not user["active"]:
        raise ApprovalError(
            f"未知或已停用的用户“{username}” / unknown or inactive user '{username}'"
        )
    return set_approval(
        conn, unit, period, approved=approved, role=user["role"], scope=user["scope"],
        actor=username, plan=plan,
    )  # fmt: skip


def set_period_lock(
    conn: Connection, period: str, *, locked: bool, actor: str, plan: Plan | None = None
) -> None:
    """Approve ``period`` for every top unit (locking the whole tree), or withdraw those
    approvals; audited. Approvals of lower units are left alone."""
    for unit in store_orgunits.top_units(conn):
        if locked:
            approve(conn, unit, period, actor=actor, plan=plan)
        else:
            unlock(conn, unit, period, actor=actor)


def periods(conn: Connection) -> pd.DataFrame:
    """Known periods, newest first; ``locked`` when approved for the whole tree, and the
    number of per-unit ``approvals``."""
    codes = list(conn.execute(select(Period.code, Period.type).order_by(Period.code.desc())))
    frame = pd.DataFrame(codes, columns=["code", "type"])
    whole = whole_tree_approved(conn, frame["code"])
    counts = approvals(conn).groupby("period").size()
    frame["locked"] = frame["code"].isin(whole)
    frame["approvals"] = frame["code"].map(counts).fillna(0).astype(int)
    return frame
