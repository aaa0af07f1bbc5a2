"""Monte Carlo rank sensitivity: 20 000 communities × 13 indicators × 1 000 draws.

Runs shequ's vectorised `rank_intervals` beside the way an analyst would write it (a
Python loop over draws, scoring with pandas and ranking with ``Series.rank``), on the same
synthetic decision matrix; the peer runs a sample of draws and is reported per draw and
extrapolated. Prints times, the ratio and the peak memory (RSS) of this process; writes
``bench/results/composite_sensitivity.json``.

Agreement: the peer also replays shequ's own draws (the same seed, so the same choices and
weights, one draw at a time with pandas) on ``--check-units`` units, and the median rank
and the 90 % interval of every unit must be the same as shequ's; exit 1 otherwise.

    python bench/composite/bench_sensitivity.py [--units 20000] [--draws 1000] [--peer-draws 20]
    python bench/composite/bench_sensitivity.py --quick   # 500 units × 50 draws, no file written
"""

from __future__ import annotations

import argparse
import itertools
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shequ.evaluate.composite import normalise
from shequ.evaluate.composite.aggregate import GEOMETRIC_FLOOR
from shequ.evaluate.composite.matrix import DecisionMatrix
from shequ.evaluate.composite.sensitivity import rank_intervals
from shequ.framework.scoring import CompositeSettings, SensitivitySettings

RESULTS = Path(__file__).resolve().parents[1] / "results"


def synthetic(units: int, indicators: int, seed: int = 7) -> DecisionMatrix:
    """A plausible decision matrix: correlated indicators, 2 % missing, a few outliers."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(0, 1, units)[:, None]
    raw = 50 + 10 * (0.6 * quality + 0.8 * rng.normal(0, 1, (units, indicators)))
    raw[rng.random(raw.shape) < 0.002] *= 3  # outliers
    raw[rng.random(raw.shape) < 0.02] = np.nan
    higher = rng.random(indicators) < 0.8
    targets = np.where(higher, 60.0, 40.0)
    medians = np.nanmedian(raw, axis=0)
    fill = np.tile(medians, (units, 1))
    codes = np.array([f"U{i:06d}" for i in range(units)], dtype=object)
    return DecisionMatrix(
        codes,
        codes,
        [f"i{j}" for j in range(indicators)],
        raw,
        higher,
        targets,
        fill,
        np.full(raw.shape, "peer_median", dtype=object),
        np.full(raw.shape, np.nan),
    )


def peer_loop(m: DecisionMatrix, settings: CompositeSettings, draws: int) -> float:
    """What an analyst would write: one draw at a time, pandas ranking. Seconds per draw."""
    rng = np.random.default_rng(1)
    s = settings.sensitivity
    k = m.raw.shape[1]
    start = time.perf_counter()
    ranks = []
    for _ in range(draws):
        method = s.normalisations[rng.integers(len(s.normalisations))]
        scores = normalise.normalise(
            m.values("peer_median"),
            method=method,
            higher_is_better=m.higher_is_better,
            targets=m.targets,
        )
        w = rng.dirichlet(np.full(k, s.weight_concentration))
        frame = pd.DataFrame(scores)
        total = (frame * w).sum(axis=1)
        ranks.append(total.rank(ascending=False, method="min"))
    pd.concat(ranks, axis=1).quantile([0.05, 0.5, 0.95], axis=1)
    return (time.perf_counter() - start) / draws


def peer_replay(
    m: DecisionMatrix, weights: np.ndarray, settings: CompositeSettings
) -> pd.DataFrame:
    """shequ's draws replayed the analyst's way: the same generator calls in the same order
    (one choice per draw, then the Dirichlet weights), then per draw a pandas weighted mean
    over the present cells (or the weighted geometric mean), ``Series.rank`` and
    ``DataFrame.quantile``. Median rank and 90 % interval per unit."""
    s = settings.sensitivity
    rng = np.random.default_rng(s.seed)
    choices = list(itertools.product(s.normalisations, s.imputations, s.aggregations))
    pick = rng.integers(len(choices), size=s.draws)
    alpha = np.maximum(s.weight_concentration * len(weights) * weights, 1e-6)
    drawn = rng.dirichlet(alpha, size=s.draws)
    ranks = []
    for d in range(s.draws):
        method, imputation, aggregation = choices[pick[d]]
        frame = pd.DataFrame(
            normalise.normalise(
                m.values(imputation),
                method=method,
                higher_is_better=m.higher_is_better,
                targets=m.targets,
            )
        )
        w = pd.Series(drawn[d])
        share = frame.notna().mul(w, axis=1).sum(axis=1)
        if aggregation == "geometric":
            logs = np.log(frame.clip(lower=GEOMETRIC_FLOOR))
            total = np.exp(logs.mul(w, axis=1).sum(axis=1) / share)
        else:
            total = frame.mul(w, axis=1).sum(axis=1) / share
        ranks.append(total.rank(ascending=False, method="min"))
    q = pd.concat(ranks, axis=1).quantile([0.05, 0.5, 0.95], axis=1).T
    return pd.DataFrame(
        {"rank_median": q[0.5], "rank_low": np.floor(q[0.05]), "rank_high": np.ceil(q[0.95])}
    )


def agreement(intervals: pd.DataFrame, peer: pd.DataFrame) -> int:
    """Units whose median rank or interval differs between shequ and the replayed peer."""
    ours = intervals[["rank_median", "rank_low", "rank_high"]].to_numpy(float)
    theirs = peer[["rank_median", "rank_low", "rank_high"]].to_numpy(float)
    return int((~np.isclose(ours, theirs, rtol=0, atol=1e-6)).any(axis=1).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--indicators", type=int, default=13)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--peer-draws", type=int, default=20)
    parser.add_argument(
        "--check-units", type=int, default=2000, help="units on which the peer replays every draw"
    )
    parser.add_argument(
        "--quick", action="store_true", help="500 units × 50 draws; agreement only, no file"
    )
    args = parser.parse_args()
    if args.quick:
        args.units, args.draws, args.peer_draws, args.check_units = 500, 50, 10, 500
    check = synthetic(args.check_units, args.indicators)
    check_settings = CompositeSettings(sensitivity=SensitivitySettings(draws=args.draws))
    check_weights = np.full(args.indicators, 1 / args.indicators)
    differ = agreement(
        rank_intervals(check, check_weights, check_settings)[0],
        peer_replay(check, check_weights, check_settings),
    )
    m = synthetic(args.units, args.indicators)
    settings = CompositeSettings(sensitivity=SensitivitySettings(draws=args.draws))
    weights = np.full(args.indicators, 1 / args.indicators)
    start = time.perf_counter()
    intervals, effects = rank_intervals(m, weights, settings)
    ours = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_draw_peer = peer_loop(m, settings, args.peer_draws)
    peer_total = per_draw_peer * args.draws
    width = (intervals["rank_high"] - intervals["rank_low"]).median()
    report = {
        "units": args.units,
        "indicators": args.indicators,
        "draws": args.draws,
        "shequ_seconds": ours,
        "shequ_peak_rss_mb": peak_mb,
        "peer_seconds_per_draw": per_draw_peer,
        "peer_draws_timed": args.peer_draws,
        "peer_seconds_extrapolated": peer_total,
        "ratio_peer_over_shequ": peer_total / ours,
        "median_interval_width_ranks": float(width),
        "choice_effects": effects.to_dict("records"),
        "machine": {
            "cpus": __import__("os").cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
        },
    }
    report["agreement_units_checked"] = args.check_units
    report["agreement_units_differing"] = differ
    if not args.quick:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "composite_sensitivity.json").write_text(json.dumps(report, indent=2))
    print(f"Monte Carlo {args.units:,} units × {args.indicators} indicators × {args.draws:,} draws")
    print(f"  shequ (vectorised):   {ours:8.2f} s   peak RSS {peak_mb:,.0f} MB   (target < 60 s)")
    print(
        f"  peer (loop + pandas): {per_draw_peer:8.3f} s/draw × {args.draws} = {peer_total:,.1f} s "
        f"(timed on {args.peer_draws} draws)"
    )
    print(f"  ratio peer / shequ:   {peer_total / ours:8.1f}×")
    print(f"  median 90 % rank interval width: {width:,.0f} ranks")
    print(effects.to_string(index=False))
    print(
        f"  peer replaying shequ's {args.draws:,} draws on {args.check_units:,} units: "
        f"{differ} units differ in median rank or 90 % interval"
    )
    print(f"AGREEMENT: {'PASS' if differ == 0 else 'FAIL'}")
    if differ:
        sys.exit(1)


if __name__ == "__main__":
    main()
