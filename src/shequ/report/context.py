"""Everything a report says, gathered once from an evaluation run.

The indicator values, statuses, composite scores, trends and projections are those stored
with the run, and diagnoses are made from the scores, weights and unit sizes it stored, so
a report always matches the run it names and no evaluation engine is started. Whenever a
section has no data (a run without composite scores stored no trends), the section is left
out with a sentence saying why — never printed as zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from ..errors import EvaluationError
from ..evaluate.assessment import load
from ..evaluate.composite.audit import Audit, audit
from ..evaluate.diagnosis import Diagnosis, diagnose, peer_group
from ..framework.levels import LEVEL_ORDER
from ..framework.models import Plan
from ..framework.periods import parse_period
from ..store import orgunits, runs
from ..store import tasks as store_tasks
from ..store.db import Store
from ._coverage import coverage_finding
from ._voice import voice_lines

DIAGNOSED_SUBUNITS = 3


@dataclass
class ScenarioSection:
    """A scenario beside the baseline, as a report prints it (built by `shequ.scenario`):
    the flipped targets as rows of text under ``headers`` (words of section ``scenario``)."""

    name: str
    period: str
    description: str
    headers: tuple[str, ...]
    flips: list[list[str]]
    cost: list[str]


@dataclass
class ReportContext:
    """What one report covers: a unit and its subtree in one period of one run."""

    run_id: int
    run_created: dt.datetime
    plan: Plan
    period: str
    unit: str
    unit_name: str
    level: str
    indicators: pd.DataFrame
    subunits: pd.DataFrame
    rankings: pd.DataFrame
    dimension_scores: pd.DataFrame
    diagnoses: list[Diagnosis]
    tasks: pd.DataFrame
    missing: dict[str, tuple[str, str]] = field(default_factory=dict)
    generated: dt.date = field(default_factory=dt.date.today)
    overall_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    voice: list[tuple[str, str]] = field(default_factory=list)  # (zh, en) sentences
    findings: dict[str, tuple[str, str]] = field(default_factory=dict)  # e.g. coverage
    scenario: ScenarioSection | None = None  # optional section (shequ report --scenario)
    audit: Audit | None = None  # the composite's statistical audit, sub-units' level
    audit_level: str | None = None

    def has(self, section: str) -> bool:
        return section not in self.missing

    def status_counts(self) -> dict[str, int]:
        counts = self.indicators["status"].value_counts()
        return {s: int(counts.get(s, 0)) for s in ("met", "not_met", "no_data", "no_target")}

    def serious_gaps(self, n: int = 3) -> pd.DataFrame:
        """The unmet indicators furthest from their target, relative to the target."""
        unmet = self.indicators[self.indicators["status"] == "not_met"].copy()
        unmet["relative_gap"] = (unmet["value"] - unmet["target"]).abs() / unmet["target"].abs()
        return unmet.sort_values("relative_gap", ascending=False).head(n)


def build_context(
    store: Store,
    run: int | str = "latest",
    unit: str | None = None,
    *,
    trends: bool = True,
    depth: int | None = None,
) -> ReportContext:
    """Gather the report of ``unit`` (default: the top unit) from evaluation ``run``.

    ``trends=False`` leaves out trends and diagnoses (pages that show neither, such as the
    web overview and map, skip reading them). ``depth`` = 1 reads the unit and its direct
    children only (a page of a province reads ~20 units, not 20 000; default: the whole
    subtree, as a report prints it).
    """
    with store.begin() as conn:
        row = runs.get(conn, run)
        plan = Plan.model_validate_json(row.plan_json)
        period = row.periods.split(",")[-1]
        day = parse_period(period).end
        unit = unit or _top_unit(conn, row.id, _named(orgunits.units_on(conn, day)), period)
        depths = orgunits.subtree_depths(conn, unit, day, max_depth=depth)
        if unit not in depths:
            msg = f"单位 {unit} 在 {period} 不存在 / unit {unit} does not exist in {period}"
            raise EvaluationError(msg)
        units = _named(orgunits.units_on(conn, day, codes=depths))
        results = runs.results(conn, row.id, org_units=depths, period=period)
        scores = runs.composite_scores(conn, row.id, org_units=depths)
        tasks = store_tasks.listing(conn, org_units=list(depths))
    enriched = _enrich(results[results["org_unit"].isin(depths)], units, depths, plan)
    mine = enriched[enriched["org_unit"] == unit]
    context = ReportContext(
        row.id,
        row.created_at,
        plan,
        period,
        unit,
        str(mine["org_unit_name"].iloc[0]),
        str(mine["level"].iloc[0]),
        mine.reset_index(drop=True),
        enriched[enriched["org_unit"] != unit].reset_index(drop=True),
        *_rankings(scores, depths, period, units),
        [],
        tasks,
    )
    overall = scores[(scores["dimension"] == "overall") & scores["org_unit"].isin(depths)]
    context.overall_scores = overall[overall["period"] == period].reset_index(drop=True)
    if trends:
        _add_trends_and_diagnoses(context, store, audited=depth is None)
    else:
        context.missing["trends"] = context.missing["diagnosis"] = (
            "趋势与诊断未计算",
            "trends and diagnoses not computed",
        )
    if depth is not None:  # a page: the report's chapters on the whole subtree are left out
        _note_missing(context)
        for section in ("coverage", "voice"):
            context.missing[section] = PAGE_LEAVES_OUT
        return context
    found = coverage_finding(store, period, depths)
    if found:
        context.findings["coverage"] = found
    _note_missing(context)
    with store.begin() as conn:
        context.voice = voice_lines(conn, unit, period, plan)
    if context.voice:
        del context.missing["voice"]
    return context


PAGE_LEAVES_OUT = ("页面不含此部分（见评估报告）", "not shown on a page (see the report)")


def _named(units: pd.DataFrame) -> pd.DataFrame:
    return units.rename(columns={"code": "org_unit", "name": "org_unit_name"})


def _top_unit(conn, run_id: int, units: pd.DataFrame, period: str) -> str:
    """The highest unit with results in the run (the roots first: one read per level)."""
    for _, part in units.sort_values("level", key=lambda s: s.map(LEVEL_ORDER)).groupby(
        "level", sort=False
    ):
        found = runs.results(conn, run_id, org_units=set(part["org_unit"]), period=period)
        if len(found):
            present = part[part["org_unit"].isin(set(found["org_unit"]))]
            return str(present.sort_values("org_unit").iloc[0]["org_unit"])
    raise EvaluationError("评估运行没有结果 / the evaluation run has no results")


def _enrich(
    frame: pd.DataFrame, units: pd.DataFrame, depths: dict[str, int], plan: Plan
) -> pd.DataFrame:
    out = frame.merge(units[["org_unit", "org_unit_name", "level", "parent_code"]], on="org_unit")
    out["depth"] = out["org_unit"].map(depths)
    meta = {i.code: i for i in plan.indicators}
    out = out[out["indicator"].isin(meta)]
    for column, get in {
        "indicator_name": lambda i: i.name,
        "indicator_name_en": lambda i: i.name_en,
        "dimension": lambda i: i.dimension,
        "unit": lambda i: i.unit,
        "unit_en": lambda i: i.unit_en,
        "decimals": lambda i: i.decimals,
        "direction": lambda i: i.direction,
    }.items():
        out[column] = out["indicator"].map({c: get(i) for c, i in meta.items()})
    out["change_vs_baseline"] = out["value"] - out["baseline_value"]
    order = {c: k for k, c in enumerate(meta)}
    return (
        out.sort_values(["depth", "org_unit"], kind="stable")
        .sort_values(
            ["depth", "org_unit", "indicator"],
            key=lambda s: s.map(order) if s.name == "indicator" else s,
        )
        .reset_index(drop=True)
    )


def _rankings(
    scores: pd.DataFrame, depths: dict[str, int], period: str, units: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Overall ranks of the direct sub-units (with intervals and coordination), and the
    dimension scores of every scored unit of the subtree."""
    mine = scores[scores["org_unit"].isin(depths) & (scores["period"] == period)]
    children = {u for u, d in depths.items() if d == 1}
    overall = mine[(mine["dimension"] == "overall") & mine["org_unit"].isin(children)]
    coupling = mine[mine["dimension"] == "coordination"][["org_unit", "score", "label"]].rename(
        columns={"score": "coordination", "label": "coordination_class"}
    )
    rankings = overall.merge(coupling, on="org_unit", how="left").sort_values("rank")
    rankings = rankings.merge(units[["org_unit", "org_unit_name"]], on="org_unit", how="left")
    dimensions = mine[~mine["dimension"].isin(["overall", "coordination"])]
    return rankings.reset_index(drop=True), dimensions.reset_index(drop=True)


def _diagnosed(context: ReportContext) -> list[str]:
    """The units diagnosed: the unit when it is scored, else its lowest-scoring sub-units."""
    if context.unit in set(context.overall_scores["org_unit"]):
        return [context.unit]
    return list(context.rankings.sort_values("score")["org_unit"].head(DIAGNOSED_SUBUNITS))


def _peer_groups(conn, context: ReportContext, *, audited: bool) -> tuple[set[str], dict]:
    """(the units whose stored rows trends, diagnoses and audit read, each diagnosed unit's
    `peer_group`); ``audited`` adds the sub-units' whole level (the composite's audit)."""
    day = parse_period(context.period).end
    groups = {unit: peer_group(conn, unit, day) for unit in _diagnosed(context)}
    scope = {context.unit, *context.subunits["org_unit"]}.union(*groups.values())
    if audited and not context.rankings.empty:
        level = str(context.rankings["level"].iloc[0])
        scope |= set(orgunits.units_on(conn, day, levels=[level])["code"])
    return scope, groups


def _add_trends_and_diagnoses(context: ReportContext, store: Store, *, audited: bool) -> None:
    """The run's stored trends and projections, diagnoses from its stored scores, and (when
    ``audited``) the composite's audit, read for the units of `_peer_groups` only."""
    with store.begin() as conn:
        scope, groups = _peer_groups(conn, context, audited=audited)
        shown = {context.unit, *context.subunits["org_unit"]}
        result = load(conn, context.run_id, history=False, org_units=scope, trend_units=shown)
    if result.trends.empty:
        context.missing["trends"] = (
            "本次评估未保存趋势（运行 shequ evaluate --composite），趋势与预测从略",
            "this run stored no trends (run shequ evaluate --composite): trends are left out",
        )
    else:
        keys = ["indicator", "org_unit", "period"]
        trends = result.trends[[*keys, "change_vs_previous", "trend_status", "projected_value"]]
        context.indicators = context.indicators.merge(trends, on=keys, how="left")
        context.subunits = context.subunits.merge(trends, on=keys, how="left")
    comp, evaluation = result.composite, result.evaluation
    if len(comp.scores) and comp.weights.empty:  # scored before weights were stored (0007)
        context.missing["diagnosis"] = (
            "本次评估未保存诊断所需的指标得分与权重，诊断从略（请重新评估）",
            "this run stored no indicator scores and weights to diagnose from (evaluate again)",
        )
        return
    if audited:
        _add_audit(context, comp)
    results = evaluation.results[evaluation.results["period"] == context.period]
    scored = set(comp.scores["org_unit"])
    context.diagnoses = [
        diagnose(u, results, comp, context.plan, profile=evaluation.profile, group=group)
        for u, group in groups.items()
        if u in scored
    ]


def _add_audit(context: ReportContext, comp) -> None:
    """The audit of the level the rankings show (the direct sub-units), this period."""
    if context.rankings.empty or comp.indicator_scores.empty:
        return
    level = str(context.rankings["level"].iloc[0])
    period = context.period

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["level"] == level) & (frame["period"] == period)]

    context.audit = audit(mine(comp.indicator_scores), mine(comp.scores), context.plan)
    context.audit_level = level


def _note_missing(context: ReportContext) -> None:
    if context.rankings.empty:
        context.missing["rankings"] = (
            "本次评估未计算下级单位综合得分（运行 shequ evaluate --composite），排名从略",
            "no composite scores of the sub-units in this run (run shequ evaluate --composite)",
        )
    if not context.diagnoses and "diagnosis" not in context.missing:
        context.missing["diagnosis"] = (
            "没有可诊断的综合得分，诊断从略",
            "no composite scores to diagnose from",
        )
    if context.tasks.empty:
        context.missing["tasks"] = ("暂无整改任务", "no follow-up tasks yet")
    if "coverage" not in context.findings:
        context.missing["coverage"] = (
            "尚未进行服务设施覆盖分析（shequ coverage），覆盖地图从略",
            "no facility coverage analysis yet (shequ coverage): the coverage map is left out",
        )
    context.missing["voice"] = (
        "尚未接入居民意见与满意度调查数据，居民之声部分从略",
        "no suggestions or survey data yet: the residents' voice section is left out",
    )
