"""The three rates of the suggestions desk, per unit and period, as in citizen-hotline practice.

For the suggestions *received* in the period (by receipt date):

* response rate = answered within ``voice.deadlines.respond`` working days / received;
* resolution rate = resolved (resolved or closed) / received; the share resolved within
  ``voice.deadlines.resolve`` working days is reported beside it;
* satisfaction rate = rated satisfied (``voice.satisfied_ratings``, 4–5 of 5) / rated.

Working days come from the official calendar and the plan's days (`shequ.voice.workdays`); a
deadline day counts whole (answered at 23:59 on the last day is in time). A suggestion not yet
answered is not answered in time. Only the working days between receipt and the answer are
looked up, so a count through a year the calendar does not know is refused, unless the
caller asks ``on_unknown_year="warn"`` (counted Monday–Friday, with a printed warning).
Units above a community add numerators and denominators (ratio of sums).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from ..errors import VoiceError
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store.orgunits import subtree_sums
from ..store.tables.voice import Suggestion
from .workdays import OnUnknownYear, WorkCalendar

COUNTS = ["received", "responded_in_time", "resolved", "resolved_in_time", "rated", "satisfied"]
#: data elements of the default plan fed by `counts` (see `shequ.voice.feed`)
ELEMENTS = {
    "received": "suggestions_received",
    "responded_in_time": "suggestions_responded_in_time",
    "resolved": "suggestions_resolved",
    "rated": "suggestions_rated",
    "satisfied": "suggestions_satisfied",
}


def _received_in(conn: Connection, period: str, columns) -> pd.DataFrame:
    p = parse_period(period)
    lo = pd.Timestamp(p.start).to_pydatetime()
    hi = (pd.Timestamp(p.end) + pd.Timedelta(days=1)).to_pydatetime()
    query = select(*columns).where(Suggestion.received_at >= lo, Suggestion.received_at < hi)
    return pd.read_sql(query, conn)


def flags(
    frame: pd.DataFrame,
    plan: Plan,
    calendar: WorkCalendar | None = None,
    *,
    on_unknown_year: OnUnknownYear = "refuse",
) -> pd.DataFrame:
    """Per suggestion (received_at, responded_at, resolved_at, rating): 0/1 columns of COUNTS.

    A step is in time when taken by the end of the stage's last working day
    (`WorkCalendar.within`: only the working days up to the step are looked up).
    """
    calendar = calendar or WorkCalendar.from_settings(plan.voice, on_unknown_year=on_unknown_year)
    if calendar.on_unknown_year == "blank":
        msg = "三率不能留空未知年份 / rates cannot leave unknown years blank: refuse or warn"
        raise VoiceError(msg, field="calendar")
    limits = plan.voice.deadlines
    received = pd.to_datetime(frame["received_at"])
    responded = pd.to_datetime(frame["responded_at"])
    resolved = pd.to_datetime(frame["resolved_at"])
    rating = pd.to_numeric(frame["rating"], errors="coerce")
    return pd.DataFrame(
        {
            "received": 1,
            "responded_in_time": calendar.within(received, responded, limits.respond).astype(int),
            "resolved": resolved.notna().astype(int),
            "resolved_in_time": calendar.within(received, resolved, limits.resolve).astype(int),
            "rated": rating.notna().astype(int),
            "satisfied": rating.isin(plan.voice.satisfied_ratings).astype(int),
        },
        index=frame.index,
    )


def counts(
    conn: Connection, period: str, plan: Plan, *, on_unknown_year: OnUnknownYear = "refuse"
) -> pd.DataFrame:
    """Per community: org_unit and the COUNTS of suggestions received in ``period``."""
    frame = _received_in(
        conn,
        period,
        (
            Suggestion.org_unit,
            Suggestion.received_at,
            Suggestion.responded_at,
            Suggestion.resolved_at,
            Suggestion.rating,
        ),
    )
    if frame.empty:
        return pd.DataFrame(columns=["org_unit", *COUNTS])
    marked = flags(frame, plan, on_unknown_year=on_unknown_year)
    marked = pd.concat([frame[["org_unit"]], marked], axis=1)
    return marked.groupby("org_unit", as_index=False)[COUNTS].sum()


def suggestion_rates(
    conn: Connection,
    period: str,
    plan: Plan,
    *,
    level: str | None = None,
    on_unknown_year: OnUnknownYear = "refuse",
) -> pd.DataFrame:
    """Counts and the three rates (in %) for every unit, or the units of ``level``.

    Columns: unit, level, name, COUNTS, response_rate, resolution_rate,
    resolved_in_time_rate, satisfaction_rate (NaN where the denominator is 0: no data).
    A working-day count through a year the calendar does not know raises `VoiceError`,
    unless ``on_unknown_year="warn"`` (see `shequ.voice.workdays`).
    """
    found = counts(conn, period, plan, on_unknown_year=on_unknown_year)
    out = subtree_sums(conn, found, parse_period(period).end, COUNTS)
    if level:
        out = out[out["level"] == level]
    received = out["received"].where(out["received"] > 0)
    rated = out["rated"].where(out["rated"] > 0)
    return out.assign(
        response_rate=100 * out["responded_in_time"] / received,
        resolution_rate=100 * out["resolved"] / received,
        resolved_in_time_rate=100 * out["resolved_in_time"] / received,
        satisfaction_rate=100 * out["satisfied"] / rated,
    ).reset_index(drop=True)


def category_volume(
    conn: Connection, period: str, plan: Plan, *, level: str | None = None, top: int = 3
) -> pd.DataFrame:
    """Suggestions per unit and category received in ``period``, the ``top`` per unit:
    columns unit, level, name, category, category_name, count, rank."""
    frame = _received_in(conn, period, (Suggestion.org_unit, Suggestion.category))
    frame["category"] = frame["category"].fillna("unclassified")
    frame["count"] = 1
    per = frame.groupby(["org_unit", "category"], as_index=False)["count"].sum()
    day, rolled = parse_period(period).end, []
    for category, part in per.groupby("category"):
        rolled.append(subtree_sums(conn, part, day, ["count"]).assign(category=category))
    if not rolled:
        return pd.DataFrame(
            columns=["unit", "level", "name", "category", "category_name", "count", "rank"]
        )
    out = pd.concat(rolled, ignore_index=True)
    if level:
        out = out[out["level"] == level]
    out = out.sort_values(["unit", "count", "category"], ascending=[True, False, True])
    out["rank"] = out.groupby("unit").cumcount() + 1
    names = {c.code: c.name for c in plan.voice.taxonomy} | {"unclassified": "未分类"}
    out["category_name"] = out["category"].map(names)
    return out[out["rank"] <= top].reset_index(drop=True)[
        ["unit", "level", "name", "category", "category_name", "count", "rank"]
    ]
