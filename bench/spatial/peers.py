"""The peers a user would otherwise pick, run in the peers' venv (see README.md).

    /tmp/peers-venv/bin/python bench/spatial/peers.py TASK.json

Each handler reads the same ``.npz`` inputs as our side (network edges exported from
shequ's own parse, points in metres) and writes its answer as ``.npz`` for the parent to
compare. Timed phases are named so that "end to end" and "query alone" can be told apart.

* ``pandana_coverage`` — pandana 0.7: ``Network(...)`` (contraction hierarchies built in
  the constructor), ``set_pois`` (facilities → nearest node), ``get_node_ids`` (points →
  nearest node), ``nearest_pois(radius, num_pois=1)``.
* ``networkx_coverage`` — the osmnx way: a MultiDiGraph with ``x``/``y``/``length`` like
  osmnx builds, ``osmnx.distance.nearest_nodes``, then
  ``networkx.multi_source_dijkstra_path_length(cutoff=radius)``.
* ``access_2sfca`` — PySAL access: ``Access(...).two_stage_fca`` (and with
  ``weights.step_fn`` for the enhanced variant) on a long origin–destination–cost table.
* ``spopt_siting`` — spopt 0.7: ``MCLP.from_cost_matrix`` / ``LSCP.from_cost_matrix`` on a
  dense clients × sites matrix, solved with PuLP's bundled CBC.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Phases, child_main, load, network_arrays, points_arrays, save


def pandana_coverage(task: dict, work: Path, phases: Phases) -> dict:
    import pandana
    import pandas as pd

    net, pts = network_arrays(task), points_arrays(task)
    radius = float(task["radius"])
    with phases.time("network: Network() incl. CH build"):
        nodes = pd.Index(np.arange(len(net["x"])), name="id")
        network = pandana.Network(
            pd.Series(net["x"], index=nodes),
            pd.Series(net["y"], index=nodes),
            pd.Series(net["u"]),
            pd.Series(net["v"]),
            pd.DataFrame({"length": net["length"]}),
            twoway=True,
        )
    with phases.time("snap: set_pois (facilities → node)"):
        network.set_pois(
            "facility",
            maxdist=radius,
            maxitems=1,
            x_col=pd.Series(pts["fx"]),
            y_col=pd.Series(pts["fy"]),
        )
    with phases.time("snap: get_node_ids (points → node)"):
        point_node = network.get_node_ids(pd.Series(pts["px"]), pd.Series(pts["py"])).to_numpy()
    with phases.time("query: nearest_pois"):
        found = network.nearest_pois(radius, "facility", num_pois=1, max_distance=np.inf)
        node_distance = found[1].to_numpy()
        distance = node_distance[network._node_indexes(pd.Series(point_node)).to_numpy()]
    save(work / f"{task['label']}.npz", distance=distance, point_node=point_node)
    covered = distance <= radius
    return {
        "covered_population": float(pts["pop"][covered].sum()),
        "covered_points": int(covered.sum()),
    }


def _osmnx_graph(net: dict[str, np.ndarray]):
    """An undirected walk network as osmnx builds it: MultiDiGraph, edges both ways."""
    import networkx as nx

    graph = nx.MultiDiGraph(crs=str(net["crs"]))
    graph.add_nodes_from(
        (i, {"x": x, "y": y})
        for i, (x, y) in enumerate(zip(net["x"].tolist(), net["y"].tolist(), strict=True))
    )
    u, v, length = net["u"].tolist(), net["v"].tolist(), net["length"].tolist()
    graph.add_edges_from((a, b, {"length": d}) for a, b, d in zip(u, v, length, strict=True))
    graph.add_edges_from((b, a, {"length": d}) for a, b, d in zip(u, v, length, strict=True))
    return graph


def networkx_coverage(task: dict, work: Path, phases: Phases) -> dict:
    import networkx as nx
    import osmnx as ox

    net, pts = network_arrays(task), points_arrays(task)
    radius = float(task["radius"])
    with phases.time("network: MultiDiGraph build"):
        graph = _osmnx_graph(net)
    with phases.time("snap: nearest_nodes"):
        f_node = ox.distance.nearest_nodes(graph, pts["fx"], pts["fy"])
        p_node = ox.distance.nearest_nodes(graph, pts["px"], pts["py"])
    with phases.time("query: multi_source_dijkstra"):
        reached = nx.multi_source_dijkstra_path_length(
            graph, set(np.asarray(f_node).tolist()), cutoff=radius, weight="length"
        )
        distance = np.array([reached.get(n, np.inf) for n in np.asarray(p_node).tolist()])
    save(work / f"{task['label']}.npz", distance=distance, point_node=np.asarray(p_node))
    covered = distance <= radius
    return {
        "covered_population": float(pts["pop"][covered].sum()),
        "covered_points": int(covered.sum()),
    }


def access_2sfca(task: dict, work: Path, phases: Phases) -> dict:
    import pandas as pd
    from access import Access, weights

    pairs, pts = load(task["pairs"]), load(task["points"])
    radius = float(task["radius"])
    with phases.time("tables"):
        demand = pd.DataFrame({"point": np.arange(len(pts["pop"])), "pop": pts["pop"]})
        supply = pd.DataFrame(
            {"facility": np.arange(len(pts["capacity"])), "capacity": pts["capacity"]}
        )
        cost = pd.DataFrame(
            {"origin": pairs["point"], "dest": pairs["facility"], "cost": pairs["distance"]}
        )
    with phases.time("Access(...)"):
        model = Access(
            demand_df=demand,
            demand_index="point",
            demand_value="pop",
            supply_df=supply,
            supply_index="facility",
            supply_value="capacity",
            cost_df=cost,
            cost_origin="origin",
            cost_dest="dest",
            cost_name="cost",
        )
    with phases.time("two_stage_fca"):
        plain = model.two_stage_fca(name="fca", max_cost=radius)["fca_capacity"]
    out = {"plain": plain.reindex(demand["point"]).fillna(0.0).to_numpy()}
    if task.get("bands"):
        bands = {float(upper): float(weight) for upper, weight in task["bands"]}
        with phases.time("enhanced two_stage_fca"):
            enhanced = model.two_stage_fca(
                name="e2sfca", max_cost=max(bands), weight_fn=weights.step_fn(bands)
            )["e2sfca_capacity"]
        out["enhanced"] = enhanced.reindex(demand["point"]).fillna(0.0).to_numpy()
    save(work / f"{task['label']}.npz", **out)
    return {"points": len(demand), "pairs": len(cost)}


def spopt_siting(task: dict, work: Path, phases: Phases) -> dict:
    import pulp
    from spopt.locate import LSCP, MCLP

    data = load(task["matrix"])
    radius = float(task["radius"])
    with phases.time("dense cost matrix"):
        cost = np.full((int(data["n_points"]), int(data["n_sites"])), 1e9)
        cost[data["point"], data["site"]] = data["distance"]
    limit = task.get("peer_time_limit")
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=float(limit) if limit else None)
    if task["model"] == "mclp":
        with phases.time("from_cost_matrix"):
            model = MCLP.from_cost_matrix(cost, data["weight"], radius, p_facilities=int(task["p"]))
    else:
        with phases.time("from_cost_matrix"):
            model = LSCP.from_cost_matrix(cost, radius)
    with phases.time("solve (CBC)"):
        model = model.solve(solver)
    chosen = [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]
    status = pulp.LpStatus[model.problem.status]
    if model.problem.sol_status != pulp.LpSolutionOptimal:  # e.g. stopped by the time limit
        status += f" ({pulp.LpSolution[model.problem.sol_status]})"
    save(work / f"{task['label']}.npz", chosen=np.array(chosen, dtype=np.int64))
    return {
        "objective": float(pulp.value(model.problem.objective)),
        "status": status,
        "chosen": chosen,
    }


HANDLERS = {
    "pandana_coverage": pandana_coverage,
    "networkx_coverage": networkx_coverage,
    "access_2sfca": access_2sfca,
    "spopt_siting": spopt_siting,
}
PRELOAD = {
    "pandana_coverage": ["pandas", "pandana"],
    "networkx_coverage": ["networkx", "osmnx"],
    "access_2sfca": ["pandas", "access"],
    "spopt_siting": ["pulp", "spopt.locate"],
}

if __name__ == "__main__":
    child_main(HANDLERS, PRELOAD)
