"""Benchmark: capacity-aware accessibility — shequ two_step_fca vs PySAL access
(``Access(...).two_stage_fca``, plain and enhanced with step weights) on the same pairs.

    python bench/spatial/bench_2sfca.py                   # Helsinki: buildings × service POIs
    python bench/spatial/bench_2sfca.py --preset mid      # 100 000 points × 200 facilities
    python bench/spatial/bench_2sfca.py --preset large    # 1 M points × 2 000 facilities
    python bench/spatial/bench_2sfca.py --quick           # 300 points × 8 facilities, temp folder

``--quick`` runs access when the peers' venv is there; without it, the peer is
`reference.py`'s pair-by-pair 2SFCA in plain Python, and the report says so.

The facility–point pairs within the largest band (walking metres) are computed once by
shequ's ``catchment_pairs`` and written to ``.npz`` (reported, not timed below); access
gets them as its long origin–destination–cost table with named index columns
(``point``, ``facility``). Plain 2SFCA uses ``--radius`` (access: ``max_cost``); the
enhanced variant uses shequ's default bands for 2 × radius (1.00 / 0.68 / 0.22 over
thirds; access: ``weights.step_fn`` with the same thresholds, ``max_cost`` = the last).
Accessibility must agree to 1e-9 relative for every point (points reaching nothing: 0,
access gives NaN, compared as 0).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import data as cities
import reference
from _common import (
    OURS_PYTHON,
    PEERS_PYTHON,
    Phases,
    fmt_ratio,
    fmt_s,
    load,
    machine,
    memory_cell,
    peers_available,
    peers_note,
    run_child,
    table,
    write_report,
)

PRESETS = {
    "helsinki": None,
    "mid": (316, 100_000, 200),
    "large": (1000, 1_000_000, 2000),
    "quick": (24, 300, 8),
}
RTOL = 1e-9


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=PRESETS, default="helsinki")
    parser.add_argument("--radius", type=float, default=500.0, help="plain 2SFCA radius, m")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="preset quick in a temp folder; agreement only, no file written",
    )
    args = parser.parse_args(argv)
    if args.quick:  # a smaller radius too, so that some points reach no facility
        args.preset, args.radius = "quick", 200.0
    return args


def loops(task: dict) -> dict:
    """The plain-Python peer (reference.py), shaped like a child's result."""
    pairs, pts, phases = load(task["pairs"]), load(task["points"]), Phases()
    keep = pairs["distance"] <= float(task["radius"])
    with phases.time("two_stage_fca"):
        plain = reference.two_step_fca_loops(
            pairs["facility"][keep],
            pairs["point"][keep],
            pairs["distance"][keep],
            pts["capacity"],
            pts["pop"],
        )
    with phases.time("enhanced two_stage_fca"):
        enhanced = reference.two_step_fca_loops(
            pairs["facility"],
            pairs["point"],
            pairs["distance"],
            pts["capacity"],
            pts["pop"],
            [tuple(b) for b in task["bands"]],
        )
    return {"phases": dict(phases), "arrays": {"plain": plain, "enhanced": enhanced}}


def bands(radius: float) -> list[tuple[float, float]]:
    """shequ's default E2SFCA bands over ``2 × radius`` (spatial.access.default_bands)."""
    top = 2 * radius
    return [(top / 3, 1.0), (2 * top / 3, 0.68), (top, 0.22)]


def compare(ours: np.ndarray, peer: np.ndarray) -> dict:
    scale = np.maximum(np.abs(ours), np.abs(peer))
    rel = np.divide(np.abs(ours - peer), scale, out=np.zeros_like(scale), where=scale > 0)
    return {
        "max_rel_diff": float(rel.max(initial=0.0)),
        "points_over_tol": int((rel > RTOL).sum()),
        "nonzero_points": int((ours > 0).sum()),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    preset = PRESETS[args.preset]
    task_bands = bands(args.radius)
    peer_name = "access"
    if args.quick and not peers_available():
        peer_name = "loops"
        print(peers_note("reference.py's pair-by-pair 2SFCA in plain Python"))
    with tempfile.TemporaryDirectory(prefix="shequ-bench-") as tmp:
        work = Path(tmp)
        city = (
            cities.helsinki()
            if preset is None
            else cities.synthetic(*preset, **({"folder": work} if args.quick else {}))
        )
        sizes = city.sizes()
        prep = run_child(
            OURS_PYTHON,
            "ours.py",
            {
                "kind": "pairs",
                "network": str(city.network),
                "points": str(city.points),
                "radius": task_bands[-1][0],
                "pairs_out": str(work / "pairs.npz"),
            },
            work,
            timeout=3 * 3600,
        )
        if "error" in prep:
            print("pairs preparation (ours.py pairs) FAILED:\n" + prep["error"])
            return 1
        n_pairs = prep["pairs"]
        print(f"{city.name}: {n_pairs:,} pairs within {task_bands[-1][0]:g} m")
        task = {
            "pairs": str(work / "pairs.npz"),
            "points": str(city.points),
            "radius": args.radius,
            "bands": task_bands,
        }
        results = {}
        for name, python, script, kind in (
            ("shequ", OURS_PYTHON, "ours.py", "fca"),
            (peer_name, PEERS_PYTHON, "peers.py", "access_2sfca"),
        ):
            print(f"  {name:6s} …", end=" ", flush=True)
            r = (
                loops(task)
                if name == "loops"
                else run_child(
                    python, script, {**task, "kind": kind, "label": name}, work, timeout=3 * 3600
                )
            )
            if "error" in r:
                print("FAILED\n" + r["error"])
            else:
                if "arrays" not in r:  # a child: its arrays are in its .npz
                    r["arrays"] = load(work / f"{name}.npz")
                print(fmt_s(sum(r["phases"].values())))
            results[name] = r
    ours, peer = results["shequ"], results[peer_name]
    rows, lines, verdicts = [], [], []
    for variant, ours_phase, peer_phases in (
        ("plain", "two_step_fca", ("tables", "Access(...)", "two_stage_fca")),
        ("enhanced", "enhanced two_step_fca", ("enhanced two_stage_fca",)),
    ):
        t_ours = ours.get("phases", {}).get(ours_phase)
        t_peer = sum(peer["phases"].get(p, 0.0) for p in peer_phases) if "phases" in peer else None
        agree = (
            compare(ours["arrays"][variant], peer["arrays"][variant])
            if "arrays" in ours and "arrays" in peer
            else None
        )
        verdicts.append(bool(agree) and agree["points_over_tol"] == 0)
        label = (
            f"2SFCA {args.radius:g} m"
            if variant == "plain"
            else "E2SFCA " + " / ".join(f"≤{u:g} m:{w:g}" for u, w in task_bands)
        )
        rows.append(
            [
                label,
                fmt_s(t_ours),
                fmt_s(t_peer),
                fmt_ratio(t_peer, t_ours),
                "—" if not agree else f"{agree['max_rel_diff']:.2g}",
                "—" if not agree else f"{agree['points_over_tol']}",
                "—" if not agree else f"{agree['nonzero_points']:,}",
            ]
        )
        results[variant] = agree
    lines = [
        f"# 2SFCA — {city.name}",
        machine(),
        "",
        f"{sizes['points']:,} points × {sizes['facilities']:,} facilities; {n_pairs:,} pairs "
        f"within {task_bands[-1][0]:g} m from shequ catchment_pairs in "
        f"{fmt_s(sum(prep['phases'].values()))} (not timed below)",
        "",
        table(
            [
                "measure",
                "shequ",
                peer_name,
                "speed-up",
                "max rel. diff",
                "points > 1e-9",
                "points with access > 0",
            ],
            rows,
        ),
        "",
        f"peak MB (+Δ): shequ {memory_cell(ours)}, {peer_name} {memory_cell(peer)}",
        *(
            [peers_note("reference.py's pair-by-pair 2SFCA in plain Python")]
            if peer_name == "loops"
            else []
        ),
        f"AGREEMENT: {'PASS' if all(verdicts) else 'FAIL'}",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    if args.quick:
        return 0 if all(verdicts) else 1
    for r in (ours, peer):
        r.pop("arrays", None)
    path = write_report(f"2sfca_{args.preset}", text, {"results": results, "pairs": n_pairs})
    print(f"\nwritten: {path}")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
