"""Classify and group 100 000 synthetic-but-realistic suggestions; compare with peers.

Labelled set: texts drawn from the phrase pools of the sample city (``shequ.demo.
_voice_texts``: 19 categories, each said with and without its keywords, with openings,
places, durations, requests, a few phone numbers) and about 20 % reworded repeats of
earlier ones in the same block. Staff-confirmed labels for training: ``--train`` texts
(10 000). Held out: every other text; for each category two of its eight problem phrasings
never appear in training, so the held-out accuracy is also reported on *unseen phrasings*.

Approaches, all on the same texts in one run:

* ``keywords``  the taxonomy's keyword rules alone (what a desk without a model has);
* ``shequ``     keyword rules + character 1–2-gram TF-IDF + logistic regression
                (`shequ.voice.classify`), fit on the training labels, labels all texts;
* ``rjieba``    rjieba word segmentation + word 1–2-gram TF-IDF + the same logistic model;
* ``jieba``     the same with the pure-Python jieba (the segmenter most users would pick).

Grouping: `shequ.voice.duplicates.group_ids` on all texts; agreement with the true repeat
clusters as the adjusted Rand index and pair precision/recall.

Prints times, the ratio to shequ, peak resident memory during each step (psutil, sampled
every 5 ms), accuracy; writes ``bench/results/voice.json``.

Agreement (exit 1 when it fails): rjieba and jieba segment the same way, so their models
must label every text alike; shequ must beat the keyword rules alone on held-out texts and
come within 0.02 of the better word-segmenting peer; grouping must find the true repeat
clusters (adjusted Rand index ≥ 0.9).

    python bench/voice/bench_voice.py [-n 100000] [--train 10000]
    python bench/voice/bench_voice.py --quick    # 2 000 texts, 800 labels, no file written
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

from shequ.demo._voice_texts import PROBLEMS, compose, reword
from shequ.framework.loader import load_plan
from shequ.voice import classify, duplicates

ROOT = Path(__file__).resolve().parents[2]


class Peak:
    """Peak RSS (MiB) of this process while the block runs, above what it was at the start."""

    def __enter__(self) -> Peak:
        self.proc, self.base, self.peak, self.run = psutil.Process(), 0, 0, True
        self.base = self.peak = self.proc.memory_info().rss
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        self.start = time.perf_counter()
        return self

    def _sample(self) -> None:
        while self.run:
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.005)

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
        self.run = False
        self.thread.join()
        self.mib = (self.peak - self.base) / 2**20


def labelled_set(n: int, seed: int) -> pd.DataFrame:
    """n texts with category, community, block, whether repeated, and whether the problem
    phrasing is one of the two per category held back from training."""
    rng = np.random.default_rng(seed)
    categories = list(PROBLEMS)
    held_back = {c: set(PROBLEMS[c][-2:]) for c in categories}
    rows, originals = [], []
    for i in range(n):
        if originals and rng.random() < 0.2:
            j = int(rng.integers(len(originals)))
            unit, text, place, cat, unseen, cluster = originals[j]
            rows.append((i, unit, place, reword(rng, text), cat, unseen, cluster))
            continue
        cat = categories[int(rng.integers(len(categories)))]
        text, place = compose(rng, cat)
        unseen = any(p in text for p in held_back[cat])
        unit = f"C{int(rng.integers(300)):03d}"
        originals.append((unit, text, place, cat, unseen, i))
        rows.append((i, unit, place, text, cat, unseen, i))
    return pd.DataFrame(
        rows, columns=["id", "org_unit", "location", "text", "category", "unseen", "cluster"]
    )


def words(segment):
    def analyzer(text: str) -> list[str]:
        tokens = [t for t in segment(text) if t.strip()]
        return tokens + [a + b for a, b in pairwise(tokens)]

    return analyzer


def word_model(segment):
    from sklearn.feature_extraction.text import TfidfVectorizer

    model = classify.TextModel()
    model.vectorizer = TfidfVectorizer(
        analyzer=words(segment), min_df=2, sublinear_tf=True, dtype=np.float32
    )
    return model


def accuracy(pred: list, truth: pd.Series, mask: np.ndarray) -> float:
    return float((np.array(pred, dtype=object)[mask] == truth.to_numpy()[mask]).mean())


def pair_scores(found: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    def pairs(labels: np.ndarray) -> set[tuple[int, int]]:
        out: set[tuple[int, int]] = set()
        for members in pd.Series(np.arange(len(labels))).groupby(labels).agg(list):
            out.update((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
        return out

    f, t = pairs(found), pairs(truth)
    return len(f & t) / max(len(f), 1), len(f & t) / max(len(t), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--train", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--skip", nargs="*", default=[], help="approaches to leave out")
    parser.add_argument(
        "--quick", action="store_true", help="2 000 texts, 800 labels; agreement only, no file"
    )
    args = parser.parse_args()
    if args.quick:
        args.n, args.train = 2000, 800

    data = labelled_set(args.n, args.seed)
    plan = load_plan()
    rules = classify.KeywordRules(plan.voice.taxonomy)
    texts = data["text"].tolist()
    train_pool = data.index[~data["unseen"].to_numpy()]
    rng = np.random.default_rng(args.seed + 1)
    train = np.sort(rng.choice(train_pool, args.train, replace=False))
    held = np.ones(len(data), dtype=bool)
    held[train] = False
    unseen = held & data["unseen"].to_numpy()
    results: dict[str, dict] = {}
    peer_labels: dict[str, list] = {}

    def report(name: str, peak: Peak, labels: list, extra: dict | None = None) -> None:
        results[name] = {
            "seconds": round(peak.seconds, 3),
            "peak_mib": round(peak.mib, 1),
            "accuracy_held_out": round(accuracy(labels, data["category"], held), 4),
            "accuracy_unseen_phrasing": round(accuracy(labels, data["category"], unseen), 4),
            **(extra or {}),
        }

    with Peak() as peak:
        labels, _, _ = classify.predict(texts, rules)
    report(
        "keywords",
        peak,
        labels,
        {"coverage": round(float(np.mean([x is not None for x in labels])), 4)},
    )

    with Peak() as peak:
        model = classify.TextModel().fit(
            [texts[i] for i in train], data["category"].iloc[train].tolist()
        )
        labels, _, _ = classify.predict(texts, rules, model)
    report("shequ", peak, labels)

    for name, loader in (
        ("rjieba", lambda: __import__("rjieba").cut),
        ("jieba", lambda: __import__("jieba").lcut),
    ):
        if name in args.skip:
            continue
        try:
            segment = loader()
        except ImportError:
            print(f"{name}: not installed (pip install -e '.[bench]')")
            continue
        if name == "jieba":
            import logging

            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
        with Peak() as peak:
            model = word_model(segment).fit(
                [texts[i] for i in train], data["category"].iloc[train].tolist()
            )
            labels, _, _ = classify.predict(texts, rules, model)
        report(name, peak, labels)
        peer_labels[name] = labels

    from sklearn.metrics import adjusted_rand_score

    with Peak() as peak:
        groups = duplicates.group_ids(data[["id", "org_unit", "location", "text"]])
    precision, recall = pair_scores(groups.to_numpy(), data["cluster"].to_numpy())
    # "the same problem in the same block": one problem phrasing, one community and block,
    # whether or not one text was generated from the other
    phrase = [
        next((k for k, p in enumerate(PROBLEMS[c]) if p in t), -1)
        for t, c in zip(data["text"], data["category"], strict=True)
    ]
    block = [
        duplicates.block_of(t, loc) for t, loc in zip(data["text"], data["location"], strict=True)
    ]
    problem = pd.factorize(
        pd.Series(list(zip(data["org_unit"], block, data["category"], phrase, strict=True)))
    )[0]
    same_precision, same_recall = pair_scores(groups.to_numpy(), problem)
    results["group"] = {
        "seconds": round(peak.seconds, 3),
        "peak_mib": round(peak.mib, 1),
        "groups": int(groups.nunique()),
        "true_groups": int(data["cluster"].nunique()),
        "adjusted_rand": round(adjusted_rand_score(data["cluster"], groups), 4),
        "pair_precision": round(precision, 4),
        "pair_recall": round(recall, 4),
        "same_problem_precision": round(same_precision, 4),
        "same_problem_recall": round(same_recall, 4),
    }

    base = results["shequ"]["seconds"]
    print(
        f"{args.n:,} suggestions, {args.train:,} staff labels, held out {held.sum():,} "
        f"({unseen.sum():,} with unseen phrasings); targets: classify < 10 s, group < 30 s"
    )
    print(
        f"{'approach':10} {'seconds':>8} {'× shequ':>8} {'peak MiB':>9} {'held-out':>9} "
        f"{'unseen':>7}"
    )
    for name in ("keywords", "shequ", "rjieba", "jieba"):
        if name in results:
            r = results[name]
            print(
                f"{name:10} {r['seconds']:8.2f} {r['seconds'] / base:8.2f} {r['peak_mib']:9.1f} "
                f"{r['accuracy_held_out']:9.3f} {r['accuracy_unseen_phrasing']:7.3f}"
            )
    g = results["group"]
    print(
        f"group      {g['seconds']:8.2f} {'':8} {g['peak_mib']:9.1f}  {g['groups']:,} groups "
        f"(true {g['true_groups']:,}); ARI {g['adjusted_rand']:.3f}, pair precision "
        f"{g['pair_precision']:.3f}, recall {g['pair_recall']:.3f}; against 'same problem, "
        f"same block': precision {g['same_problem_precision']:.3f}, recall "
        f"{g['same_problem_recall']:.3f}"
    )
    failures = agreement(results, peer_labels)
    for line in failures:
        print("  " + line)
    print(f"AGREEMENT: {'FAIL' if failures else 'PASS'}")
    if not args.quick:
        out = ROOT / "bench" / "results"
        out.mkdir(parents=True, exist_ok=True)
        (out / "voice.json").write_text(
            json.dumps({"n": args.n, "train": args.train, **results}, indent=2)
        )
    if failures:
        sys.exit(1)


def agreement(results: dict[str, dict], peer_labels: dict[str, list]) -> list[str]:
    """What disagrees (see the module docstring); empty when everything agrees."""
    failures = []
    if {"rjieba", "jieba"} <= peer_labels.keys():
        differ = sum(a != b for a, b in zip(*peer_labels.values(), strict=True))
        print(f"rjieba vs jieba: {differ} of {len(peer_labels['jieba']):,} labels differ")
        if differ:
            failures.append(f"rjieba and jieba label {differ} texts differently")
    else:
        print("rjieba vs jieba: not compared (" + ", ".join(sorted(peer_labels)) + " ran)")
    shequ = results["shequ"]["accuracy_held_out"]
    if shequ <= results["keywords"]["accuracy_held_out"]:
        failures.append(f"shequ ({shequ:.3f}) does not beat the keyword rules alone")
    best = max((results[n]["accuracy_held_out"] for n in peer_labels), default=None)
    if best is not None and shequ < best - 0.02:
        failures.append(f"shequ ({shequ:.3f}) is more than 0.02 below the best peer ({best:.3f})")
    if results["group"]["adjusted_rand"] < 0.9:
        failures.append(f"grouping ARI {results['group']['adjusted_rand']:.3f} < 0.9")
    return failures


if __name__ == "__main__":
    main()
