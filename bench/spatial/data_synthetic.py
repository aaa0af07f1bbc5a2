"""Synthetic city of any size: a perturbed grid walking network, population points, facilities.

A ``side × side`` grid of nodes ``spacing`` metres apart (default 1 000 × 1 000 = 1 M nodes,
40 m: a 40 km × 40 km city), each node moved by up to ±30 % of the spacing in x and y;
edges join right and upper neighbours (~2 M edges) and 2 % of them are dropped (cul-de-sacs,
a few small fragments). Edge length = straight segment between the moved nodes (metres).
Population points fall uniformly in the grid's extent with 1–40 residents each; facilities
likewise, with a capacity of 5–50 places. The ``*_on_node`` variants put every point
exactly on a node (offset 0), which node-snapping peers (pandana, osmnx) need for identical
numbers. Everything is seeded (NumPy PCG64) and cached in bench/results/spatial_data/.

Coordinates are in a made-up metric CRS, "EPSG:3857" is passed as a label only.

    python bench/spatial/data_synthetic.py --side 1000 --points 1000000 --facilities 2000
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from _common import DATA, load, save

CRS = "EPSG:3857"


def synthetic_path(side: int, points: int, facilities: int, seed: int, folder: Path = DATA) -> Path:
    return folder / f"synthetic_{side}x{side}_p{points}_f{facilities}_s{seed}.npz"


def build(
    side: int, points: int, facilities: int, *, seed: int = 2025, spacing: float = 40.0
) -> dict[str, np.ndarray]:
    """Generate the city (see module docstring); arrays keyed like the .npz file."""
    rng = np.random.default_rng(seed)
    ix, iy = np.meshgrid(np.arange(side), np.arange(side), indexing="xy")
    x = ix.ravel() * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    y = iy.ravel() * spacing + rng.uniform(-0.3, 0.3, side * side) * spacing
    node = np.arange(side * side, dtype=np.int64).reshape(side, side)  # [row=y, col=x]
    right = np.column_stack([node[:, :-1].ravel(), node[:, 1:].ravel()])
    up = np.column_stack([node[:-1, :].ravel(), node[1:, :].ravel()])
    edges = np.vstack([right, up])
    edges = edges[rng.random(len(edges)) >= 0.02]
    u, v = edges[:, 0], edges[:, 1]
    length = np.hypot(x[u] - x[v], y[u] - y[v])
    lo, hi = -0.3 * spacing, (side - 0.7) * spacing
    px, py = rng.uniform(lo, hi, points), rng.uniform(lo, hi, points)
    pop = rng.integers(1, 41, points).astype(np.float64)
    fx, fy = rng.uniform(lo, hi, facilities), rng.uniform(lo, hi, facilities)
    capacity = rng.integers(5, 51, facilities).astype(np.float64)
    p_node = rng.integers(0, side * side, points)
    f_node = rng.choice(side * side, facilities, replace=False)
    return {
        "x": x,
        "y": y,
        "u": u,
        "v": v,
        "length": length,
        "crs": np.array(CRS),
        "px": px,
        "py": py,
        "pop": pop,
        "fx": fx,
        "fy": fy,
        "capacity": capacity,
        "p_node": p_node,
        "f_node": f_node,
        "px_on_node": x[p_node],
        "py_on_node": y[p_node],
        "fx_on_node": x[f_node],
        "fy_on_node": y[f_node],
    }


def ensure(
    side: int, points: int, facilities: int, *, seed: int = 2025, folder: Path = DATA
) -> Path:
    """Path of the cached city (in ``folder``), building it first if needed."""
    path = synthetic_path(side, points, facilities, seed, folder)
    if not path.exists():
        started = time.perf_counter()
        save(path, **build(side, points, facilities, seed=seed))
        print(f"built {path.name} in {time.perf_counter() - started:.1f} s")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--facilities", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    path = ensure(args.side, args.points, args.facilities, seed=args.seed)
    data = load(path)
    print(
        f"{path}: {len(data['x']):,} nodes, {len(data['u']):,} edges, "
        f"{len(data['px']):,} points, {len(data['fx']):,} facilities"
    )


if __name__ == "__main__":
    main()
