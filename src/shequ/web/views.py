"""What the pages show, gathered from a stored evaluation run and cached per run.

Numbers come from `report.context.build_context` (the same gathering the Word and PDF
reports use): this module only picks, orders and labels them. Everything, trends,
projections and diagnoses included, is read from the stored run in the server process; no
evaluation engine runs here.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

import pandas as pd

from ..errors import EvaluationError
from ..framework import labels
from ..report.context import ReportContext, build_context
from ..report.rows import clean as _clean
from ..report.rows import decimals_of, indicator_rows, value_text
from ..store import orgunits, runs
from ..store.db import Store
from . import i18n


class ContextCache:
    """Report contexts by (run, unit, kind); a new run or changed data makes new keys."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._making: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, make) -> Any:
        """The cached value, or ``make()`` computed once however many requests ask at once."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            value = make()
            with self._lock:
                self._items[key] = value
                self._making.pop(key, None)
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
        return value


class Ttl:
    """A value per key kept for ``seconds`` (the latest run, subtrees): pages read them on
    every request, and a new run or a changed tree shows within that time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._items: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any, make) -> Any:
        now = time.monotonic()
        found = self._items.get(key)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        value = make()
        self._items[key] = (now, value)
        if len(self._items) > 10_000:
            self._items = {k: v for k, v in self._items.items() if now - v[0] < self.seconds}
        return value

    def forget(self, key: Any) -> None:
        self._items.pop(key, None)


_PERIODS: dict[tuple[str, int], str] = {}
_UNITS = Ttl(10.0)  # the units of a day, as `deps._SUBTREES`: a changed tree shows within 10 s


def units_of_day(store: Store, day) -> pd.DataFrame:
    """`orgunits.units_on` of ``day``, read once per 10 s per store (the entry grid's
    pickers and the ranking's districts walk the whole tree of a province)."""

    def make() -> pd.DataFrame:
        with store.begin() as conn:
            return orgunits.units_on(conn, day)

    return _UNITS.get((store.url, day), make)


def latest_run(store: Store) -> tuple[int, str] | None:
    """(id, period) of the newest complete evaluation run, or None (one max(id) per call)."""
    with store.begin() as conn:
        run_id = runs.latest_id(conn)  # complete runs only (issue 13 #13)
        if run_id is None:
            return None
        key = (store.url, int(run_id))
        if key not in _PERIODS:
            _PERIODS[key] = runs.get(conn, run_id).periods.split(",")[-1]
    return int(run_id), _PERIODS[key]


def stored_context(
    store: Store, cache: ContextCache, run_id: int, unit: str, *, depth: int | None = 1
) -> ReportContext:
    """A unit's context from what run ``run_id`` stored, without trends and diagnoses: the
    unit and its direct sub-units (``depth`` 1, what the overview shows), or its subtree to
    ``depth`` (None: all of it); cached per run, unit and depth."""
    return cache.get(
        ("stored", run_id, unit, depth),
        lambda: build_context(store, run_id, unit, trends=False, depth=depth),
    )


def full_context(
    store: Store, cache: ContextCache, run_id: int, unit: str, version: int
) -> tuple[ReportContext, pd.DataFrame]:
    """A unit's context with the run's trends, projections and diagnoses (for scorecards),
    and the unit's indicator values over the earlier periods (indicator, period, value), as
    run ``run_id`` stored them; cached per run, unit and data ``version`` (its tasks)."""

    def make() -> tuple[ReportContext, pd.DataFrame]:
        context = build_context(store, run_id, unit, depth=1)
        with store.begin() as conn:
            earlier = runs.history(conn, run_id, org_unit=unit)
        keep = ["indicator", "period", "value"]
        history = pd.concat([earlier[keep], context.indicators[keep]], ignore_index=True)
        history = history.dropna().drop_duplicates(["indicator", "period"])
        return context, history.sort_values(keep[:2])

    return cache.get(("full", run_id, unit, version), make)


def indicator_head(lang: str) -> dict[str, str]:
    """Column headings of the pages' indicator tables (the report's partial
    ``_indicators.html``), in ``lang``."""
    t = i18n.translator(lang)
    words = ("indicator", "value", "target", "status", "trend", "projection")
    return {**{w: t(w) for w in words}, "reporting": "n"}


def dimension_summary(context: ReportContext, lang: str) -> list[dict[str, Any]]:
    """Per dimension: targets met out of targets with data, and the unit's score if scored."""
    ind = context.indicators
    scores = context.dimension_scores
    mine = scores[scores["org_unit"] == context.unit] if len(scores) else scores
    out = []
    for d in context.plan.dimensions:
        part = ind[ind["dimension"] == d.code]
        judged = part[part["status"].isin(["met", "not_met"])]
        score = (
            mine[mine["dimension"] == d.code]["score"] if len(mine) else pd.Series([], dtype=float)
        )
        out.append(
            {
                "code": d.code,
                "name": d.name if lang == "zh" else d.name_en,
                "met": int((judged["status"] == "met").sum()),
                "judged": len(judged),
                "score": None if score.empty else _clean(float(score.iloc[0])),
            }
        )
    return out


def urgent_gaps(context: ReportContext, lang: str, n: int = 5) -> list[dict[str, Any]]:
    return indicator_rows(context.serious_gaps(n), lang)


def ranking(
    store: Store,
    run_id: int,
    *,
    allowed: set[str],
    level: str,
    day,
    dimension: str = "overall",
    query: str = "",
) -> pd.DataFrame:
    """Units of ``level`` in ``allowed`` ranked by ``dimension`` score, with rank intervals
    and the district each lies in (``district``, ``district_name``)."""
    with store.begin() as conn:
        scores = runs.composite_scores(conn, run_id, level=level, dimension=dimension)
        names = orgunits.names(conn)
    units = units_of_day(store, day)
    part = scores[scores["org_unit"].isin(allowed)].copy()
    part["name"] = part["org_unit"].map(names)
    part["district"] = part["org_unit"].map(district_of(units, part["org_unit"]))
    part["district_name"] = part["district"].map(names)
    return matching(part.sort_values(["rank", "org_unit"]).reset_index(drop=True), query)


def matching(frame: pd.DataFrame, query: str) -> pd.DataFrame:
    """The rows of a ranking whose name or code contains ``query`` (all when empty)."""
    if not query:
        return frame
    found = frame["name"].str.contains(query, regex=False) | frame["org_unit"].str.contains(
        query, regex=False
    )
    return frame[found].reset_index(drop=True)


def district_of(units: pd.DataFrame, codes=None) -> dict[str, str]:
    """The district (区县) each unit of ``codes`` (default: all) lies in, itself for a
    district, by walking up the parents of ``units`` (code, level, parent_code); units
    above districts have none."""
    level = dict(zip(units["code"], units["level"], strict=True))
    parent = dict(zip(units["code"], units["parent_code"], strict=True))
    out: dict[str, str] = {}
    for code in level if codes is None else codes:
        up, seen = code, 0
        while up in level and level[up] != "district" and seen < 10:
            up, seen = parent.get(up), seen + 1
        if up in level and level[up] == "district":
            out[code] = up
    return out


def scored_run(store: Store) -> tuple[int, str] | None:
    """(id, period) of the newest run with composite scores (the ranking's run)."""
    with store.begin() as conn:
        return runs.latest_scored_run(conn)


def trend_panels(context: ReportContext, history: pd.DataFrame, lang: str) -> list[dict]:
    """One small chart per indicator of the unit: its values over the periods, its target
    (a line), and the projection from the last value to the target period (dotted), with
    the indicator's unit and decimals, so each chart has its own axis."""
    mine = context.indicators[context.indicators["org_unit"] == context.unit]
    latest = {r["indicator"]: r for r in mine.to_dict("records")}
    panels = []
    for ind in context.plan.indicators:
        past = history[history["indicator"] == ind.code]
        if past.empty:
            continue
        row = latest.get(ind.code, {})
        target_period = row.get("target_period")
        projected = _clean(row.get("projected_value"))
        ahead = isinstance(target_period, str) and target_period > str(past["period"].iloc[-1])
        panels.append(
            {
                "indicator": ind.code,
                "name": ind.name if lang == "zh" else ind.name_en,
                "unit": (ind.unit if lang == "zh" else ind.unit_en) or "",
                "decimals": decimals_of(ind.decimals),
                "periods": [str(p) for p in past["period"]],
                "values": [float(v) for v in past["value"]],
                "target": _clean(row.get("target")),
                "comparator": row.get("comparator")
                if isinstance(row.get("comparator"), str)
                else None,
                "target_period": target_period if ahead else None,
                "projected": projected if ahead else None,
            }
        )
    return panels


def map_layer(context: ReportContext, indicator: str | None, lang: str) -> dict[str, Any]:
    """What the map colours: the unit's direct children (a community's own map shows
    itself) with the overall score or an indicator's value, and per child the target and
    status for the tooltip; the legend's title, unit and decimals."""
    subunits = context.subunits
    if context.level == "community":
        frame, codes = context.indicators, [context.unit]
    else:
        frame = subunits
        codes = list(dict.fromkeys(subunits[subunits["depth"] == 1]["org_unit"]))
    levels = dict(zip(frame["org_unit"], frame["level"], strict=False))
    if not indicator:
        overall = context.overall_scores
        scores = {r["org_unit"]: _clean(r["score"]) for r in overall.to_dict("records")}
        zh = lang == "zh"
        legend = {"title": "综合得分" if zh else "Overall score", "unit": "", "decimals": 1}
        details = {c: {"value": scores.get(c)} for c in codes}
    else:
        ind = next((i for i in context.plan.indicators if i.code == indicator), None)
        if ind is None:
            msg = f"未知指标 {indicator} / unknown indicator {indicator}"
            raise EvaluationError(msg)
        rows = frame[(frame["indicator"] == indicator) & frame["org_unit"].isin(codes)]
        unit = (ind.unit if lang == "zh" else ind.unit_en or ind.unit) or ""
        legend = {
            "title": ind.name if lang == "zh" else ind.name_en,
            "unit": unit,
            "decimals": decimals_of(ind.decimals),
        }
        details = {
            r["org_unit"]: {
                "value": _clean(r["value"]),
                "target": _clean(r.get("target")),
                "comparator": r.get("comparator") if isinstance(r.get("comparator"), str) else None,
                "status": r.get("status"),
                "status_label": labels.pick(labels.STATUS[r["status"]], lang)
                if isinstance(r.get("status"), str) and r["status"] in labels.STATUS
                else "",
            }
            for r in rows.to_dict("records")
        }
    return {
        "codes": codes,
        "values": {c: details.get(c, {}).get("value") for c in codes},
        "details": details,
        "levels": {c: levels.get(c) for c in codes},
        "legend": legend,
    }


def peer_rows(context: ReportContext) -> list[dict[str, Any]]:
    """Better-performing peers of similar size named by the diagnosis, per gap, their
    values printed with the indicator's decimals and unit."""
    meta = {i.code: i for i in context.plan.indicators}
    rows = []
    for diagnosis in context.diagnoses:
        for gap in diagnosis.gaps:
            ind = meta.get(gap.indicator)
            decimals = decimals_of(ind.decimals if ind else None)
            for peer in gap.peers:
                rows.append(
                    {
                        "indicator": gap.indicator,
                        "org_unit": peer.org_unit,
                        "name": peer.name,
                        "value": value_text(peer.value, decimals, ind.unit if ind else ""),
                        "raw_value": _clean(peer.value),
                    }
                )
    return rows
