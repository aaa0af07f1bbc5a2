"""Plan settings of residents' voice (the plan YAML's ``voice:`` section).

* ``deadlines``: working days allowed per workflow stage (respond, resolve), counted from
  the day after a suggestion is received;
* ``holidays``, ``adjusted_workdays`` (调休), ``calendar_years`` and ``official_calendar``:
  what the plan adds to, or overrides in, the State Council's calendar of days off and
  adjusted working days (``chinesecalendar``, see `shequ.voice.workdays`): a listed holiday is
  a day off, a listed adjusted working day is worked, and a year in ``calendar_years`` is one
  whose days the plan lists in full (a year the official calendar does not know yet);
* ``taxonomy``: categories of suggestions, each in one of the plan's dimensions, with the
  keywords that classify a text before any model has been trained;
* ``satisfied_ratings`` and ``min_responses``: what counts as satisfied on a 1–5 scale, and
  under how many answers a unit's survey rate is flagged as too uncertain to compare.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Category(_Model):
    """One suggestion category (楼道照明, 养老, 消防 ...) with its keyword rules."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_en: str
    dimension: str
    keywords: tuple[str, ...] = ()


class Deadlines(_Model):
    """Working days allowed for each stage, from the day after receipt."""

    respond: int = Field(default=2, ge=0)
    resolve: int = Field(default=15, ge=0)


class VoiceSettings(_Model):
    deadlines: Deadlines = Deadlines()
    holidays: tuple[dt.date, ...] = ()
    adjusted_workdays: tuple[dt.date, ...] = ()
    calendar_years: tuple[Annotated[int, Field(ge=1949, le=2200)], ...] = ()
    official_calendar: bool = True
    satisfied_ratings: tuple[int, ...] = (4, 5)
    min_responses: int = Field(default=30, ge=1)
    taxonomy: tuple[Category, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> VoiceSettings:
        codes = [c.code for c in self.taxonomy]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            msg = f"类别编码重复：{repeated} / category codes repeated: {repeated}"
            raise ValueError(msg)
        both = sorted(set(self.holidays) & set(self.adjusted_workdays))
        if both:
            days = ", ".join(d.isoformat() for d in both)
            msg = (
                f"日期同时列为节假日和调休上班日：{days} / dates listed both as holidays and as "
                f"adjusted working days: {days}"
            )
            raise ValueError(msg)
        return self

    def category(self, code: str) -> Category:
        return {c.code: c for c in self.taxonomy}[code]
