"""Our side: shequ.spatial's array API, run in shequ's venv (see README.md).

    .venv/bin/python bench/spatial/ours.py TASK.json

Handlers (``kind``), each timing its phases:

* ``prepare_osm`` — ``imports.osm.read_osm_pbf`` on the real extract; keeps the largest
  component (fragments are counted and reported); projects the peers' lon/lat points into
  the network's metric CRS (``crs.project``); writes the network and points ``.npz`` that
  BOTH sides then read, so the networks are identical edge for edge.
* ``coverage`` — ``from_edges`` + ``snap`` (facilities and points) + ``nearest_distances``.
* ``pairs`` — ``catchment_pairs`` (the sparse facility–point table for 2SFCA and siting).
* ``fca`` — ``two_step_fca`` (plain, and enhanced with distance bands).
* ``siting`` — ``maximal_covering`` / ``set_covering`` on a given cover matrix.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Phases, child_main, load, network_arrays, points_arrays, save


def _network(arrays: dict):
    from shequ.spatial import network as nw

    return nw.from_edges(
        arrays["x"], arrays["y"], arrays["u"], arrays["v"], arrays["length"], crs=str(arrays["crs"])
    )


def prepare_osm(task: dict, work: Path, phases: Phases) -> dict:
    from scipy.spatial import cKDTree

    from shequ.spatial import crs as crs_mod
    from shequ.spatial.imports.osm import read_osm_pbf

    with phases.time("read_osm_pbf"):
        net = read_osm_pbf(task["pbf"])
    stats = {
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "km": float(net.length.sum() / 1000),
        "crs": net.crs,
        **net.fragments(),
    }
    main = net.edge_component == 0
    keep_nodes = np.flatnonzero(net.component == 0)
    renumber = np.full(net.n_nodes, -1, np.int64)
    renumber[keep_nodes] = np.arange(keep_nodes.size)
    x, y = net.x[keep_nodes], net.y[keep_nodes]
    save(
        Path(task["network_out"]),
        x=x,
        y=y,
        u=renumber[net.u[main]],
        v=renumber[net.v[main]],
        length=net.length[main],
        crs=np.array(net.crs),
    )
    raw = load(task["lonlat"])
    px, py = crs_mod.project(raw["lon"], raw["lat"], net.crs)
    fx, fy = crs_mod.project(raw["flon"], raw["flat"], net.crs)
    tree = cKDTree(np.c_[x, y])
    p_node, f_node = tree.query(np.c_[px, py])[1], tree.query(np.c_[fx, fy])[1]
    save(
        Path(task["points_out"]),
        px=px,
        py=py,
        pop=raw["pop"],
        fx=fx,
        fy=fy,
        capacity=raw["capacity"],
        p_node=p_node,
        f_node=f_node,
        px_on_node=x[p_node],
        py_on_node=y[p_node],
        fx_on_node=x[f_node],
        fy_on_node=y[f_node],
    )
    stats.update(
        kept_nodes=int(x.size),
        kept_edges=int(main.sum()),
        kept_km=float(net.length[main].sum() / 1000),
    )
    return stats


def coverage(task: dict, work: Path, phases: Phases) -> dict:
    from shequ.spatial import coverage as cov
    from shequ.spatial import network as nw

    arrays, pts = network_arrays(task), points_arrays(task)
    radius = float(task["radius"])
    with phases.time("network: from_edges + CSR"):
        net = _network(arrays)
        _ = net.graph
    with phases.time("snap: snap (edges)"):
        facilities = nw.snap(net, pts["fx"], pts["fy"])
        points = nw.snap(net, pts["px"], pts["py"])
    with phases.time("query: nearest_distances"):
        distance = cov.nearest_distances(net, facilities, points, limit=radius)
    save(
        work / f"{task['label']}.npz",
        distance=distance,
        f_edge=facilities.edge,
        f_along=facilities.along,
        f_offset=facilities.offset,
        p_edge=points.edge,
        p_along=points.along,
        p_offset=points.offset,
    )
    covered = distance <= radius
    return {
        "covered_population": float(pts["pop"][covered].sum()),
        "covered_points": int(covered.sum()),
    }


def pairs(task: dict, work: Path, phases: Phases) -> dict:
    from shequ.spatial import access
    from shequ.spatial import network as nw

    arrays, pts = load(task["network"]), load(task["points"])
    net = _network(arrays)
    if "sites" in task:  # candidate sites (x, y) instead of the facilities
        sites_file = load(task["sites"])
        sx, sy = sites_file["x"], sites_file["y"]
    else:
        sx, sy = pts["fx"], pts["fy"]
    with phases.time("snap: snap (edges)"):
        sites = nw.snap(net, sx, sy)
        points = nw.snap(net, pts["px"], pts["py"])
    with phases.time("query: catchment_pairs"):
        facility, point, distance = access.catchment_pairs(
            net, sites, points, limit=float(task["radius"])
        )
    save(
        Path(task["pairs_out"]),
        facility=facility,
        point=point,
        distance=distance,
        n_sites=len(sx),
        n_points=len(pts["px"]),
    )
    return {"pairs": len(facility)}


def fca(task: dict, work: Path, phases: Phases) -> dict:
    from shequ.spatial import access

    data, pts = load(task["pairs"]), load(task["points"])
    keep = data["distance"] <= float(task["radius"])
    with phases.time("two_step_fca"):
        plain = access.two_step_fca(
            data["facility"][keep],
            data["point"][keep],
            data["distance"][keep],
            supply=pts["capacity"],
            demand=pts["pop"],
        )
    out = {"plain": plain}
    if task.get("bands"):
        bands = [(float(upper), float(weight)) for upper, weight in task["bands"]]
        with phases.time("enhanced two_step_fca"):
            out["enhanced"] = access.two_step_fca(
                data["facility"],
                data["point"],
                data["distance"],
                supply=pts["capacity"],
                demand=pts["pop"],
                bands=bands,
            )
    save(work / f"{task['label']}.npz", **out)
    return {"points": len(plain)}


def siting(task: dict, work: Path, phases: Phases) -> dict:
    import scipy.sparse as sp

    from shequ.spatial import siting as st

    data = load(task["matrix"])
    within = data["distance"] <= float(task["radius"])
    with phases.time("cover matrix"):
        cover = sp.csr_matrix(
            (np.ones(int(within.sum()), bool), (data["point"][within], data["site"][within])),
            shape=(int(data["n_points"]), int(data["n_sites"])),
        )
    with phases.time("solve (HiGHS)"):
        if task["model"] == "mclp":
            result = st.maximal_covering(
                cover, data["weight"], int(task["p"]), time_limit=float(task.get("time_limit", 60))
            )
        else:
            result = st.set_covering(
                cover, data["weight"], share=1.0, time_limit=float(task.get("time_limit", 60))
            )
    return {
        "objective": float(result.objective),
        "bound": float(result.bound),
        "gap": float(result.gap),
        "greedy_objective": float(result.greedy_objective),
        "status": str(result.status),
        "chosen": [int(c) for c in result.chosen],
        "solver_seconds": float(result.seconds),
    }


HANDLERS = {
    "prepare_osm": prepare_osm,
    "coverage": coverage,
    "pairs": pairs,
    "fca": fca,
    "siting": siting,
}
_SPATIAL = ["scipy.sparse", "shapely", "shequ.spatial.network"]
PRELOAD = {
    "coverage": [*_SPATIAL, "shequ.spatial.coverage"],
    "pairs": [*_SPATIAL, "shequ.spatial.access"],
    "fca": ["shequ.spatial.access"],
    "siting": ["scipy.sparse", "shequ.spatial.siting"],
    "prepare_osm": [*_SPATIAL, "shequ.spatial.crs", "shequ.spatial.imports.osm"],
}

if __name__ == "__main__":
    child_main(HANDLERS, PRELOAD)
