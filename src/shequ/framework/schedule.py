"""The plan's calendar: which periods are collected, when their data are due, when the
scheduled evaluations run, and the thresholds of the early warnings (预警).

Data for a period are due ``expiry_days`` after the period ends (DHIS2's *expiry days*:
a monthly data set with 15 expiry days for March is due by the end of 15 April). A scheduled evaluation of a period runs ``days_after_due`` days after
the deadline day at ``hour`` o'clock (UTC, as every time the store keeps).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from .periods import Period, PeriodType

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class EvaluationJob(_Model):
    """One scheduled evaluation: every period of ``period_type``, after its data are due."""

    code: str = Field(pattern=CODE_PATTERN)
    period_type: PeriodType
    days_after_due: int = Field(default=1, ge=0)
    hour: int = Field(default=2, ge=0, le=23)
    level: str | None = None


class Schedule(_Model):
    """``schedule:`` of a plan (see docs/plan-format.md)."""

    collect: tuple[PeriodType, ...] = ("year",)
    expiry_days: int = Field(default=15, ge=0)
    evaluations: tuple[EvaluationJob, ...] = ()
    #: share (0–1) of a unit's reporting communities below which it gets a reporting warning
    completeness: float = Field(default=1.0, ge=0, le=1)
    #: reporting warnings start this many days before the deadline
    remind_days: int = Field(default=7, ge=0)
    #: hour (UTC) of the daily reporting check
    reporting_hour: int = Field(default=8, ge=0, le=23)
    #: days a proposed follow-up task (整改) is given
    follow_up_days: int = Field(default=90, ge=1)
    #: at most this many missed runs of one job are caught up after downtime
    catch_up: int = Field(default=4, ge=1)

    def due_date(self, period: Period) -> dt.date:
        """The last day on which data for ``period`` are on time."""
        return period.end + dt.timedelta(days=self.expiry_days)

    def evaluation_due(self, job: EvaluationJob, period: Period) -> dt.datetime:
        """When ``job`` evaluates ``period``."""
        day = self.due_date(period) + dt.timedelta(days=job.days_after_due)
        return dt.datetime.combine(day, dt.time(job.hour))

    def job(self, code: str) -> EvaluationJob:
        return {j.code: j for j in self.evaluations}[code]
