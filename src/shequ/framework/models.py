"""Pydantic models of a plan: dimensions, data elements, indicators, targets.

A `Plan` is what the YAML files in ``plans/`` describe. Models check each object on its
own; cross-references (an indicator's dimension, a target's indicator, the data elements
an expression reads) are checked by `Plan` after all objects are read.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .expressions import Expression, parse_expression
from .periods import parse_period
from .schedule import Schedule
from .scoring import ActionRule, CompositeSettings
from .validation import OutlierSettings, ValidationRule
from .voice import VoiceSettings

Comparator = Literal[">=", ">", "<=", "<", "reduce_by"]
Direction = Literal["higher", "lower"]
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Dimension(_Model):
    """One of the outline's five dimensions (基础设施, 公共服务, ...)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str


class DataElement(_Model):
    """A raw figure collected per org unit and period, e.g. resident population."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str
    unit: str = ""
    unit_en: str = ""
    value_type: Literal["integer", "number"] = "number"
    min_value: float | None = 0.0
    max_value: float | None = None
    description: str = ""


class Indicator(_Model):
    """A measure computed as factor × Σ numerator / Σ denominator over reporting units.

    Without a denominator the indicator is factor × Σ numerator (a count). With
    ``accumulate_from`` the numerator and denominator sum every period of the same type
    from that year through the evaluated one (e.g. centres opened in the plan period).
    """

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str
    dimension: str
    numerator: str
    denominator: str | None = None
    factor: float = 1.0
    unit: str = ""
    unit_en: str = ""
    direction: Direction = "higher"
    decimals: int = Field(default=1, ge=0, le=6)
    definition: str
    definition_en: str
    accumulate_from: int | None = None

    @field_validator("numerator", "denominator")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_expression(value)
        return value

    @property
    def numerator_expr(self) -> Expression:
        return parse_expression(self.numerator)

    @property
    def denominator_expr(self) -> Expression | None:
        return None if self.denominator is None else parse_expression(self.denominator)

    @property
    def elements(self) -> tuple[str, ...]:
        names = list(self.numerator_expr.elements)
        if self.denominator_expr is not None:
            names += self.denominator_expr.elements
        return tuple(dict.fromkeys(names))


class FacilityType(_Model):
    """A kind of public facility for coverage and siting, beyond the built-in ones
    (service_centre, culture_centre, sports_facility, clinic, elderly_care, kindergarten)."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str
    name_en: str
    radius_m: float = Field(default=500.0, gt=0)


class Target(_Model):
    """An aim for one indicator in a target period, plan-wide or for an org-unit subtree.

    ``reduce_by`` means: the period's value must be at most (100 − value) % of the same
    unit's value in ``baseline_period`` (降低30% → value 30, met when ≤ 0.7 × baseline).
    ``level`` limits a target to units of one level (a city's "10 new centres" is not a
    target for each community).
    """

    indicator: str
    comparator: Comparator
    value: float
    period: str
    baseline_period: str | None = None
    scope: str | None = None
    level: str | None = None
    source: str = ""

    @field_validator("period", "baseline_period", mode="before")
    @classmethod
    def _period(cls, value: object) -> str | None:
        return None if value is None else parse_period(value).code

    @field_validator("scope", mode="before")
    @classmethod
    def _scope(cls, value: object) -> str | None:
        return None if value is None else str(value)

    @model_validator(mode="after")
    def _baseline(self) -> Target:
        if self.comparator == "reduce_by" and self.baseline_period is None:
            msg = "reduce_by 目标需要 baseline_period / a reduce_by target needs baseline_period"
            raise ValueError(msg)
        if self.comparator == "reduce_by" and not 0 < self.value <= 100:
            msg = "reduce_by 的值应在 0–100 之间 / reduce_by value must be in (0, 100]"
            raise ValueError(msg)
        return self


class Plan(_Model):
    """A whole indicator framework with its targets; see ``plans/national.yaml``."""

    code: str
    name: str
    name_en: str
    version: str = "1"
    description: str = ""
    dimensions: tuple[Dimension, ...]
    data_elements: tuple[DataElement, ...]
    indicators: tuple[Indicator, ...]
    targets: tuple[Target, ...] = ()
    composite: CompositeSettings = CompositeSettings()
    actions: tuple[ActionRule, ...] = ()
    facility_types: tuple[FacilityType, ...] = ()
    voice: VoiceSettings = VoiceSettings()
    validation_rules: tuple[ValidationRule, ...] = ()
    outliers: OutlierSettings = OutlierSettings()
    schedule: Schedule = Schedule()

    def composite_indicators(self) -> tuple[Indicator, ...]:
        """Indicators that enter the composite score (default: those with a target)."""
        chosen = self.composite.indicators
        if chosen is None:
            targeted = {t.indicator for t in self.targets}
            return tuple(i for i in self.indicators if i.code in targeted)
        return tuple(self.indicator(code) for code in chosen)

    def dimension(self, code: str) -> Dimension:
        return {d.code: d for d in self.dimensions}[code]

    def data_element(self, code: str) -> DataElement:
        return {d.code: d for d in self.data_elements}[code]

    def indicator(self, code: str) -> Indicator:
        return {i.code: i for i in self.indicators}[code]

    def element_by_name(self) -> dict[str, DataElement]:
        """Data elements by code, Chinese name and English name (for import headers)."""
        out: dict[str, DataElement] = {}
        for element in self.data_elements:
            for key in (element.code, element.name, element.name_en):
                out[key.strip().lower()] = element
        return out
