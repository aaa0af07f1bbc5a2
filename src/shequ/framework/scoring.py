"""Plan settings for the composite evaluation (综合评价) and the diagnosis rule table.

They live in the plan YAML under ``composite:`` and ``actions:``; see
``docs/plan-format.md``. Defaults: distance-to-target normalisation, equal weights,
weighted arithmetic mean, missing values imputed with the peer median.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Normalisation = Literal["target", "minmax", "zscore"]
Aggregation = Literal["arithmetic", "geometric"]
Imputation = Literal["none", "peer_median", "last_period"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Judgements(_Model):
    """An AHP pairwise comparison matrix over ``items`` (dimension codes), Saaty's 1–9 scale.

    Entries may be written as numbers or fractions (``1/3``).
    """

    items: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]

    @field_validator("matrix", mode="before")
    @classmethod
    def _fractions(cls, rows: object) -> object:
        if not isinstance(rows, list | tuple):
            return rows
        return [
            [float(Fraction(str(v))) if isinstance(v, str) else v for v in row]
            if isinstance(row, list | tuple)
            else row
            for row in rows
        ]


class SensitivitySettings(_Model):
    """The Monte Carlo over the method choices that gives every rank its interval."""

    draws: int = Field(default=1000, ge=10, le=100_000)
    weight_concentration: float = Field(default=50.0, gt=0)
    normalisations: tuple[Normalisation, ...] = ("target", "minmax", "zscore")
    aggregations: tuple[Aggregation, ...] = ("arithmetic", "geometric")
    imputations: tuple[Imputation, ...] = ("peer_median", "last_period")
    seed: int = 2025


class CompositeSettings(_Model):
    """How indicator values become dimension scores and an overall score."""

    indicators: tuple[str, ...] | None = None
    normalisation: Normalisation = "target"
    indicator_weighting: Literal["equal", "expert", "entropy"] = "equal"
    indicator_weights: dict[str, float] = Field(default_factory=dict)
    dimension_weighting: Literal["equal", "expert", "ahp", "entropy", "combined"] = "equal"
    dimension_weights: dict[str, float] = Field(default_factory=dict)
    ahp: Judgements | None = None
    combine_alpha: float = Field(default=0.5, ge=0, le=1)
    aggregation: Aggregation = "arithmetic"
    imputation: Imputation = "peer_median"
    # COINr's dat_thresh: a dimension, or a unit, with a smaller share of values present is
    # left out (with the reason) rather than imputed; see evaluate/composite/availability.py
    data_threshold: float = Field(default=2 / 3, ge=0, le=1)
    sensitivity: SensitivitySettings = SensitivitySettings()
    peer_size: str = "resident_population"
    peer_area: str = "land_area_m2"


class ActionRule(_Model):
    """A suggested action for a gap on an indicator (or any indicator of a dimension)."""

    indicator: str | None = None
    dimension: str | None = None
    action: str
    action_en: str
    tool: str | None = None
