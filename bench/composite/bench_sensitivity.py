"""Monte Carlo rank sensitivity: 20 000 communities × 13 indicators × 1 000 draws.

Runs shequ's vectorised `rank_intervals` beside the way an analyst would write it (a
Python loop over draws, scoring with pandas and ranking with ``Series.rank``), on the same
synthetic decision matrix; the peer runs a sample of draws and is reported per draw and
extrapolated. Prints times, the ratio and the peak memory (RSS) of this process; writes
``bench/results/composite_sensitivity.json``.

    python bench/composite/bench_sensitivity.py [--units 20000] [--draws 1000] [--peer-draws 20]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from shequ.evaluate.composite import normalise
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--indicators", type=int, default=13)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--peer-draws", type=int, default=20)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
