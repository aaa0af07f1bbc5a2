"""Do two result tables agree? Same (indicator, org_unit, period) rows, numbers equal within
a relative tolerance (NULL equals NULL only), equal reporting and expected unit counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["indicator", "org_unit", "period"]
NUMBERS = ["numerator", "denominator", "value"]
COUNTS = ["reporting_units", "expected_units"]
RTOL = 1e-9


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Just the compared columns, typed alike and sorted by key."""
    out = frame[KEYS + NUMBERS + COUNTS].copy()
    for column in KEYS:
        out[column] = out[column].astype(str)
    for column in NUMBERS:
        out[column] = pd.to_numeric(out[column], errors="raise").astype("float64")
    for column in COUNTS:
        out[column] = out[column].astype("int64")
    return out.sort_values(KEYS, ignore_index=True)


def _close(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both_null = np.isnan(a) & np.isnan(b)
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= RTOL * scale
    return both_null | near


def agree(reference: pd.DataFrame, other: pd.DataFrame) -> dict:
    """Compare two normalised tables; returns counts of what differs and a few examples."""
    merged = reference.merge(other, on=KEYS, how="outer", suffixes=("_a", "_b"), indicator=True)
    only_a = int((merged["_merge"] == "left_only").sum())
    only_b = int((merged["_merge"] == "right_only").sum())
    both = merged[merged["_merge"] == "both"]
    bad = pd.Series(False, index=both.index)
    differences = {}
    for column in NUMBERS:
        wrong = ~_close(both[f"{column}_a"].to_numpy(), both[f"{column}_b"].to_numpy())
        differences[column] = int(wrong.sum())
        bad |= wrong
    for column in COUNTS:
        wrong = (both[f"{column}_a"] != both[f"{column}_b"]).to_numpy()
        differences[column] = int(wrong.sum())
        bad |= wrong
    examples = both[bad].head(3).drop(columns="_merge").to_dict("records")
    ok = only_a == 0 and only_b == 0 and not bad.any() and len(reference) == len(other)
    return {
        "ok": bool(ok),
        "rows_a": len(reference),
        "rows_b": len(other),
        "rows_compared": len(both),
        "only_in_a": only_a,
        "only_in_b": only_b,
        "differences": differences,
        "examples": examples,
    }
