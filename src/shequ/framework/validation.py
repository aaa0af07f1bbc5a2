"""Validation rules and outlier settings of a plan, as DHIS2 has them.

A validation rule compares two expressions over data elements of one org unit and period
(``left_side  operator  right_side``), e.g. ``adult_population <= resident_population``.
Operators are DHIS2's: ``== != < <= > >=`` and ``compulsory_pair`` (both sides have data
or neither has) and ``exclusive_pair`` (never both). ``missing_value_strategy`` says when a
rule is skipped because data is missing, as in DHIS2: ``skip_if_any_value_missing``
(default), ``skip_if_all_values_missing`` (a missing element counts 0 when at least one is
present), ``never_skip``. ``importance: high`` means must fix: a period is not approved
while such a rule is violated (`shequ.store.validation`).

Outlier settings name the thresholds of the z-score and the modified z-score (median and
MAD, Iglewicz & Hoaglin) against a unit's own history and against its peers, and fixed
minimum–maximum bounds per unit (`shequ.framework.rules` computes them).
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .expressions import Expression, parse_expression

Operator = Literal["==", "!=", "<", "<=", ">", ">=", "compulsory_pair", "exclusive_pair"]
Importance = Literal["high", "medium", "low"]
MissingValueStrategy = Literal[
    "skip_if_any_value_missing", "skip_if_all_values_missing", "never_skip"
]
OutlierMethod = Literal["history_z", "history_modified_z", "peer_z", "peer_modified_z"]
# DHIS2's operator names, accepted as written in a DHIS2 export
DHIS2_OPERATORS = {
    "equal_to": "==",
    "not_equal_to": "!=",
    "less_than": "<",
    "less_than_or_equal_to": "<=",
    "greater_than": ">",
    "greater_than_or_equal_to": ">=",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ValidationRule(_Model):
    """``left_side operator right_side`` for every org unit and period that has the data."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    left_side: str
    operator: Operator
    right_side: str
    importance: Importance = "medium"
    message: str
    message_en: str
    missing_value_strategy: MissingValueStrategy = "skip_if_any_value_missing"

    @field_validator("operator", mode="before")
    @classmethod
    def _dhis2_name(cls, value: object) -> object:
        return DHIS2_OPERATORS.get(str(value).strip().lower(), value)

    @field_validator("left_side", "right_side")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_expression(value)
        return value

    @cached_property
    def left_expr(self) -> Expression:
        return parse_expression(self.left_side)

    @cached_property
    def right_expr(self) -> Expression:
        return parse_expression(self.right_side)

    @cached_property
    def elements(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.left_expr.elements, *self.right_expr.elements)))


class UnitBounds(_Model):
    """Fixed minimum and maximum of one data element for one org unit."""

    org_unit: str
    data_element: str
    min: float | None = None
    max: float | None = None

    @field_validator("org_unit", mode="before")
    @classmethod
    def _code(cls, value: object) -> str:
        return str(value)


class OutlierSettings(_Model):
    """Thresholds of the outlier checks; a value beyond them is listed, never refused.

    ``min_values`` is the fewest comparison values (other periods of the unit, or other
    units with the same parent) a z-score needs; ``data_elements`` limits the checks
    (default: every data element).
    """

    methods: tuple[OutlierMethod, ...] = ("history_z", "history_modified_z", "peer_modified_z")
    z_score: float = Field(default=3.0, gt=0)
    modified_z_score: float = Field(default=3.5, gt=0)
    min_values: int = Field(default=4, ge=2)
    importance: Importance = "low"
    data_elements: tuple[str, ...] | None = None
    bounds: tuple[UnitBounds, ...] = ()
