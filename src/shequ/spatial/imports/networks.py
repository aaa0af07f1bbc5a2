"""Import a walking network: an OpenStreetMap ``.osm.pbf`` extract (walkable ways only,
`shequ.spatial.imports.osm`) or a line layer (GeoPackage, GeoJSON, Shapefile,
`read_lines`). The network is stored whole under a name (``default`` unless told otherwise)
with the file's SHA-256, so re-importing an unchanged file changes nothing. Disconnected
fragments are reported, never silently used: coverage reports the residents snapped to them.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import insert, select, update

from ...errors import ImportFileError
from ...ingest.limits import Limits, check_file
from ...ingest.readers import file_digest, read_layer
from ...store import audit
from ...store import imports as store_imports
from ...store.db import Store
from ...store.tables.core import utcnow
from ...store.tables.spatial import WalkNetworkRecord
from .. import crs as crs_mod
from .. import network as net_mod
from .osm import read_osm_pbf


@dataclass
class NetworkImport:
    """What a network import did."""

    name: str
    file: Path
    status: str  # inserted | updated | unchanged
    n_nodes: int
    n_edges: int
    crs: str
    fragments: dict
    import_id: int | None = None

    exit_code: int = 0

    def summary(self, lang: str = "zh") -> str:
        f = self.fragments
        zh_status = {"inserted": "新增", "updated": "已更新", "unchanged": "未变"}[self.status]
        if lang == "zh":
            return (
                f"{self.file.name}：步行网络“{self.name}”{zh_status}，{self.n_nodes:,} 个节点，"
                f"{self.n_edges:,} 条边（{self.crs}）；不连通的碎片 {f['components']} 个"
                f"（{f['fragment_nodes']:,} 个节点，{f['fragment_length_m']:,.0f} 米），"
                "落在碎片上的居民不计为可达"
            )
        return (
            f"{self.file.name}: walking network '{self.name}' {self.status}, {self.n_nodes:,} "
            f"nodes, {self.n_edges:,} edges ({self.crs}); {f['components']} disconnected "
            f"fragments ({f['fragment_nodes']:,} nodes, {f['fragment_length_m']:,.0f} m); "
            "residents snapped to them count as not reached"
        )


def read_network(path: Path, *, source_crs: str | None = None) -> net_mod.WalkNetwork:
    """Read ``path`` as an OSM extract (.pbf/.osm) or a line layer."""
    name = path.name.lower()
    if name.endswith((".osm.pbf", ".pbf", ".osm")):
        return read_osm_pbf(path)
    return read_lines(path, source_crs=source_crs)


def read_lines(
    source, *, crs: str | None = None, source_crs: str | None = None, layer=None
) -> net_mod.WalkNetwork:
    """A network from a line layer: a GeoPackage, GeoJSON or Shapefile path, or a GeoDataFrame.

    Every vertex becomes a node (vertices within 1 mm are merged), every segment an edge:
    lines connect where they share a vertex, as in OpenStreetMap and most road layers.
    ``source_crs`` overrides the layer's own CRS (needed for ``gcj02``/``bd09`` data);
    ``crs`` is the metric CRS to build in (default: chosen from the data).
    """
    geoms, declared = _read_line_geometries(source, layer)
    lon, lat, parts = _line_vertices(geoms)
    lon, lat = crs_mod.to_stored(lon, lat, source_crs or declared or crs_mod.STORED_CRS)
    return net_mod.from_polylines(lon, lat, parts, crs=crs)


def _read_line_geometries(source, layer) -> tuple[np.ndarray, str | None]:
    if hasattr(source, "geometry"):  # a GeoDataFrame
        declared = source.crs.to_string() if source.crs is not None else None
        return np.asarray(source.geometry.values), declared
    geoms, _, declared = read_layer(Path(source), layer=layer)
    return geoms, declared


def _line_vertices(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lines = shapely.get_parts(geoms[shapely.get_type_id(geoms) != -1])
    lines = lines[np.isin(shapely.get_type_id(lines), (1, 2))]  # LineString, LinearRing
    coords, parts = shapely.get_coordinates(lines, return_index=True)
    return coords[:, 0], coords[:, 1], parts


def import_network(
    store: Store,
    path: str | Path,
    *,
    name: str = "default",
    crs: str | None = None,
    actor: str = "cli",
) -> NetworkImport:
    """Read the network in ``path`` and store it under ``name`` (one transaction)."""
    path = Path(path)
    check_file(path, Limits.from_env())  # a layer is held to the rest by read_layer
    digest = file_digest(path)
    with store.begin() as conn:
        old = conn.execute(
            select(
                WalkNetworkRecord.source_sha256, WalkNetworkRecord.n_nodes,
                WalkNetworkRecord.n_edges, WalkNetworkRecord.crs,
                WalkNetworkRecord.fragments_json, WalkNetworkRecord.arrays,
            ).where(WalkNetworkRecord.name == name)
        ).one_or_none()  # fmt: skip
    if old is not None and old.source_sha256 == digest:
        return _unchanged(name, path, old)
    network = read_network(path, source_crs=crs)
    if network.n_edges == 0:
        raise ImportFileError(f"{path.name}：没有线要素 / no line features in the file")
    if old is not None and _same_arrays(old.arrays, network):
        return _unchanged(name, path, old)  # rewritten file, same network (e.g. a new GPKG)
    fragments = network.fragments()
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **net_mod.save_arrays(network))
    row = {
        "name": name,
        "source_file": str(path),
        "source_sha256": digest,
        "crs": network.crs,
        "n_nodes": network.n_nodes,
        "n_edges": network.n_edges,
        "fragments_json": json.dumps(fragments),
        "arrays": buffer.getvalue(),
        "updated_at": utcnow(),
    }
    with store.begin() as conn:
        batch = store_imports.start_batch(
            conn, kind="network", file_name=str(path), file_sha256=digest, actor=actor
        )
        row["import_id"] = batch
        if old is None:
            conn.execute(insert(WalkNetworkRecord).values(**row))
            status = "inserted"
        else:
            conn.execute(
                update(WalkNetworkRecord).where(WalkNetworkRecord.name == name).values(**row)
            )  # a different network under the same name replaces it
            status = "updated"
        store_imports.finish_batch(
            conn, batch, status="ok", rows_total=network.n_edges, unchanged=0,
            inserted=network.n_edges if status == "inserted" else 0,
            updated=network.n_edges if status == "updated" else 0,
        )  # fmt: skip
        summary = {k: v for k, v in row.items() if k not in ("arrays", "updated_at")}
        audit.record(conn, [(status[:6], "walk_network", name, None, summary)], actor=actor,
                     import_id=batch)  # fmt: skip
    return NetworkImport(
        name, path, status, network.n_nodes, network.n_edges, network.crs, fragments, batch
    )


def _unchanged(name: str, path: Path, old) -> NetworkImport:
    fragments = json.loads(old.fragments_json)
    return NetworkImport(name, path, "unchanged", old.n_nodes, old.n_edges, old.crs, fragments)


def _same_arrays(blob: bytes, network: net_mod.WalkNetwork) -> bool:
    with np.load(io.BytesIO(blob)) as stored:
        fresh = net_mod.save_arrays(network)
        return all(
            stored[k].shape == np.asarray(v).shape and np.array_equal(stored[k], v)
            for k, v in fresh.items()
        )
