"""Import a walking network: an OpenStreetMap ``.osm.pbf`` extract (walkable ways only) or
a line layer (GeoPackage, GeoJSON, Shapefile). The network is stored whole under a name
(``default`` unless told otherwise) with the file's SHA-256, so re-importing an unchanged
file changes nothing. Disconnected fragments are reported, never silently used: coverage
reports the residents snapped to them.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select, update

from ..errors import ImportFileError
from ..spatial import network as net_mod
from ..spatial.inputs import load_network as load_network
from ..store import audit
from ..store.db import Store
from ..store.tables.core import ImportBatch, utcnow
from ..store.tables.spatial import WalkNetworkRecord
from ._read import file_digest


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
        return net_mod.read_osm_pbf(path)
    return net_mod.read_lines(path, source_crs=source_crs)


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
    if not path.exists():
        raise ImportFileError(f"找不到文件 {path} / file not found: {path}")
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
        batch = conn.execute(
            insert(ImportBatch)
            .values(
                kind="network", file_name=str(path), file_sha256=digest, actor=actor,
                status="ok", rows_total=network.n_edges, finished_at=utcnow(),
            )
            .returning(ImportBatch.id)
        ).scalar_one()  # fmt: skip
        row["import_id"] = batch
        if old is None:
            conn.execute(insert(WalkNetworkRecord).values(**row))
            status = "inserted"
        else:
            conn.execute(
                update(WalkNetworkRecord).where(WalkNetworkRecord.name == name).values(**row)
            )  # a different network under the same name replaces it
            status = "updated"
        conn.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch)
            .values(rows_inserted=network.n_edges if status == "inserted" else 0,
                    rows_updated=network.n_edges if status == "updated" else 0)
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
