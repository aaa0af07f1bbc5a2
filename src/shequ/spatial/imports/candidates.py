"""Read candidate sites for siting: CSV/XLSX with ``lon,lat`` and optional ``code,name``
(经度,纬度,编码,名称 too), or a point (or polygon) layer. Coordinates are converted from
``crs`` (else the layer's own, else WGS-84) to stored WGS-84; a candidate without a code
is numbered ``C00001``, ``C00002`` ... in file order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...errors import ImportFileError
from ...ingest.cells import text
from ...ingest.readers import read_cells, rename_columns
from ...ingest.report import Problems
from . import _geo


def read_candidates(path: Path, *, crs: str | None = None) -> pd.DataFrame:
    """Candidate sites from CSV/XLSX (lon,lat[,code,name]) or a point layer, in WGS-84."""
    raw, _ = read_cells(Path(path))
    frame = rename_columns(raw, {**_geo.COORD_ALIASES, "code": "code", "编码": "code",
                                 "name": "name", "名称": "name"})  # fmt: skip
    if not {"lon", "lat"} <= set(frame.columns):
        raise ImportFileError("候选点文件缺少 lon,lat 列 / candidate file needs lon,lat columns")
    problems = Problems()
    frame = _geo.coordinates(frame, problems, _geo.declared_crs(raw, crs))
    if problems.items:
        raise ImportFileError("\n".join(str(p) for p in problems.items[:20]))
    codes = frame["code"].map(text) if "code" in frame else pd.Series("", index=frame.index)
    codes = codes.where(codes != "", [f"C{i + 1:05d}" for i in range(len(frame))])
    names = frame["name"].map(text) if "name" in frame else pd.Series("", index=frame.index)
    return pd.DataFrame(
        {"code": codes, "name": names, "lon": frame["lon_wgs84"], "lat": frame["lat_wgs84"]}
    )
