"""Read the walkable ways of an OpenStreetMap ``.osm.pbf`` extract with pyosmium.

Walkable: ways tagged ``highway`` with a value people walk on (footway, path, steps,
pedestrian, residential, service, living_street, track, the road classes from primary
down, cycleway ...). Left out: motorways and trunk roads and their links, ways under
construction or only proposed, ``foot=no``, and ``access=private/no`` (unless ``foot``
explicitly allows walking). A way whose nodes a clipped extract lacks is split there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...errors import ImportFileError
from ..network import WalkNetwork, from_polylines

WALKABLE = frozenset(
    {
        "footway", "path", "pedestrian", "steps", "living_street", "residential", "service",
        "unclassified", "road", "track", "cycleway", "bridleway", "corridor", "crossing",
        "primary", "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
        "sidewalk", "elevator", "platform",
    }
)  # fmt: skip
NO_WALKING = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "official"})
ACCESS_DENIED = frozenset({"no", "private"})


def is_walkable(tags) -> bool:
    """Whether a way with these OSM tags (a mapping) can be walked."""
    highway = tags.get("highway")
    foot = tags.get("foot")
    if highway is None or foot in ACCESS_DENIED or foot == "use_sidepath":
        return False
    if foot in FOOT_ALLOWED:
        return highway not in ("construction", "proposed", "abandoned", "razed")
    if highway not in WALKABLE or highway in NO_WALKING:
        return False
    return tags.get("access") not in ACCESS_DENIED


def _located_runs(nodes) -> list[list]:
    """Stretches of a way whose nodes are in the extract (a clipped extract lacks some):
    a way is split at a missing node rather than bridged by a straight line."""
    runs: list[list] = [[]]
    for node in nodes:
        if node.location.valid():
            runs[-1].append(node)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if len(r) >= 2]


def read_osm_pbf(path, *, crs: str | None = None) -> WalkNetwork:
    """Build the walking network of an ``.osm.pbf`` (or ``.osm``) extract.

    Nodes are OSM nodes used by walkable ways, edges the segments between consecutive
    nodes of a way, in metres of ``crs`` (default: chosen from the data by
    `shequ.spatial.crs.metric_crs`). Reading costs roughly a second per million way nodes.
    """
    import osmium

    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"找不到文件 {path} / file not found: {path}")
    ids: list[list[int]] = []
    lons: list[list[float]] = []
    lats: list[list[float]] = []
    processor = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in processor:
        if not is_walkable(way.tags):
            continue
        for run in _located_runs(way.nodes):
            ids.append([n.ref for n in run])
            lons.append([n.lon for n in run])
            lats.append([n.lat for n in run])
    if not ids:
        msg = (
            f"{path.name}：没有可步行的道路 / {path.name}: no walkable ways (highway=footway, "
            "residential, ...) in the extract"
        )
        raise ImportFileError(msg)
    parts = np.repeat(np.arange(len(ids)), [len(i) for i in ids])
    return from_polylines(
        np.concatenate(lons), np.concatenate(lats), parts, crs=crs, node_key=np.concatenate(ids)
    )
