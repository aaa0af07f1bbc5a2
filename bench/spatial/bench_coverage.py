"""Benchmark: service coverage (nearest facility within a walking radius) — shequ vs pandana
vs osmnx/networkx, on identical networks and points, in one run.

    python bench/spatial/bench_coverage.py                     # real Helsinki extract, 500 m
    python bench/spatial/bench_coverage.py --preset mid        # 100 k-node synthetic city
    python bench/spatial/bench_coverage.py --preset large      # 1 M nodes, 1 M points (ours)
    python bench/spatial/bench_coverage.py --preset large --with-pandana   # + pandana, minutes
    python bench/spatial/bench_coverage.py --quick         # 24×24 grid in a temp folder, no file

``--quick`` runs the peers when their venv is there; without it, shequ is checked against
`reference.py` alone (node Dijkstra, split-graph Dijkstra, brute-force snapping), and the
report says so.

Run it with shequ's venv (`.venv/bin/python`); peers run in /tmp/peers-venv via subprocess. Three variants of the same inputs:

* ``on_node`` — every point and facility placed exactly on a network node (offset 0): the
  only way node-snapping peers can give the same numbers. networkx must match exactly;
  pandana is reported only, because it stores each edge as whole millimetres (it
  truncates ``length × 1000`` to an integer), so its walks come out up to ~1 mm per edge
  short and points a few millimetres beyond the radius count as covered.
* ``on_node_q`` — the same, with every edge length rounded up to a multiple of 1/8 m
  (exact in binary and a whole number of millimetres): now every approach computes exact
  sums, and covered populations must be IDENTICAL, pandana included.
* ``edge`` — the real points and lengths. shequ snaps to the nearest EDGE and counts the
  walk to the street and the partial edges; pandana and osmnx snap to the nearest NODE.
  The difference is reported, not required to vanish. shequ's answers are checked
  against an independent split-graph Dijkstra (`reference.py`) and brute-force
  nearest-segment offsets instead.

Columns: network = building the routable network (pandana: its contraction hierarchies);
snapping = points and facilities onto the network; query = the distance search; end to
end = their sum. Each approach is a child process (best of ``--repeat`` runs); peak MB is
the child's peak RSS with the increase over its RSS after imports.
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
    VARIANTS,
    fmt_ratio,
    fmt_s,
    load,
    machine,
    memory_cell,
    network_arrays,
    peers_available,
    peers_note,
    run_child,
    table,
    write_report,
)

PRESETS = {  # side, points, facilities, approaches
    "helsinki": (None, None, None, ("ours", "pandana", "networkx")),
    "mid": (316, 100_000, 200, ("ours", "pandana", "networkx")),
    "large": (1000, 1_000_000, 2000, ("ours",)),
    "quick": (24, 300, 6, ("ours", "pandana", "networkx")),
}
RUNNERS = {
    "ours": (OURS_PYTHON, "ours.py", "coverage"),
    "pandana": (PEERS_PYTHON, "peers.py", "pandana_coverage"),
    "networkx": (PEERS_PYTHON, "peers.py", "networkx_coverage"),
}
LARGE_TARGET_S = 10.0
SPLIT_REFERENCE_MAX_NODES = 300_000
BRUTE_SNAP_SAMPLE = 500


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=PRESETS, default="helsinki")
    parser.add_argument("--radius", type=float, default=500.0)
    parser.add_argument("--repeat", type=int, default=None, help="runs per approach (best kept)")
    parser.add_argument("--only", nargs="+", choices=RUNNERS, help="approaches to run")
    parser.add_argument("--with-pandana", action="store_true", help="large preset: add pandana")
    parser.add_argument("--rebuild", action="store_true", help="re-extract the OSM data")
    parser.add_argument("--variants", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument(
        "--quick",
        action="store_true",
        help="preset quick in a temp folder; agreement only, no file written",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.preset, args.repeat = "quick", 1
    return args


def phase_sum(result: dict, prefix: str) -> float | None:
    if "phases" not in result:  # failed or not run
        return None
    return sum(s for name, s in result["phases"].items() if name.startswith(prefix))


def agreement(ours: np.ndarray, peer: np.ndarray, pop: np.ndarray, radius: float) -> dict:
    a, b = ours <= radius, peer <= radius
    both = np.isfinite(ours) & np.isfinite(peer) & a & b
    differ = np.flatnonzero(a != b)[:5]
    return {
        "covered_ours": float(pop[a].sum()),
        "covered_peer": float(pop[b].sum()),
        "examples": [[int(i), float(ours[i]), float(peer[i])] for i in differ],
        "status_mismatch_points": int((a != b).sum()),
        "max_abs_diff_m": float(np.abs(ours[both] - peer[both]).max()) if both.any() else 0.0,
    }


def run_variant(city: cities.City, variant: str, approaches, args, work: Path) -> dict:
    results = {}
    for name in approaches:
        python, script, kind = RUNNERS[name]
        task = {
            "kind": kind,
            "label": f"{name}_{variant}",
            "variant": variant,
            "network": str(city.network),
            "points": str(city.points),
            "radius": args.radius,
            "repeat": args.repeat,
        }
        print(f"  {name:8s} {variant:7s} …", end=" ", flush=True)
        result = run_child(python, script, task, work, timeout=3 * 3600)
        if "error" not in result:
            result["distance"] = load(work / f"{name}_{variant}.npz")["distance"]
            print(fmt_s(phase_sum(result, "")))
        else:
            print("FAILED\n" + result["error"])
        results[name] = result
    return results


def reference_checks(city: cities.City, variant: str, ours: dict, radius: float) -> dict:
    """shequ against the independent reference (node Dijkstra / split graph / brute snap)."""
    if "error" in ours:
        return {}
    net = network_arrays({"network": str(city.network), "variant": variant})
    pts = load(city.points)
    n = len(net["x"])
    snapped = load(Path(ours["python_work"]) / f"ours_{variant}.npz")
    if variant.startswith("on_node"):
        ref = reference.node_distances(net["u"], net["v"], net["length"], n, pts["f_node"], radius)[
            pts["p_node"]
        ]
        kind = "node Dijkstra (scipy)"
    elif n <= SPLIT_REFERENCE_MAX_NODES:
        ref = reference.split_graph_distances(
            net["u"],
            net["v"],
            net["length"],
            n,
            (snapped["f_edge"], snapped["f_along"], snapped["f_offset"]),
            (snapped["p_edge"], snapped["p_along"], snapped["p_offset"]),
            radius,
        )
        kind = "split-graph Dijkstra (scipy)"
    else:
        return {}
    out = {"reference": kind, **agreement(ours["distance"], ref, pts["pop"], radius)}
    if variant == "edge":
        sample = np.random.default_rng(7).choice(
            len(pts["px"]), min(BRUTE_SNAP_SAMPLE, len(pts["px"])), replace=False
        )
        brute = reference.nearest_segment_offset(
            net["x"], net["y"], net["u"], net["v"], pts["px"][sample], pts["py"][sample]
        )
        out["snap_max_offset_diff_m"] = float(np.abs(brute - snapped["p_offset"][sample]).max())
        out["snap_sample"] = int(sample.size)
    return out


def table_rows(runs: dict, pop: np.ndarray, radius: float) -> list[list[str]]:
    """One row per (variant, approach); stores each peer's agreement with shequ in it."""
    rows = []
    for variant, results in runs.items():
        ours = results.get("ours", {})
        for name, r in results.items():
            covered = "—" if "error" in r else f"{pop[r['distance'] <= radius].sum():,.0f}"
            versus = ""
            if name != "ours" and "error" not in r and "distance" in ours:
                agree = agreement(ours["distance"], r["distance"], pop, radius)
                r["agreement"] = agree
                versus = (
                    f"{agree['status_mismatch_points']} pts differ, "
                    f"max |Δd| {agree['max_abs_diff_m']:.2g} m"
                )
            rows.append(
                [
                    name,
                    variant,
                    fmt_s(phase_sum(r, "network")),
                    fmt_s(phase_sum(r, "snap")),
                    fmt_s(phase_sum(r, "query")),
                    fmt_s(phase_sum(r, "")),
                    fmt_s(r.get("cpu_s")),
                    memory_cell(r),
                    covered,
                    "FAILED" if "error" in r else versus,
                ]
            )
    return rows


def reference_lines(checks: dict) -> tuple[list[str], list[bool]]:
    """One line per variant checked against `reference.py`, and whether it agreed."""
    lines, verdicts = [], []
    for variant, check in checks.items():
        if check:
            ok = check["status_mismatch_points"] == 0 and check["max_abs_diff_m"] < 1e-6
            ok = ok and check.get("snap_max_offset_diff_m", 0.0) < 1e-6
            verdicts.append(ok)
            snap_note = (
                f"; snap offsets vs brute force on {check['snap_sample']} points: max "
                f"|Δ| {check['snap_max_offset_diff_m']:.2g} m"
                if "snap_sample" in check
                else ""
            )
            lines.append(
                f"{variant}: shequ vs {check['reference']}: "
                f"{check['status_mismatch_points']} points differ, max |Δd| "
                f"{check['max_abs_diff_m']:.2g} m{snap_note}: {'AGREE' if ok else 'DISAGREE'}"
            )
    return lines, verdicts


def report(city, args, runs: dict, checks: dict) -> tuple[str, dict]:
    header = [
        "approach",
        "variant",
        "network",
        "snapping",
        "query",
        "end to end",
        "CPU",
        "peak MB (+Δ)",
        "covered pop.",
        "vs shequ",
    ]
    rows = table_rows(runs, load(city.points)["pop"], args.radius)
    verdicts = []
    lines = [
        f"# Coverage within {args.radius:g} m — {city.name}",
        machine(),
        "",
        "sizes: " + ", ".join(f"{k} {v:,}" for k, v in city.sizes().items()),
        "",
    ]
    if city.name == "helsinki":
        lines += [
            "Walking network parsed from the same Helsinki.osm.pbf:",
            table(["parse", "nodes", "edges", "km", "note"], cities.network_comparison(city)),
            cities.left_out_note(city),
            "",
        ]
    lines += [table(header, rows), ""]
    for variant, results in runs.items():
        ours, pandana = results.get("ours", {}), results.get("pandana", {})
        if phase_sum(ours, "") and phase_sum(pandana, ""):
            e2e = phase_sum(pandana, "") / phase_sum(ours, "")
            q_ratio = phase_sum(ours, "query") / phase_sum(pandana, "query")
            sq_ratio = (phase_sum(ours, "snap") + phase_sum(ours, "query")) / (
                phase_sum(pandana, "snap") + phase_sum(pandana, "query")
            )
            lines.append(
                f"{variant}: shequ end to end is {fmt_ratio(phase_sum(pandana, ''), phase_sum(ours, ''))} "
                f"faster than pandana end to end (target ≥ 10×: {'PASS' if e2e >= 10 else 'FAIL'}); "
                f"shequ query / pandana query = {q_ratio:.2f} (target ≤ 2: "
                f"{'PASS' if q_ratio <= 2 else 'FAIL'}); snapping+query / pandana's = {sq_ratio:.2f}"
            )
        if variant.startswith("on_node"):
            for name, r in results.items():
                if "agreement" in r:
                    same = r["agreement"]["covered_ours"] == r["agreement"]["covered_peer"]
                    # with real lengths pandana truncates every edge to whole millimetres:
                    # informational there; required for the quantised lengths and networkx
                    if variant == "on_node_q" or name != "pandana":
                        verdicts.append(same)
                    lines.append(
                        f"{variant}: covered population shequ {r['agreement']['covered_ours']:,.0f} "
                        f"vs {name} {r['agreement']['covered_peer']:,.0f}: "
                        f"{'IDENTICAL' if same else 'DIFFERENT'}"
                    )
                    lines += [
                        f"    point {i}: shequ {d_ours:.6f} m, {name} {d_peer:.6f} m"
                        for i, d_ours, d_peer in r["agreement"]["examples"]
                        if not same
                    ]
        elif "agreement" in pandana:
            a = pandana["agreement"]
            lines.append(
                f"edge: edge snapping (shequ) vs node snapping (pandana): covered "
                f"{a['covered_ours']:,.0f} vs {a['covered_peer']:,.0f} "
                f"({a['covered_ours'] - a['covered_peer']:+,.0f}), "
                f"{a['status_mismatch_points']} points change status"
            )
    more, ok = reference_lines(checks)
    lines += more
    verdicts += ok
    ours_large = runs.get("edge", {}).get("ours", {})
    if args.preset == "large" and phase_sum(ours_large, ""):
        snap_query = phase_sum(ours_large, "snap") + phase_sum(ours_large, "query")
        lines.append(
            f"large: snapping + coverage {snap_query:.2f} s wall, whole run "
            f"{ours_large['cpu_s']:.2f} s CPU (+ network build "
            f"{phase_sum(ours_large, 'network'):.2f} s) — target < {LARGE_TARGET_S:g} s: "
            f"{'PASS' if snap_query < LARGE_TARGET_S else 'FAIL'}"
        )
    lines.append(f"AGREEMENT: {'PASS' if verdicts and all(verdicts) else 'FAIL'}")
    data = {
        variant: {
            name: {k: v for k, v in r.items() if k != "distance"} for name, r in results.items()
        }
        for variant, results in runs.items()
    }
    return "\n".join(lines), {"runs": data, "checks": checks, "city": city.info}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    side, n_points, n_fac, approaches = PRESETS[args.preset]
    if args.only:
        approaches = tuple(args.only)
    elif args.with_pandana:
        approaches = (*approaches, "pandana")
    note = None
    if args.quick and not peers_available():
        approaches = tuple(a for a in approaches if RUNNERS[a][0] != PEERS_PYTHON)
        note = peers_note("reference.py (scipy Dijkstra, split graph, brute-force snapping)")
    if args.repeat is None:
        args.repeat = 5 if args.preset == "helsinki" else 1
    runs, checks = {}, {}
    with tempfile.TemporaryDirectory(prefix="shequ-bench-") as tmp:
        work = Path(tmp)
        city = (
            cities.helsinki(rebuild=args.rebuild)
            if side is None
            else cities.synthetic(side, n_points, n_fac, **({"folder": work} if args.quick else {}))
        )
        print(f"{city.name}: " + ", ".join(f"{k} {v:,}" for k, v in city.sizes().items()))
        if note:
            print(note)
        for variant in args.variants:
            runs[variant] = run_variant(city, variant, approaches, args, work)
            if "ours" in runs[variant]:
                runs[variant]["ours"]["python_work"] = str(work)
                checks[variant] = reference_checks(
                    city, variant, runs[variant]["ours"], args.radius
                )
        text, data = report(city, args, runs, checks)
    if note:
        text = text.replace("\nAGREEMENT:", f"\n{note}\nAGREEMENT:")
    print("\n" + text)
    if args.quick:
        return 0 if text.endswith("PASS") else 1
    name = f"coverage_{args.preset}"
    if list(args.variants) != list(VARIANTS):  # a partial run does not replace the full one
        name += "_" + "_".join(args.variants)
    path = write_report(name, text, data)
    print(f"\nwritten: {path}")
    return 0 if text.endswith("PASS") else 1


if __name__ == "__main__":
    sys.exit(main())
