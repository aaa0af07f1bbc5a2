"""Benchmark: siting — shequ maximal_covering / set_covering (HiGHS) vs spopt 0.7 MCLP / LSCP
(PuLP + CBC) on the SAME cost matrix, in one run. Same optimum required.

    python bench/spatial/bench_siting.py                    # Helsinki: buildings × every 3rd node
    python bench/spatial/bench_siting.py --preset mid       # 5 000 points × 1 000 sites
    python bench/spatial/bench_siting.py --preset large     # 20 000 points × 1 000 sites
    python bench/spatial/bench_siting.py --quick            # 200 points × 12 sites, temp folder

``--quick`` runs spopt when the peers' venv is there; without it, the peer is
`reference.py`'s enumeration of every set of sites (exact on a dozen sites), and the report
says so.

The cost matrix is built once, by shequ's ``catchment_pairs`` (walking metres, candidate
sites placed on network nodes, points snapped to edges) and written to ``.npz``; this
preparation is reported but not part of either side's time. spopt gets it as the dense
clients × sites array it requires (pairs beyond the radius set to 1e9: identical coverage
sets); shequ gets the sparse boolean cover matrix (points × sites, distance ≤ radius).
LSCP needs every demand point coverable, so both sides get only the points that some
candidate covers. Times: spopt = dense matrix + ``from_cost_matrix`` + ``solve``; shequ =
cover matrix + ``maximal_covering``/``set_covering`` (its greedy start, row merging and
HiGHS). Objectives are recomputed from each side's chosen sites, not just taken from the
solvers' reports. Both solvers get the same wall-clock limit (``--time-limit``, 300 s);
one stopped by it says so (shequ: status ``time_limit`` with its proven gap; spopt:
pulp's "Solution Found" instead of "Optimal Solution Found").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

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
    save,
    table,
    write_report,
)

PRESETS = {  # synthetic side, points, candidate sites (None = Helsinki), radius, p
    "helsinki": (None, None, None, 300.0, 5),
    "mid": (100, 5_000, 1_000, 500.0, 10),
    "large": (200, 20_000, 1_000, 500.0, 20),
    "quick": (16, 200, 12, 200.0, 3),
}
TARGET_SPEEDUP = 10.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=PRESETS, default="helsinki")
    parser.add_argument("--radius", type=float, help="service radius, metres")
    parser.add_argument("-p", type=int, help="MCLP: number of sites to open")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=300.0,
        help="shequ's HiGHS wall-clock limit, s (default 300)",
    )
    parser.add_argument(
        "--peer-time-limit",
        type=float,
        default=None,
        help="spopt's CBC time limit, s (default: the same as shequ's)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="preset quick in a temp folder; agreement only, no file written",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.preset = "quick"
    return args


def brute_force(task: dict) -> dict:
    """The enumeration peer (reference.py), shaped like a child's result."""
    data, phases = load(task["matrix"]), Phases()
    within = data["distance"] <= float(task["radius"])
    point, site = data["point"][within], data["site"][within]
    n_points, n_sites = int(data["n_points"]), int(data["n_sites"])
    with phases.time("enumerate"):
        chosen = (
            reference.best_sites_brute(point, site, data["weight"], n_sites, int(task["p"]))
            if task["model"] == "mclp"
            else reference.fewest_sites_brute(point, site, n_points, n_sites)
        )
    return {"chosen": chosen, "status": "every set tried", "phases": dict(phases)}


def candidate_sites(city: cities.City, work: Path) -> Path:
    """Helsinki: every third node of the network; synthetic: the facilities' nodes."""
    net, pts = load(city.network), load(city.points)
    if city.name == "helsinki":
        x, y = net["x"][::3], net["y"][::3]
    else:
        x, y = pts["fx_on_node"], pts["fy_on_node"]
    return save(work / "sites.npz", x=x, y=y)


def matrices(pairs: dict, pop: np.ndarray, work: Path) -> tuple[Path, Path, dict]:
    """The MCLP matrix (all points) and the LSCP one (coverable points only, renumbered)."""
    n_points, n_sites = int(pairs["n_points"]), int(pairs["n_sites"])
    point, site, dist = pairs["point"], pairs["facility"], pairs["distance"]
    mclp = save(
        work / "mclp_matrix.npz",
        point=point,
        site=site,
        distance=dist,
        weight=pop,
        n_points=n_points,
        n_sites=n_sites,
    )
    coverable = np.unique(point)
    renumber = np.full(n_points, -1)
    renumber[coverable] = np.arange(coverable.size)
    lscp = save(
        work / "lscp_matrix.npz",
        point=renumber[point],
        site=site,
        distance=dist,
        weight=pop[coverable],
        n_points=coverable.size,
        n_sites=n_sites,
    )
    info = {
        "points": n_points,
        "sites": n_sites,
        "pairs": int(point.size),
        "coverable_points": int(coverable.size),
    }
    return mclp, lscp, info


def covered_weight(matrix: Path, chosen: list[int], radius: float) -> float:
    data = load(matrix)
    within = data["distance"] <= radius
    cover = sp.csr_matrix(
        (np.ones(int(within.sum())), (data["point"][within], data["site"][within])),
        shape=(int(data["n_points"]), int(data["n_sites"])),
    )
    hit = (
        np.asarray(cover[:, chosen].sum(axis=1)).ravel() > 0
        if chosen
        else np.zeros(cover.shape[0], bool)
    )
    return float(data["weight"][hit].sum())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    side, n_points, n_sites, radius, p = PRESETS[args.preset]
    radius = args.radius or radius
    p = args.p or p
    peer_name = "spopt"
    if args.quick and not peers_available():
        peer_name = "brute"
        print(peers_note("reference.py's enumeration of every set of sites"))
    rows, verdicts, out = [], [], {}
    with tempfile.TemporaryDirectory(prefix="shequ-bench-") as tmp:
        work = Path(tmp)
        city = (
            cities.helsinki()
            if side is None
            else cities.synthetic(
                side, n_points, n_sites, **({"folder": work} if args.quick else {})
            )
        )
        sites = candidate_sites(city, work)
        prep = run_child(
            OURS_PYTHON,
            "ours.py",
            {
                "kind": "pairs",
                "network": str(city.network),
                "points": str(city.points),
                "sites": str(sites),
                "radius": radius,
                "pairs_out": str(work / "pairs.npz"),
            },
            work,
        )
        if "error" in prep:
            print("cost matrix preparation (ours.py pairs) FAILED:\n" + prep["error"])
            return 1
        mclp, lscp, info = matrices(load(work / "pairs.npz"), load(city.points)["pop"], work)
        print(f"{city.name}: {info} (catchment_pairs {fmt_s(sum(prep['phases'].values()))})")
        lines = [
            f"# Siting within {radius:g} m — {city.name}",
            machine(),
            "",
            f"matrix: {info['points']:,} demand points × {info['sites']:,} candidate sites, "
            f"{info['pairs']:,} pairs within {radius:g} m ({info['coverable_points']:,} points "
            f"coverable); built by shequ catchment_pairs in "
            f"{fmt_s(sum(prep['phases'].values()))} (not timed below)",
            "",
        ]
        for model, matrix in (("mclp", mclp), ("lscp", lscp)):
            task = {
                "label": model,
                "model": model,
                "matrix": str(matrix),
                "radius": radius,
                "p": p,
                "time_limit": args.time_limit,
                "peer_time_limit": args.peer_time_limit or args.time_limit,
            }
            res = {}
            for name, python, script, kind in (
                ("shequ", OURS_PYTHON, "ours.py", "siting"),
                (peer_name, PEERS_PYTHON, "peers.py", "spopt_siting"),
            ):
                print(f"  {name:6s} {model} …", end=" ", flush=True)
                r = (
                    brute_force(task)
                    if name == "brute"
                    else run_child(
                        python,
                        script,
                        {**task, "kind": kind, "label": f"{name}_{model}"},
                        work,
                        timeout=4 * 3600,
                    )
                )
                print("FAILED\n" + r["error"] if "error" in r else fmt_s(sum(r["phases"].values())))
                if "error" not in r:
                    r["recomputed"] = (
                        covered_weight(matrix, r["chosen"], radius)
                        if model == "mclp"
                        else float(len(r["chosen"]))
                    )
                    r["covers_all"] = covered_weight(matrix, r["chosen"], radius) == float(
                        load(matrix)["weight"].sum()
                    )
                res[name] = r
            ours, peer = res["shequ"], res[peer_name]
            same = (
                "error" not in ours
                and "error" not in peer
                and abs(ours["recomputed"] - peer["recomputed"])
                <= 1e-9 * max(1.0, peer["recomputed"])
                and (model == "mclp" or (ours["covers_all"] and peer["covers_all"]))
            )
            verdicts.append(same)
            t_ours = None if "error" in ours else sum(ours["phases"].values())
            t_peer = None if "error" in peer else sum(peer["phases"].values())
            label = f"MCLP p={p}" if model == "mclp" else "LSCP (cover all)"
            for name, r, t in (("shequ", ours, t_ours), (peer_name, peer, t_peer)):
                detail = (
                    ""
                    if "error" in r
                    else (
                        f"{r['status']}"
                        + (
                            f", gap {r['gap']:.2g}, greedy {r['greedy_objective']:,.0f}"
                            if name == "shequ"
                            else ""
                        )
                    )
                )
                rows.append(
                    [
                        label,
                        name,
                        fmt_s(t),
                        memory_cell(r),
                        "—" if "error" in r else f"{r['recomputed']:,.0f}",
                        detail,
                    ]
                )
            speedup = (t_peer / t_ours) if t_ours and t_peer else None
            target = (
                ""
                if args.quick
                else f" (target ≥ {TARGET_SPEEDUP:g}×: "
                f"{'PASS' if speedup and speedup >= TARGET_SPEEDUP else 'FAIL'})"
            )
            lines.append(
                f"{label}: shequ {fmt_ratio(t_peer, t_ours)} faster than {peer_name}"
                f"{target}; objective {'SAME' if same else 'DIFFERENT'}"
            )
            out[model] = res
    lines[5:5] = [
        table(["model", "solver", "time", "peak MB (+Δ)", "objective", "status"], rows),
        "",
    ]
    if peer_name == "brute":
        lines.append(peers_note("reference.py's enumeration of every set of sites"))
    lines.append(f"AGREEMENT: {'PASS' if all(verdicts) else 'FAIL'}")
    text = "\n".join(lines)
    print("\n" + text)
    if args.quick:
        return 0 if all(verdicts) else 1
    path = write_report(f"siting_{args.preset}", text, {"matrix": info, "results": out})
    print(f"\nwritten: {path}")
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
