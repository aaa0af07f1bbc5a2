"""Evaluate a scenario beside the baseline: which targets flip (met ↔ not met), in which
units, at what cost (facilities added, values changed).

Both sides run on one temporary copy of the store (`sandbox`), never on the real one:
first the baseline — the stored data, with coverage recomputed on the walking network
for each facility type the scenario adds to, exactly as ``shequ coverage`` would — then
the scenario's facilities and values are applied, coverage is recomputed again, and the
plan is evaluated a second time. So a difference between the sides is the actions' effect
and nothing else.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..evaluate.run import evaluate
from ..framework import labels
from ..framework.levels import LEVEL_ORDER
from ..framework.models import Plan
from ..report.context import ScenarioSection
from ..spatial import facility_types
from ..spatial.areas import assign_org_units
from ..spatial.run import run_coverage
from ..store import imports as store_imports
from ..store import scenarios as store_scenarios
from ..store.db import Store
from ..store.tables.spatial import Facility
from .sandbox import sandbox

_COVERAGE = re.compile(r"^residents_within_(\d+(?:\.\d+)?)m_(\w+)$")
KEY = ["indicator", "org_unit", "period"]
TARGETED = ("met", "not_met", "no_data")
#: the words (section ``scenario``) heading the columns of `Comparison.flip_rows`
FLIP_HEADERS = ("indicator", "unit", "target", "before", "after", "flip")


@dataclass
class Comparison:
    """Baseline and scenario side by side, one row per indicator × unit with a target."""

    name: str
    description: str
    period: str
    actions: pd.DataFrame
    rows: pd.DataFrame  # KEY, indicator_name, org_unit_name, level, target, comparator,
    # value_before, value_after, status_before, status_after, flip ("met", "missed", "")
    cost: dict[str, int] = field(default_factory=dict)
    recomputed: list[str] = field(default_factory=list)

    @property
    def flips(self) -> pd.DataFrame:
        """The rows whose target flips, met first."""
        out = self.rows[self.rows["flip"] != ""]
        return out.sort_values(["flip", "indicator", "org_unit"], ascending=[False, True, True])

    def summary(self) -> pd.DataFrame:
        """Per indicator whose value or status changed in any unit, and per level (top
        first): units meeting the target before and after, and flips either way."""
        moved = ~np.isclose(self.rows["value_before"], self.rows["value_after"], equal_nan=True)
        moved |= self.rows["status_before"] != self.rows["status_after"]
        changed = set(self.rows.loc[moved, "indicator"])
        rows = self.rows[self.rows["indicator"].isin(changed)]
        rows = rows.assign(
            met_before=rows["status_before"] == "met",
            met_after=rows["status_after"] == "met",
            gained=rows["flip"] == "met",
            lost=rows["flip"] == "missed",
            _rank=rows["level"].map(LEVEL_ORDER),
        ).sort_values(["indicator", "_rank"], kind="stable")
        return (
            rows.groupby(["indicator", "indicator_name", "level"], sort=False)
            .agg(units=("org_unit", "size"), met_before=("met_before", "sum"),
                 met_after=("met_after", "sum"), gained=("gained", "sum"), lost=("lost", "sum"))
            .reset_index()
        )  # fmt: skip

    def flip_rows(self, plan: Plan, lang: str) -> list[list[str]]:
        """The flips as printed: indicator, unit, target, baseline, scenario, flip word."""
        words = labels.section("scenario")
        rows = []
        for row in self.flips.itertuples(index=False):
            decimals = plan.indicator(row.indicator).decimals
            rows.append([
                f"{indicator_label(plan, row.indicator, lang)} ({row.indicator})",
                f"{row.org_unit_name} ({row.org_unit})",
                labels.target_text(row.comparator, row.target, decimals),
                labels.number(row.value_before, decimals), labels.number(row.value_after, decimals),
                labels.pick(words[f"flip_{row.flip}"], lang),
            ])  # fmt: skip
        return rows

    def report_section(self, plan: Plan, lang: str) -> ScenarioSection:
        """This comparison as the Word report's optional scenario section."""
        return ScenarioSection(self.name, self.period, self.description, FLIP_HEADERS,
                               self.flip_rows(plan, lang), self.cost_lines(plan, lang))  # fmt: skip

    def cost_lines(self, plan: Plan | None, lang: str) -> list[str]:
        """The cost in words: facilities added per type, values changed, coverage recomputed."""
        words = labels.section("scenario")
        types = facility_types.registry(plan)
        lines = []
        for key, count in self.cost.items():
            code = key.removeprefix("facility:")
            if key != code:
                kind = (
                    labels.pick((types[code].name, types[code].name_en), lang)
                    if code in types
                    else code
                )
                lines.append(labels.pick(words["facilities"], lang).format(type=kind, count=count))
        lines.append(labels.pick(words["values"], lang).format(count=self.cost.get("values", 0)))
        if self.recomputed:
            text = labels.pick(words["recomputed"], lang)
            lines.append(text.format(elements=", ".join(self.recomputed)))
        return lines


def indicator_label(plan: Plan, code: str, lang: str) -> str:
    """The indicator's name in ``lang`` (the plan's Chinese or English name)."""
    indicator = plan.indicator(code)
    return indicator.name if lang == "zh" else (indicator.name_en or indicator.name)


def evaluate_scenario(
    store: Store, plan: Plan, name: str, *, period: str, engine: str | None = None
) -> Comparison:
    """Evaluate scenario ``name`` for ``period`` against ``plan``'s targets, beside the
    baseline, on a temporary copy of ``store`` (the real store is only read).

    Cost: one copy of the evaluation inputs, two coverage runs per touched facility type
    and radius, two evaluations (not persisted).
    """
    with store.begin() as conn:
        meta, actions = store_scenarios.get(conn, name)
    facilities = actions[actions["kind"] == "facility"]
    values = actions[actions["kind"] == "value"]
    types = sorted(set(facilities["facility_type"]))
    radii = _coverage_elements(plan, types)
    with sandbox(store) as copy:
        for facility_type, radius in radii:
            run_coverage(copy, plan, facility_type=facility_type, radius=radius, period=period,
                         actor="scenario")  # fmt: skip
        before = evaluate(copy, plan, periods=[period], engine=engine, persist=False).results
        _add_facilities(copy, name, facilities)
        _write_values(copy, name, values)
        for facility_type, radius in radii:
            run_coverage(copy, plan, facility_type=facility_type, radius=radius, period=period,
                         actor="scenario")  # fmt: skip
        after = evaluate(copy, plan, periods=[period], engine=engine, persist=False).results
    cost = {f"facility:{t}": int((facilities["facility_type"] == t).sum()) for t in types}
    cost["values"] = len(values)
    return Comparison(
        meta["name"],
        meta["description"],
        period,
        actions,
        side_by_side(before, after),
        cost,
        [f"residents_within_{r:g}m_{t}" for t, r in radii],
    )


def side_by_side(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Rows with a target, baseline beside scenario, and the flip: ``met`` where the
    target becomes met, ``missed`` where it no longer is, else empty."""
    keep = ["indicator_name", "org_unit_name", "level", "target", "comparator", "value", "status"]
    left = before[before["status"].isin(TARGETED)][KEY + keep]
    right = after[after["status"].isin(TARGETED)][[*KEY, "value", "status"]]
    rows = left.merge(right, on=KEY, how="outer", suffixes=("_before", "_after"))
    rows["status_before"] = rows["status_before"].fillna("no_data")
    rows["status_after"] = rows["status_after"].fillna("no_data")
    flip = np.where(
        (rows["status_after"] == "met") & (rows["status_before"] != "met"), "met",
        np.where((rows["status_before"] == "met") & (rows["status_after"] != "met"), "missed", ""),
    )  # fmt: skip
    return rows.assign(flip=flip).reset_index(drop=True)


def _coverage_elements(plan: Plan, types: list[str]) -> list[tuple[str, float]]:
    """(type, radius) of every coverage data element of the plan for ``types``."""
    found = []
    for element in plan.data_elements:
        match = _COVERAGE.match(element.code)
        if match and match[2] in types:
            found.append((match[2], float(match[1])))
    return found


def _add_facilities(copy: Store, name: str, facilities: pd.DataFrame) -> None:
    if facilities.empty:
        return
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    with copy.begin() as conn:
        unit, source = assign_org_units(
            conn, facilities["lon"].to_numpy(float), facilities["lat"].to_numpy(float)
        )
        rows = [
            {"code": f"scenario-{digest}-{i + 1}", "type": f.facility_type, "name": f.name or "",
             "lon": float(f.lon), "lat": float(f.lat), "org_unit": unit[i],
             "org_unit_source": source[i] or "given"}
            for i, f in enumerate(facilities.itertuples(index=False))
        ]  # fmt: skip
        conn.execute(Facility.__table__.insert(), rows)


def _write_values(copy: Store, name: str, values: pd.DataFrame) -> None:
    if values.empty:
        return
    rows = values[["data_element", "org_unit", "period", "value"]].astype({"value": float})
    with copy.begin() as conn:
        store_imports.write_values(
            conn, rows, actor="scenario", batch=store_imports.Batch("scenario", name)
        )
