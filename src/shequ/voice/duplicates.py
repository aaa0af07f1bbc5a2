"""Group near-duplicate suggestions: the same problem reported many times in one place.

Two suggestions are near-duplicates when they concern the same community and the same
block (the ``location`` given, else a building number found in the text such as 3号楼,
5栋, 2单元; texts naming different buildings never group) and their wording is close: the
cosine similarity of their character 1–2-gram TF-IDF vectors is at least `THRESHOLD`.
Groups are the connected components of that relation; each group is identified by its
earliest suggestion's id, so staff answer once and the group size shows the weight of the
problem.

Cost: one sparse product per community block; 100 000 suggestions group in a few seconds
(see ``bench/voice``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components
from sqlalchemy import Connection, bindparam, select, update

from ..store.tables.voice import Suggestion

THRESHOLD = 0.55
_BLOCK = re.compile(r"(\d+|[一二三四五六七八九十]+)\s*(号楼|栋|幢|座|单元|号院)")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def block_of(text: str, location: str = "") -> str:
    """The block a suggestion concerns: its location, else the building numbers in its text."""
    if location.strip():
        return location.strip()
    return "|".join(sorted({m[0].replace(" ", "") for m in _BLOCK.finditer(text)}))


def group_ids(frame: pd.DataFrame, *, threshold: float = THRESHOLD) -> pd.Series:
    """Group id (the earliest member's ``id``) for each row of ``frame``.

    ``frame`` needs columns ``id``, ``org_unit``, ``text`` and optionally ``location`` and
    ``received_at`` (earliest first; else the smallest id leads the group).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if frame.empty:
        return pd.Series([], dtype="int64")
    location = frame["location"] if "location" in frame else pd.Series("", index=frame.index)
    texts = frame["text"].fillna("").astype(str)
    blocks = [block_of(t, loc or "") for t, loc in zip(texts, location.fillna(""), strict=True)]
    key = frame["org_unit"].astype(str) + "\x1f" + pd.Series(blocks, index=frame.index)
    order_cols = [c for c in ("received_at", "id") if c in frame]
    order = frame.assign(_key=key).sort_values(["_key", *order_cols]).index
    vectors = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), dtype=np.float32).fit_transform(
        texts.loc[order].map(lambda t: _NOISE.sub("", t.replace("*", "")))
    )
    keys = pd.factorize(key.loc[order])[0]
    ids = frame.loc[order, "id"].to_numpy()
    labels = _components(vectors, keys, threshold)
    # components are numbered in row order, and rows are sorted by block then time: the
    # first row of each component is its earliest suggestion
    first = pd.Series(ids).groupby(labels).transform("first").to_numpy()
    return pd.Series(first, index=order).loc[frame.index]


def _components(vectors, keys: np.ndarray, threshold: float) -> np.ndarray:
    """Connected components of "same block and similarity >= threshold" over rows sorted
    by block: one small sparse product per block of two or more rows."""
    from scipy.sparse import coo_matrix

    n = vectors.shape[0]
    starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    ends = np.r_[starts[1:], n]
    rows, cols = [], []
    for lo, hi in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
        part = vectors[lo:hi]
        sim = (part @ part.T).tocoo()
        keep = (sim.data >= threshold) & (sim.row < sim.col)
        rows.append(sim.row[keep] + lo)
        cols.append(sim.col[keep] + lo)
    r = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
    c = np.concatenate(cols) if cols else np.array([], dtype=np.int64)
    graph = coo_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


@dataclass
class GroupReport:
    suggestions: int
    groups: int
    grouped: int  # suggestions in a group of two or more
    largest: int
    seconds: float


def group_store(conn: Connection, *, threshold: float = THRESHOLD) -> GroupReport:
    """Recompute the near-duplicate groups of every suggestion in the store."""
    started = time.perf_counter()
    frame = pd.read_sql(
        select(
            Suggestion.id,
            Suggestion.org_unit,
            Suggestion.location,
            Suggestion.text,
            Suggestion.received_at,
        ),
        conn,
    )
    groups = group_ids(frame, threshold=threshold)
    changed = frame.assign(group=groups)
    params = [
        {"row_id": int(i), "g": int(g)}
        for i, g in zip(changed["id"], changed["group"], strict=True)
    ]
    if params:
        statement = (
            update(Suggestion)
            .where(Suggestion.id == bindparam("row_id"))
            .values(group_id=bindparam("g"))
        )
        conn.execution_options(synchronize_session=False).execute(statement, params)
    sizes = groups.value_counts()
    return GroupReport(
        len(frame),
        len(sizes),
        int(sizes[sizes > 1].sum()),
        int(sizes.max()) if len(sizes) else 0,
        time.perf_counter() - started,
    )


def top_groups(
    conn: Connection, *, org_units: list[str] | None = None, limit: int = 10
) -> pd.DataFrame:
    """The largest groups: group_id, org_unit, size, category and the leading text."""
    query = select(
        Suggestion.group_id,
        Suggestion.id,
        Suggestion.org_unit,
        Suggestion.text,
        Suggestion.category,
    ).where(Suggestion.group_id.is_not(None))
    if org_units is not None:
        query = query.where(Suggestion.org_unit.in_(org_units))
    rows = pd.read_sql(query, conn)
    if rows.empty:
        return pd.DataFrame(columns=["group_id", "org_unit", "size", "category", "text"])
    sizes = rows.groupby("group_id").size().rename("size")
    leaders = rows[rows["id"] == rows["group_id"]].set_index("group_id")
    out = leaders.join(sizes).sort_values(["size", "org_unit"], ascending=[False, True])
    return out.reset_index()[["group_id", "org_unit", "size", "category", "text"]].head(limit)
