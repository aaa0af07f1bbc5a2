"""The decision matrix of one level and period: raw indicator values, directions, targets,
and the imputation of missing values (recorded, never silent)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...framework.models import Indicator


@dataclass
class DecisionMatrix:
    """Units × composite indicators, as the composite evaluation sees them.

    ``raw`` holds the indicator values, except that an indicator with a ``reduce_by``
    target holds the reduction achieved against the unit's baseline in per cent (higher is
    better), with the required reduction as its target.
    """

    units: np.ndarray
    names: np.ndarray
    indicators: list[str]
    raw: np.ndarray
    higher_is_better: np.ndarray
    targets: np.ndarray
    peer_fill: np.ndarray
    peer_how: np.ndarray
    last_fill: np.ndarray
    _cache: dict[str, tuple[np.ndarray, pd.DataFrame]] = field(default_factory=dict)

    def take(self, rows: np.ndarray, columns: np.ndarray) -> DecisionMatrix:
        """The matrix of the chosen units (``rows``) and indicators (``columns``), boolean masks."""
        grid = np.ix_(rows, columns)
        return DecisionMatrix(
            self.units[rows],
            self.names[rows],
            [c for c, keep in zip(self.indicators, columns, strict=True) if keep],
            self.raw[grid],
            self.higher_is_better[columns],
            self.targets[columns],
            self.peer_fill[grid],
            self.peer_how[grid],
            self.last_fill[grid],
        )

    def values(self, imputation: str) -> np.ndarray:
        """The matrix with missing cells imputed by ``imputation`` (none, peer_median, last_period)."""
        return self._imputed(imputation)[0]

    def imputed(self, imputation: str) -> pd.DataFrame:
        """One row per imputed cell: org_unit, indicator, method, value."""
        return self._imputed(imputation)[1]

    def _imputed(self, imputation: str) -> tuple[np.ndarray, pd.DataFrame]:
        if imputation not in self._cache:
            self._cache[imputation] = self._impute(imputation)
        return self._cache[imputation]

    def _impute(self, imputation: str) -> tuple[np.ndarray, pd.DataFrame]:
        missing = np.isnan(self.raw)
        rows, cols = np.nonzero(missing)
        if imputation == "none":
            how = np.full(len(rows), "none")
            return self.raw, self._log(rows, cols, how, np.full(len(rows), np.nan))
        fill, how = self.peer_fill.copy(), self.peer_how.copy()
        if imputation == "last_period":
            has_last = ~np.isnan(self.last_fill)
            fill[has_last] = self.last_fill[has_last]
            how[has_last] = "last_period"
        out = np.where(missing, fill, self.raw)
        return out, self._log(rows, cols, how[rows, cols], fill[rows, cols])

    def _log(
        self, rows: np.ndarray, cols: np.ndarray, how: np.ndarray, value: np.ndarray
    ) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "org_unit": self.units[rows],
                "indicator": np.array(self.indicators, dtype=object)[cols],
                "method": how,
                "value": value,
            }
        )


def decision_matrix(
    frame: pd.DataFrame,
    indicators: list[Indicator],
    *,
    history: pd.DataFrame | None,
    units: pd.DataFrame | None,
) -> DecisionMatrix:
    """Build the matrix of one level and period from `Evaluation.results` rows."""
    codes = [i.code for i in indicators]
    rows = frame[frame["indicator"].isin(codes)]
    wide = rows.pivot_table(index="org_unit", columns="indicator", values="value", dropna=False)
    wide = wide.reindex(columns=codes)
    order = wide.index.to_numpy()
    names = rows.drop_duplicates("org_unit").set_index("org_unit")["org_unit_name"].reindex(order)
    raw = wide.to_numpy(dtype=float)
    higher = np.array([i.direction == "higher" for i in indicators])
    targets = np.full(len(codes), np.nan)
    baselines = _baselines(rows, codes, order)
    for j, ind in enumerate(indicators):
        mine = rows[rows["indicator"] == ind.code]
        if (mine["comparator"] == "reduce_by").any():
            raw[:, j] = _reduction(raw[:, j], baselines[:, j])
            required = (1 - mine["target"] / mine["baseline_value"]) * 100
            targets[j] = _mode(required.round(6))
            higher[j] = True
        else:
            targets[j] = _mode(mine["target"])
    period = frame["period"].iloc[0]
    peer_fill, peer_how = _peer_median(raw, order, units, period)
    last = _last_values(
        history, codes, order, period, baselines, reduce=~np.isnan(baselines).all(axis=0)
    )
    return DecisionMatrix(
        order, names.to_numpy(), codes, raw, higher, targets, peer_fill, peer_how, last
    )


def _baselines(rows: pd.DataFrame, codes: list[str], order: np.ndarray) -> np.ndarray:
    base = rows[rows["comparator"] == "reduce_by"].pivot_table(
        index="org_unit", columns="indicator", values="baseline_value", dropna=False
    )
    return base.reindex(index=order, columns=codes).to_numpy(dtype=float)


def _reduction(values: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(baseline > 0, (baseline - values) / baseline * 100, np.nan)


def _mode(series: pd.Series) -> float:
    values = series.dropna()
    return float(values.mode().iloc[0]) if len(values) else np.nan


def _peer_median(
    raw: np.ndarray, order: np.ndarray, units: pd.DataFrame | None, period: str
) -> tuple[np.ndarray, np.ndarray]:
    """Median of the units with the same parent; where they have none, of the whole level."""
    with warnings.catch_warnings():  # an all-missing column has no median: it stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        level_median = np.nanmedian(raw, axis=0)
    fill = np.tile(level_median, (len(order), 1))
    how = np.full(raw.shape, "peer_median_level", dtype=object)
    if units is None or units.empty:
        return fill, how
    parents = (
        units[units["period"] == period]
        .set_index("org_unit")["parent_code"]
        .reindex(order)
        .to_numpy()
    )
    frame = pd.DataFrame(raw).assign(parent=parents)
    medians = frame.groupby("parent", dropna=False).transform("median").to_numpy(dtype=float)
    has_peer = ~np.isnan(medians)
    fill[has_peer] = medians[has_peer]
    how[has_peer] = "peer_median"
    return fill, how


def _last_values(
    history: pd.DataFrame | None,
    codes: list[str],
    order: np.ndarray,
    period: str,
    baselines: np.ndarray,
    reduce: np.ndarray,
) -> np.ndarray:
    """Each unit's latest earlier value of each indicator (NaN if it has none)."""
    out = np.full((len(order), len(codes)), np.nan)
    if history is None or history.empty:
        return out
    past = history[history["indicator"].isin(codes) & (history["period"] < period)].dropna(
        subset=["value"]
    )
    latest = past.sort_values("period").groupby(["org_unit", "indicator"])["value"].last()
    out = latest.unstack().reindex(index=order, columns=codes).to_numpy(dtype=float)
    for j in np.flatnonzero(reduce):
        out[:, j] = _reduction(out[:, j], baselines[:, j])
    return out
