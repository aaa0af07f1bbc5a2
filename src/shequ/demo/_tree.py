"""The sample city's organisation tree: districts, streets and communities with their
names and codes, including the split of one street on the reorganisation date."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import _names

CITY_CODE = "990100000000"


@dataclass(frozen=True)
class Tree:
    rows: list[tuple[str, str, str, str, str, str]]
    communities: list[str]  # community codes, sorted
    street_of: np.ndarray  # original street index of each community
    street_effect: np.ndarray  # quality effect of each original street
    n_streets_in_file: int
    n_moved: int


def _allocate(rng: np.random.Generator, total: int, bins: int, lo: int, hi: int) -> np.ndarray:
    """Split ``total`` items into ``bins`` uneven groups of ``lo`` to ``hi`` items."""
    lo = min(lo, total // bins)
    hi = max(hi, math.ceil(total / bins))
    counts = np.full(bins, lo, dtype=int)
    weights = rng.gamma(1.5, size=bins)
    for _ in range(total - lo * bins):
        p = np.where(counts < hi, weights, 0.0)
        counts[rng.choice(bins, p=p / p.sum())] += 1
    return counts


def _draw_names(
    rng: np.random.Generator, pools: tuple[list[str], list[str]], n: int, what: str
) -> list[str]:
    curated, fallback = pools
    names = [curated[i] for i in rng.permutation(len(curated))]
    if n > len(names):
        names += [fallback[i] for i in rng.permutation(len(fallback))]
    if n > len(names):
        raise ValueError(f"{what}名称不足：需要 {n} 个 / not enough {what} names for {n}")
    return names[:n]


def build_tree(
    rng: np.random.Generator, n_districts: int, n_streets: int, n_communities: int, reorg_date: str
) -> Tree:
    """Draw the organisation tree, including the split of one street of district 02."""
    per_district = _allocate(rng, n_streets, n_districts, lo=3, hi=n_streets)
    per_street = _allocate(rng, n_communities, n_streets, lo=4, hi=15)
    split = int(per_district[0]) - 1  # last street of district 02
    if per_street[split] < 8:  # make sure both halves get communities
        big = int(np.argmax(per_street))
        per_street[[split, big]] = per_street[[big, split]]
    district_names = _names.district_pool()[:n_districts]
    street_names = _draw_names(rng, _names.street_pools(), n_streets + 2, "街道")
    community_names = _draw_names(rng, _names.community_pools(), n_communities, "社区")

    effect = rng.normal(0.0, 0.35, n_streets)
    k = max(1, round(n_streets / 13))
    order = rng.permutation(n_streets)
    effect[order[:k]] = rng.uniform(-1.7, -1.3, k)  # clearly weaker streets
    effect[order[k : 2 * k]] = rng.uniform(1.0, 1.3, k)  # clearly stronger streets

    rows = [(CITY_CODE, _names.CITY_NAME, "", "市", "", "")]
    communities: list[str] = []
    street_of: list[int] = []
    s = c = 0
    split_members: list[tuple[str, str]] = []
    for d in range(n_districts):
        d_code = f"9901{d + 2:02d}000000"
        rows.append((d_code, district_names[d], CITY_CODE, "区", "", ""))
        for y in range(int(per_district[d])):
            s_code = f"{d_code[:6]}{y + 1:03d}000"
            closed = reorg_date if s == split else ""
            rows.append((s_code, street_names[s] + "街道", d_code, "街道", "", closed))
            for z in range(int(per_street[s])):
                code = f"{s_code[:9]}{z + 1:03d}"
                name = community_names[c] + "社区"
                rows.append((code, name, s_code, "社区", "", closed))
                communities.append(code)
                street_of.append(s)
                if s == split:
                    split_members.append((code, name))
                c += 1
            s += 1
    # The closed street's communities move to two new streets with the next codes.
    d_code = "990102000000"
    new_codes = [f"990102{int(per_district[0]) + i + 1:03d}000" for i in range(2)]
    for i, code in enumerate(new_codes):
        rows.append((code, street_names[n_streets + i] + "街道", d_code, "街道", reorg_date, ""))
    half = math.ceil(len(split_members) / 2)
    for j, (code, name) in enumerate(split_members):
        rows.append((code, name, new_codes[j >= half], "社区", reorg_date, ""))
    rows.sort(key=lambda r: (r[0], r[4]))
    return Tree(rows, communities, np.asarray(street_of), effect, n_streets + 2, len(split_members))
