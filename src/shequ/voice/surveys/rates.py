"""Survey rates with 95 % confidence intervals, per unit and period.

The rate of a question is the share of answers in its satisfied levels (4–5 of 5 by
default). Intervals:

* **Wilson score interval** for a simple random sample (Wilson 1927; Newcombe 1998,
  method 3): it stays inside [0, 1] and keeps close to 95 % coverage for small n and rates
  near 100 %, where the normal (Wald) interval fails; Agresti & Coull (1998) recommend it.
* **Weighted**: when responses carry design weights, the rate is Σwy/Σw and the Wilson
  interval uses Kish's effective sample size n_eff = (Σw)² / Σw² in place of n (unequal
  weights cost precision: n_eff ≤ n).

A unit with fewer than ``voice.min_responses`` answers (30 by default) is flagged: with 30
answers the 95 % interval around a rate of 90 % is already about ±11 points wide (Wilson:
74.4 %–96.5 %), too wide to tell whether a 90 % or 92 % target is met.

Sums roll up the tree (answers, satisfied, Σw, Σwy, Σw²), so a street's rate is the ratio
of its communities' sums and its n_eff comes from all its responses.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from ...framework.models import Plan
from ...framework.periods import parse_period
from ...store.orgunits import subtree_sums
from ...store.tables.voice import SurveyInstrument, SurveyResponse

Z95 = 1.959963984540054
#: survey questions that feed the default plan's data elements: (satisfied, answered)
FEEDS = {
    "culture_satisfaction": ("culture_satisfied", "culture_answered"),
    "safety_feeling": ("feel_safe", "safety_answered"),
}
SUMS = ["answered", "satisfied", "sw", "swy", "sw2"]


def wilson_interval(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (n may be an effective n)."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def kish_effective_n(weights: np.ndarray) -> float:
    """(Σw)² / Σw²: the sample size an unweighted sample of equal precision would have."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if len(w) else 0.0


def weighted_rate(
    satisfied: np.ndarray, weights: np.ndarray, z: float = Z95
) -> tuple[float, float, float, float]:
    """(rate, low, high, n_eff) of 0/1 ``satisfied`` under design ``weights``."""
    y, w = np.asarray(satisfied, dtype=float), np.asarray(weights, dtype=float)
    n_eff = kish_effective_n(w)
    p = float((w * y).sum() / w.sum())
    low, high = wilson_interval(p * n_eff, n_eff, z)
    return p, low, high, n_eff


def answers(
    conn: Connection,
    period: str,
    question: str,
    *,
    instrument: str = "resident_satisfaction",
    satisfied_levels: tuple[int, ...] = (4, 5),
) -> pd.DataFrame:
    """One row per response answering ``question``: org_unit, weight, satisfied (0/1)."""
    query = (
        select(SurveyResponse.org_unit, SurveyResponse.weight, SurveyResponse.answers)
        .join(SurveyInstrument, SurveyInstrument.id == SurveyResponse.instrument_id)
        .where(SurveyResponse.period == period, SurveyInstrument.code == instrument)
    )
    rows = pd.read_sql(query, conn)
    values = rows["answers"].map(lambda a: json.loads(a).get(question))
    rows = rows[values.notna()].assign(value=values[values.notna()])
    levels = {str(v) for v in satisfied_levels}
    return pd.DataFrame(
        {
            "org_unit": rows["org_unit"],
            "weight": rows["weight"],
            "satisfied": rows["value"].map(lambda v: int(str(v) in levels)),
        }
    ).reset_index(drop=True)


def community_sums(frame: pd.DataFrame) -> pd.DataFrame:
    w = pd.to_numeric(frame["weight"], errors="coerce").fillna(1.0)
    parts = frame.assign(answered=1, sw=w, swy=w * frame["satisfied"], sw2=w * w)
    return parts.groupby("org_unit", as_index=False)[SUMS].sum()


def survey_rates(
    conn: Connection,
    period: str,
    question: str,
    plan: Plan,
    *,
    level: str | None = None,
    instrument: str = "resident_satisfaction",
    z: float = Z95,
) -> pd.DataFrame:
    """Rate (%), 95 % interval and warning per unit for ``question`` in ``period``.

    Columns: unit, level, name, answered, satisfied, rate, low, high, weighted, n_eff,
    warning (text in Chinese / English, empty when the unit has enough answers).
    """
    frame = answers(
        conn, period, question, instrument=instrument, satisfied_levels=plan.voice.satisfied_ratings
    )
    weighted = bool(frame["weight"].notna().any())
    out = subtree_sums(conn, community_sums(frame), parse_period(period).end, SUMS)
    if level:
        out = out[out["level"] == level]
    out = out.reset_index(drop=True)
    n_eff = out["sw"] ** 2 / out["sw2"] if weighted else out["answered"].astype(float)
    rate = out["swy"] / out["sw"] if weighted else out["satisfied"] / out["answered"]
    bounds = [wilson_interval(p * n, n, z) for p, n in zip(rate, n_eff, strict=True)]
    minimum = plan.voice.min_responses
    warning = out["answered"].map(
        lambda n: (
            ""
            if n >= minimum
            else f"答卷仅{n}份（少于{minimum}份），区间过宽，不宜与目标比较 / only {n} answers (< {minimum}): "
            "the interval is too wide to compare with a target"
        )
    )
    return out.assign(
        rate=100 * rate,
        low=[100 * b[0] for b in bounds],
        high=[100 * b[1] for b in bounds],
        weighted=weighted,
        n_eff=n_eff,
        warning=warning,
    )[
        [
            "unit",
            "level",
            "name",
            "answered",
            "satisfied",
            "rate",
            "low",
            "high",
            "weighted",
            "n_eff",
            "warning",
        ]
    ]
