"""Composite scores (综合评价): from indicator values to dimension and overall scores, ranks
with intervals, TOPSIS, and the coupling coordination of the five dimensions.

Units are compared with the units of the same level in the same period (communities with
communities, streets with streets); a level with a single unit (the city) is not scored,
since distance-to-target scores are scaled between the worst peer and the target. The
pipeline for each such group:

1. the decision matrix: one row per unit, one column per composite indicator; a
   ``reduce_by`` indicator enters as the reduction achieved against the unit's baseline
   (per cent, higher is better), so that every unit is measured against its own past;
2. the data threshold (`availability`): a dimension with too few values (none at all, say)
   is left out with the reason and the other dimensions' weights renormalised; a unit
   reporting too few of the kept indicators is not scored, its share and reason kept;
3. missing values imputed as the plan says (peer median: the median of the units with the
   same parent, else of the whole level; last period: the unit's latest earlier value), each
   imputation listed in `CompositeResult.imputed` — never a silent zero; with ``none`` the
   weights of the indicators a unit lacks are spread over those it has;
4. normalised to 0–100 (`normalise`), weighted within each dimension and across dimensions
   (`weights`), aggregated (`aggregate`); two-level arithmetic or geometric aggregation
   equals one-level aggregation with the product weights, which `sensitivity` relies on;
5. the Monte Carlo of `sensitivity` gives every rank a median and a 90 % interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...framework.levels import LEVEL_ORDER
from ...framework.models import Indicator, Plan
from ...framework.scoring import CompositeSettings
from . import aggregate, availability, coordination, normalise, weights
from .matrix import DecisionMatrix, decision_matrix
from .sensitivity import rank_intervals

OVERALL = "overall"
MIN_UNITS = 2  # a level with one unit (the city) has no peers to be scored against
# The worst peer scores 0 on distance-to-target; in the coupling degree (a product) one zero
# would make every such unit "extreme imbalance" whatever its other dimensions, so scores
# enter the coupling floored at 1 (of 100), as in the geometric mean.
COUPLING_FLOOR = 1.0


@dataclass
class CompositeResult:
    """Scores, ranks, coordination, weights and imputations of one composite evaluation."""

    scores: pd.DataFrame
    coordination: pd.DataFrame
    weights: pd.DataFrame
    imputed: pd.DataFrame
    indicator_scores: pd.DataFrame
    sensitivity: pd.DataFrame
    settings: CompositeSettings = field(default_factory=CompositeSettings)
    # data availability: dimensions left out, and every unit's data and imputation share
    left_out: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=availability.DIMENSION_COLUMNS)
    )
    availability: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=availability.UNIT_COLUMNS)
    )


def composite(
    results: pd.DataFrame,
    plan: Plan,
    *,
    history: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    levels: list[str] | None = None,
    sensitivity: bool = True,
) -> CompositeResult:
    """Score every unit of the evaluated periods (or of ``levels``) as the plan configures.

    ``results`` are `Evaluation.results`; ``history`` and ``units`` (parents, for the peer
    median) come from the same `Evaluation`. Cost: per level and period, a few passes over
    a units × indicators matrix, plus the Monte Carlo (draws × units ranks).
    """
    indicators = list(plan.composite_indicators())
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in _PARTS}
    chosen = levels or sorted(set(results["level"]), key=LEVEL_ORDER.get)
    for (period, level), frame in results.groupby(["period", "level"], sort=False):
        if level not in chosen or frame["org_unit"].nunique() < MIN_UNITS:
            continue
        matrix = decision_matrix(frame, indicators, history=history, units=units)
        group = _screened_group(matrix, plan, indicators, sensitivity)
        for key, part in group.items():
            parts[key].append(part.assign(period=period, level=level))
    out = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in parts.items()}
    return CompositeResult(**out, settings=plan.composite)


_PARTS = (
    "scores",
    "coordination",
    "weights",
    "imputed",
    "indicator_scores",
    "sensitivity",
    "left_out",
    "availability",
)


def _screened_group(
    m: DecisionMatrix, plan: Plan, indicators: list[Indicator], with_sensitivity: bool
) -> dict[str, pd.DataFrame]:
    """Score the units and dimensions that pass the data threshold; report the others."""
    dim_of = np.array([i.dimension for i in indicators])
    kept = availability.screen(m, plan, dim_of, plan.composite.imputation)
    found = {"left_out": kept.left_out, "availability": kept.units}
    if kept.rows.sum() < MIN_UNITS:
        return found
    chosen = [i for i, keep in zip(indicators, kept.columns, strict=True) if keep]
    return {
        **_score_group(m.take(kept.rows, kept.columns), plan, chosen, with_sensitivity),
        **found,
    }


def check_settings(plan: Plan) -> None:
    """Refuse settings that cannot score before anything runs (e.g. inconsistent AHP
    judgements raise `weights.AHPConsistencyError` naming the worst pairs)."""
    settings = plan.composite
    if settings.ahp is not None and settings.dimension_weighting in ("ahp", "combined"):
        weights.ahp(np.array(settings.ahp.matrix), labels=list(settings.ahp.items))


def _score_group(
    m: DecisionMatrix, plan: Plan, indicators: list[Indicator], with_sensitivity: bool
) -> dict[str, pd.DataFrame]:
    settings = plan.composite
    dims = [d.code for d in plan.dimensions if any(i.dimension == d.code for i in indicators)]
    dim_of = np.array([i.dimension for i in indicators])
    scores = _normalised(m, settings.normalisation, settings.imputation)
    within = _within_weights(scores, indicators, dim_of, dims, plan)
    dim_scores = _dimension_scores(scores, within, dim_of, dims, settings.aggregation)
    dim_weights = _dimension_weights(dim_scores, dims, plan)
    flat = _flatten(within, dim_weights, dim_of, dims)
    overall = _aggregate(scores, flat, settings.aggregation)
    table = _score_table(m, dims, dim_scores, overall)
    closeness = aggregate.topsis(
        np.nan_to_num(m.values(settings.imputation), nan=0.0),
        flat,
        higher_is_better=m.higher_is_better,
    )
    overall_rows = table["dimension"] == OVERALL
    table.loc[overall_rows, "topsis"] = closeness
    table.loc[overall_rows, "topsis_rank"] = aggregate.ranks(closeness)
    sens = pd.DataFrame()
    if with_sensitivity and len(m.units) > 1:
        intervals, sens = rank_intervals(m, flat, settings)
        table = table.merge(intervals, on=["org_unit", "dimension"], how="left")
    coupling = coordination.coupling_coordination(np.maximum(dim_scores, COUPLING_FLOOR) / 100.0)
    return {
        "scores": table,
        "coordination": _coordination_table(m, coupling),
        "weights": _weights_table(indicators, within, dim_weights, dims, flat),
        "imputed": m.imputed(settings.imputation),
        "indicator_scores": _indicator_table(m, indicators, scores),
        "sensitivity": sens,
    }


def _normalised(m: DecisionMatrix, method: str, imputation: str) -> np.ndarray:
    return normalise.normalise(
        m.values(imputation),
        method=method,
        higher_is_better=m.higher_is_better,
        targets=m.targets,
    )


def _within_weights(
    scores: np.ndarray,
    indicators: list[Indicator],
    dim_of: np.ndarray,
    dims: list[str],
    plan: Plan,
) -> np.ndarray:
    settings = plan.composite
    out = np.zeros(len(indicators))
    for dim in dims:
        cols = np.flatnonzero(dim_of == dim)
        if settings.indicator_weighting == "expert" and settings.indicator_weights:
            values = [settings.indicator_weights.get(indicators[c].code, 0.0) for c in cols]
            out[cols] = weights.expert(values)
        elif settings.indicator_weighting == "entropy" and len(cols) > 1:
            out[cols] = weights.entropy(scores[:, cols])
        else:
            out[cols] = weights.equal(len(cols))
    return out


def _dimension_scores(
    scores: np.ndarray, within: np.ndarray, dim_of: np.ndarray, dims: list[str], how: str
) -> np.ndarray:
    out = np.full((scores.shape[0], len(dims)), np.nan)
    for k, dim in enumerate(dims):
        cols = np.flatnonzero(dim_of == dim)
        out[:, k] = _aggregate(scores[:, cols], within[cols], how)
    return out


def _aggregate(scores: np.ndarray, w: np.ndarray, how: str) -> np.ndarray:
    """Aggregate rows that may lack values: their weights are spread over what they have."""
    present = ~np.isnan(scores)
    out = np.full(scores.shape[0], np.nan)
    for pattern in np.unique(present, axis=0):
        rows = (present == pattern).all(axis=1)
        if not pattern.any() or w[pattern].sum() == 0:
            continue
        part = w[pattern] / w[pattern].sum()
        out[rows] = aggregate.AGGREGATORS[how](scores[np.ix_(rows, pattern)], part)
    return out


def _dimension_weights(dim_scores: np.ndarray, dims: list[str], plan: Plan) -> np.ndarray:
    settings = plan.composite
    method = settings.dimension_weighting
    if method == "equal":
        return weights.equal(len(dims))
    if method == "expert":
        return weights.expert([settings.dimension_weights.get(d, 0.0) for d in dims])
    objective = weights.entropy(dim_scores)
    if method == "entropy":
        return objective
    subjective = _ahp_weights(dims, plan)
    if method == "ahp":
        return subjective
    return weights.combine(subjective, objective, alpha=settings.combine_alpha)


def _ahp_weights(dims: list[str], plan: Plan) -> np.ndarray:
    judgements = plan.composite.ahp
    assert judgements is not None  # the loader insists on it
    result = weights.ahp(np.array(judgements.matrix), labels=list(judgements.items))
    by_item = dict(zip(judgements.items, result.weights, strict=True))
    chosen = np.array([by_item.get(d, 0.0) for d in dims])
    return chosen / chosen.sum()


def _flatten(
    within: np.ndarray, dim_weights: np.ndarray, dim_of: np.ndarray, dims: list[str]
) -> np.ndarray:
    index = {d: k for k, d in enumerate(dims)}
    return within * np.array([dim_weights[index[d]] for d in dim_of])


def _score_table(
    m: DecisionMatrix, dims: list[str], dim_scores: np.ndarray, overall: np.ndarray
) -> pd.DataFrame:
    frames = []
    for k, dim in enumerate([*dims, OVERALL]):
        values = overall if dim == OVERALL else dim_scores[:, k]
        frames.append(
            pd.DataFrame(
                {
                    "org_unit": m.units,
                    "org_unit_name": m.names,
                    "dimension": dim,
                    "score": values,
                    "rank": aggregate.ranks(values),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _coordination_table(m: DecisionMatrix, coupling: coordination.CouplingResult) -> pd.DataFrame:
    names = {code: (zh, en) for code, _, zh, en in coordination.COORDINATION_CLASSES}
    classes = list(coupling.classes)
    return pd.DataFrame(
        {
            "org_unit": m.units,
            "org_unit_name": m.names,
            "coupling": coupling.c,
            "development": coupling.t,
            "coordination": coupling.d,
            "class": classes,
            "class_zh": [names[c][0] if c else None for c in classes],
            "class_en": [names[c][1] if c else None for c in classes],
        }
    )


def _weights_table(
    indicators: list[Indicator],
    within: np.ndarray,
    dim_weights: np.ndarray,
    dims: list[str],
    flat: np.ndarray,
) -> pd.DataFrame:
    index = {d: k for k, d in enumerate(dims)}
    return pd.DataFrame(
        {
            "indicator": [i.code for i in indicators],
            "dimension": [i.dimension for i in indicators],
            "weight_in_dimension": within,
            "dimension_weight": [dim_weights[index[i.dimension]] for i in indicators],
            "weight": flat,
        }
    )


def _indicator_table(
    m: DecisionMatrix, indicators: list[Indicator], scores: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame(scores, columns=[i.code for i in indicators])
    frame["org_unit"] = m.units
    return frame.melt(id_vars="org_unit", var_name="indicator", value_name="score")
