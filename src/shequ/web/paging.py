"""Paging of long tables and lists: every page and JSON list that can be long shows one
page of at most `MAX_SIZE` rows (``?page=&size=`` on pages, ``limit``/``offset`` on the
API), so no answer grows with the size of the tree (a province has 20 000 communities)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import Query

DEFAULT_SIZE = 50
MAX_SIZE = 500

PageNo = Annotated[int, Query(ge=1, le=10**6, description="页码 / page number, from 1")]
PageSize = Annotated[
    int, Query(ge=1, le=MAX_SIZE, description=f"每页行数 / rows per page (≤ {MAX_SIZE})")
]
Limit = Annotated[
    int,
    Query(ge=1, le=MAX_SIZE, description=f"最多返回行数 / at most this many rows (≤ {MAX_SIZE})"),
]
Offset = Annotated[int, Query(ge=0, le=10**9, description="跳过行数 / rows to skip")]


@dataclass(frozen=True)
class Page:
    """One page of ``total`` rows: ``rows``, its number (from 1) and ``size``."""

    rows: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The 1-based position of the page's first row (0 when there is none)."""
        return 0 if not self.rows else (self.number - 1) * self.size + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    def link(self, number: int, **params: Any) -> str:
        """The query string of page ``number`` keeping ``params`` (the filters)."""
        kept = {k: v for k, v in params.items() if v not in (None, "")}
        return "?" + urlencode({**kept, "page": number, "size": self.size})


def paginate(rows: Sequence[Any] | pd.DataFrame, number: int = 1, size: int = DEFAULT_SIZE) -> Page:
    """Page ``number`` (from 1; past the end: the last page) of ``rows`` (a list, or a
    frame whose page becomes records), ``size`` a page."""
    size = max(1, min(size, MAX_SIZE))
    last = max(1, -(-len(rows) // size))
    number = max(1, min(number, last))
    start = (number - 1) * size
    if isinstance(rows, pd.DataFrame):
        part = rows.iloc[start : start + size].to_dict("records")
    else:
        part = list(rows[start : start + size])
    return Page(part, number, size, len(rows))


def window(rows: Sequence[Any] | pd.DataFrame, limit: int, offset: int, response=None):
    """Rows ``offset`` … ``offset + limit`` of ``rows`` (a JSON list endpoint's answer);
    the whole count goes to the ``X-Total-Count`` header of ``response`` when given."""
    if response is not None:
        response.headers["X-Total-Count"] = str(len(rows))
    if isinstance(rows, pd.DataFrame):
        return rows.iloc[offset : offset + limit]
    return rows[offset : offset + limit]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-able rows (NaN as null), the form every JSON list answers in."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def listing(frame: pd.DataFrame, limit: int, offset: int, key: str, **meta: Any) -> dict:
    """A paged JSON answer: ``meta``, the ``total`` count, ``limit``, ``offset`` and the
    rows of the window under ``key``."""
    part = window(frame, limit, offset)
    return {**meta, "total": len(frame), "limit": limit, "offset": offset, key: records(part)}
