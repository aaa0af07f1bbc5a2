"""Turn what residents said into data values of the plan, with provenance.

`feed_values` computes, per community and period, and writes as data values (one import
batch of kind ``voice`` records where they came from; every change is audited):

* suggestion counts → ``suggestions_received``, ``suggestions_responded_in_time``,
  ``suggestions_resolved``, ``suggestions_rated``, ``suggestions_satisfied``;
* survey answers → ``culture_satisfied``/``culture_answered`` and
  ``feel_safe``/``safety_answered``; with design weights the satisfied count is the number
  of answers × the weighted share, rounded, so the indicator is the weighted rate (the
  intervals are in `shequ.voice.surveys.rates`);
* sign-in sheets → ``participants`` (distinct adults, each counted once, `participation`);
* service records → ``volunteer_service_hours`` and ``people_served_*``.

Only communities with records of a kind get values of that kind ("no data" is never zero).
Running it twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, select

from ..errors import VoiceError
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store import imports as store_imports
from ..store.db import Store
from ..store.tables.voice import Activity
from . import participation, rates, services
from .surveys import rates as survey_rates


@dataclass
class FeedReport:
    period: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    elements: dict[str, int] = field(default_factory=dict)  # values per data element


def voice_values(conn: Connection, period: str, plan: Plan) -> pd.DataFrame:
    """Long frame (data_element, org_unit, period, value) of everything voice feeds."""
    parts = []
    counts = rates.counts(conn, period, plan)
    for column, element in rates.ELEMENTS.items():
        parts.append(_long(counts, column, element))
    for question, (yes, answered) in survey_rates.FEEDS.items():
        frame = survey_rates.answers(
            conn, period, question, satisfied_levels=plan.voice.satisfied_ratings
        )
        parts += _survey_counts(frame, yes, answered)
    parts.append(_long(_participants(conn, period), "participants", "participants"))
    served = services.totals(conn, period)
    parts.append(_long(served, "hours", "volunteer_service_hours"))
    for service, element in services.ELEMENTS.items():
        parts.append(_long(served, service, element))
    known = {e.code for e in plan.data_elements}
    parts = [part for part in parts if not part.empty]
    if not parts:
        return pd.DataFrame(columns=["data_element", "org_unit", "period", "value"])
    out = pd.concat(parts, ignore_index=True)
    out = out[out["data_element"].isin(known)]
    return out.assign(period=parse_period(period).code)[
        ["data_element", "org_unit", "period", "value"]
    ]


def _survey_counts(frame: pd.DataFrame, yes: str, answered: str) -> list[pd.DataFrame]:
    """Answers and satisfied answers per community. With design weights, the satisfied
    count is n × the weighted share (rounded), so the evaluation's ratio is the weighted rate
    and sums up the tree weight each community by its number of answers."""
    if frame.empty:
        return []
    sums = survey_rates.community_sums(frame)
    weighted = bool(frame["weight"].notna().any())
    share = sums["swy"] / sums["sw"] if weighted else sums["satisfied"] / sums["answered"]
    sums["yes"] = (sums["answered"] * share).round()
    return [_long(sums, "yes", yes), _long(sums, "answered", answered)]


def _participants(conn: Connection, period: str) -> pd.DataFrame:
    """Participants of every community that held an activity in the period (0 if none)."""
    p = parse_period(period)
    held = pd.read_sql(
        select(Activity.org_unit).where(Activity.held_on.between(p.start, p.end)).distinct(), conn
    )
    if held.empty:
        return pd.DataFrame(columns=["org_unit", "participants"])
    counted = participation.participants(conn, period)
    return held.merge(counted, on="org_unit", how="left").fillna({"participants": 0})


def _long(frame: pd.DataFrame, column: str, element: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["data_element", "org_unit", "value"])
    return pd.DataFrame(
        {
            "data_element": element,
            "org_unit": frame["org_unit"].astype(str),
            "value": frame[column].astype(float),
        }
    )


def feed_values(store: Store, period: str, plan: Plan, *, actor: str = "voice") -> FeedReport:
    """Compute `voice_values` for ``period`` and write them as data values (one transaction;
    a batch row only when something changed). An approved unit refuses the whole feed."""
    report = FeedReport(parse_period(period).code)
    batch = store_imports.Batch("voice", f"shequ voice feed {report.period}", always=False)
    with store.begin() as conn:
        values = voice_values(conn, report.period, plan)
        report.elements = values.groupby("data_element").size().to_dict()
        if values.empty:
            return report
        written = store_imports.write_values(conn, values, actor=actor, batch=batch, locked=_locked)
    report.inserted, report.updated = written.inserted, written.updated
    report.unchanged = written.unchanged
    return report


def _locked(message: str) -> VoiceError:
    return VoiceError(message, field="period")
