"""Diagnosis of one unit (诊断): which gaps matter most, who does better, what to do.

Gaps are ranked by how much closing each would raise the unit's overall score: the
indicator's weight in the overall score × (100 − its normalised score), in score points.
Peers are units of the same level and period in the same area (`peer_group`: under the unit
`PEER_AREA_DEPTH` levels up, e.g. a community's district) of similar size and density
(nearest in standardised log population and log population density) that score better on
that indicator, named with their values. The suggested action comes from the plan's rule table
(``actions:``): a rule for the indicator, else one for its dimension.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ..errors import EvaluationError
from ..framework.models import Plan
from ..store import orgunits
from .composite.run import CompositeResult

#: a unit is compared with the units of its level under the same unit this many levels up
#: (a community with its district's communities, a street with its city's streets): peers
#: that share a district's services and budget, and a bounded group at any scale (a community
#: of the whole country is compared with ~200 others, not 620 000)
PEER_AREA_DEPTH = 2


@dataclass
class Peer:
    org_unit: str
    name: str
    value: float


@dataclass
class Gap:
    indicator: str
    value: float | None
    target: float | None
    status: str
    score: float
    weight: float
    gain: float
    peers: list[Peer] = field(default_factory=list)
    action: str = ""
    action_en: str = ""
    tool: str | None = None


@dataclass
class Diagnosis:
    org_unit: str
    name: str
    level: str
    period: str
    scores: pd.DataFrame
    coordination: pd.Series
    gaps: list[Gap]


def diagnose(
    org_unit: str,
    results: pd.DataFrame,
    comp: CompositeResult,
    plan: Plan,
    *,
    profile: pd.DataFrame,
    max_gaps: int = 5,
    n_peers: int = 3,
    group: Collection[str] | None = None,
) -> Diagnosis:
    """Diagnose ``org_unit`` in the latest evaluated period (see the module docstring), with
    peers from ``group`` (`peer_group`; None: every unit of its level in ``results``)."""
    if group is not None:
        results = results[results["org_unit"].isin(set(group))]
    mine = results[results["org_unit"] == org_unit]
    if mine.empty:
        msg = f"评估结果中没有单位 {org_unit} / unit {org_unit} is not in the evaluation"
        raise EvaluationError(msg)
    period = mine["period"].max()
    level = mine["level"].iloc[0]
    peers = results[(results["period"] == period) & (results["level"] == level)]
    in_group = lambda f: f[(f["period"] == period) & (f["level"] == level)]  # noqa: E731
    scores = in_group(comp.scores)
    if org_unit not in set(scores["org_unit"]):
        raise EvaluationError(_not_scored(org_unit, period, comp.availability))
    gaps = _gaps(org_unit, peers, in_group(comp.indicator_scores), in_group(comp.weights), plan)
    neighbours = _neighbours(org_unit, in_group_profile(profile, period, peers))
    for gap in gaps[:max_gaps]:
        gap.peers = _better_peers(gap, neighbours, in_group(comp.indicator_scores), peers, n_peers)
        gap.action, gap.action_en, gap.tool = action_for(gap.indicator, plan)
    coordination = in_group(comp.coordination).set_index("org_unit").loc[org_unit]
    return Diagnosis(
        org_unit,
        str(mine["org_unit_name"].iloc[0]),
        level,
        period,
        scores[scores["org_unit"] == org_unit],
        coordination,
        gaps[:max_gaps],
    )


def peer_group(conn: Connection, org_unit: str, day: dt.date) -> set[str]:
    """The units a diagnosis of ``org_unit`` compares it with on ``day``: those of its level
    under its ancestor `PEER_AREA_DEPTH` levels up (every unit of its level when it has none).
    """
    level = orgunits.units_on(conn, day, codes=[org_unit])["level"]
    if level.empty:
        return set()
    area = orgunits.ancestor(conn, org_unit, day, PEER_AREA_DEPTH)
    return set(orgunits.units_on(conn, day, levels=[level.iloc[0]], under=area)["code"])


def _not_scored(org_unit: str, period: str, availability: pd.DataFrame) -> str:
    """Why ``org_unit`` has no composite score in ``period`` (the data threshold, if known)."""
    known = availability if "period" in availability else availability.iloc[0:0]
    mine = known[(known["org_unit"] == org_unit) & (known["period"] == period)]
    if len(mine) and isinstance(mine["reason_zh"].iloc[0], str):
        return (
            f"单位 {org_unit} 在 {period} 没有综合得分：{mine['reason_zh'].iloc[0]} / "
            f"unit {org_unit} has no composite score in {period}: {mine['reason_en'].iloc[0]}"
        )
    return (
        f"单位 {org_unit} 在 {period} 没有综合得分（同级单位不足或未评分）/ unit {org_unit} "
        f"has no composite score in {period} (too few peers, or not scored)"
    )


def in_group_profile(profile: pd.DataFrame, period: str, peers: pd.DataFrame) -> pd.DataFrame:
    units = set(peers["org_unit"])
    return profile[(profile["period"] == period) & profile["org_unit"].isin(units)]


def _gaps(
    org_unit: str,
    results: pd.DataFrame,
    indicator_scores: pd.DataFrame,
    weights: pd.DataFrame,
    plan: Plan,
) -> list[Gap]:
    score = indicator_scores[indicator_scores["org_unit"] == org_unit].set_index("indicator")[
        "score"
    ]
    weight = weights.drop_duplicates("indicator").set_index("indicator")["weight"]
    rows = results[results["org_unit"] == org_unit].set_index("indicator")
    gaps = []
    for code in weight.index:
        s = score.get(code, np.nan)
        if np.isnan(s) or s >= 100:
            continue
        row = rows.loc[code]
        gaps.append(
            Gap(
                code,
                _num(row["value"]),
                _num(row["target"]),
                row["status"],
                float(s),
                float(weight[code]),
                float(weight[code] * (100 - s)),
            )
        )
    return sorted(gaps, key=lambda g: -g.gain)


def _neighbours(org_unit: str, profile: pd.DataFrame) -> pd.Series:
    """Distance of every unit to ``org_unit`` in standardised (log size, log density)."""
    frame = profile.set_index("org_unit")
    with np.errstate(divide="ignore", invalid="ignore"):
        features = pd.DataFrame(
            {
                "size": np.log(frame["size"]),
                "density": np.log(frame["size"] / frame["area"]),
            }
        ).replace([np.inf, -np.inf], np.nan)
    spread = features.std(ddof=0).replace(0, 1)
    z = (features - features.mean()) / spread
    if org_unit not in z.index or z.loc[org_unit].isna().any():
        return pd.Series(dtype=float)
    distance = np.sqrt(((z - z.loc[org_unit]) ** 2).sum(axis=1, min_count=2))
    return distance.drop(org_unit).dropna().sort_values()


def _better_peers(
    gap: Gap, neighbours: pd.Series, indicator_scores: pd.DataFrame, results: pd.DataFrame, n: int
) -> list[Peer]:
    scores = indicator_scores[indicator_scores["indicator"] == gap.indicator].set_index("org_unit")[
        "score"
    ]
    rows = results[results["indicator"] == gap.indicator].set_index("org_unit")
    measured = set(rows.index[rows["value"].notna()])  # an imputed value is no example to follow
    better = [u for u in neighbours.index if u in measured and scores.get(u, -1) > gap.score]
    return [
        Peer(u, str(rows.loc[u, "org_unit_name"]), float(rows.loc[u, "value"])) for u in better[:n]
    ]


def action_for(indicator: str, plan: Plan) -> tuple[str, str, str | None]:
    """The plan's action for ``indicator``: its own rule, else its dimension's (zh, en, tool)."""
    dimension = plan.indicator(indicator).dimension
    for rule in sorted(plan.actions, key=lambda r: r.indicator is None):
        if rule.indicator == indicator or (rule.indicator is None and rule.dimension == dimension):
            return rule.action, rule.action_en, rule.tool
    return "", "", None


def _num(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
