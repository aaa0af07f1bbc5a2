"""Terminal output of the spatial commands: coverage, accessibility, proposed sites."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..spatial.run import AccessRun, CoverageRun
from ..spatial.sites import SiteProposal

if TYPE_CHECKING:
    from ..demo.spatial import SpatialDemo

MAX_ROWS = 15


def _zh(lang: str) -> bool:
    return lang == "zh"


def print_coverage(console: Console, run: CoverageRun, lang: str) -> None:
    r = run.result
    zh = _zh(lang)
    head = (
        f"{r.facility_type} 覆盖：{r.covered_population:,.0f} / {r.total_population:,.0f} 人 "
        f"（{r.share:.1%}），{r.label}"
        if zh
        else f"{r.facility_type} coverage: {r.covered_population:,.0f} of "
        f"{r.total_population:,.0f} residents ({r.share:.1%}), {r.label}"
    )
    console.print(head, markup=False)
    if r.fragments:
        f = r.fragments
        console.print(
            f"  不连通碎片 {f['components']} 个，落在碎片上的点 {f['points_on_fragments']:,}"
            f"（{f['population_on_fragments']:,.0f} 人）"
            if zh
            else f"  {f['components']} disconnected fragments; {f['points_on_fragments']:,} "
            f"points ({f['population_on_fragments']:,.0f} residents) snapped to them",
            style="yellow" if f["points_on_fragments"] else None,
        )
    worst = r.communities.sort_values("share").head(MAX_ROWS)
    table = Table(title="覆盖率最低的社区" if zh else "Least covered communities")
    for h in ("社区 / unit", "人口 / residents", "覆盖 / covered", "比例 / share"):
        table.add_column(h, justify="right")
    for row in worst.itertuples(index=False):
        table.add_row(
            str(row.org_unit), f"{row.population:,.0f}", f"{row.covered_population:,.0f}",
            f"{row.share:.1%}",
        )  # fmt: skip
    console.print(table)
    _print_uncovered(console, r.uncovered(), zh)
    top = r.catchments.sort_values("population", ascending=False).head(5)
    if len(top):
        listed = ", ".join(
            f"{c} {p:,.0f}" for c, p in zip(top["code"], top["population"], strict=True)
        )
        console.print(
            f"  服务人口最多的设施：{listed}" if zh else f"  largest catchments: {listed}",
            markup=False,
        )
    if run.values_written:
        w = run.values_written
        console.print(
            f"  数据值 {run.element} / {run.period}：新增 {w['inserted']}，更新 {w['updated']}，"
            f"未变 {w['unchanged']}（导入批次 #{run.import_id}）"
            if zh
            else f"  data values {run.element} / {run.period}: {w['inserted']} inserted, "
            f"{w['updated']} updated, {w['unchanged']} unchanged (batch #{run.import_id})"
        )
    if run.population_written:
        counted = r.communities["population"].sum()
        console.print(
            f"  {run.population_written} 个社区没有 {run.period} 的常住人口（resident_population），"
            f"已按居民点计数写入（各社区居民点人口之和，共 {counted:,.0f} 人）；导入统计数据后将被替换"
            if zh
            else f"  {run.population_written} communities had no resident_population for "
            f"{run.period}: the residents counted from the population points were written "
            f"({counted:,.0f} in all); an import of statistics replaces them",
            style="yellow",
            markup=False,
            soft_wrap=True,
        )
    if run.note:
        console.print(f"  {run.note}", style="yellow", markup=False)
    for path in run.layers:
        console.print(f"  {path}", markup=False)


def _print_uncovered(console: Console, uncovered: pd.DataFrame, zh: bool) -> None:
    """How many points are uncovered, how far they are, and why some have no distance."""
    people = uncovered["population"].sum()
    reasons = uncovered["reason"].value_counts() if "reason" in uncovered else {}
    far = uncovered["distance_m"].dropna()
    median = f"{far.median():,.0f}" if len(far) else "—"
    fragment, beyond = int(reasons.get("fragment", 0)), int(reasons.get("beyond_limit", 0))
    console.print(
        f"  未覆盖居民点 {len(uncovered):,} 个（{people:,.0f} 人），距最近设施中位 {median} 米；"
        f"所在路网碎片无设施 {fragment:,} 个，超出搜索范围 {beyond:,} 个"
        if zh
        else f"  {len(uncovered):,} uncovered points ({people:,.0f} residents), median "
        f"{median} m to the nearest facility; {fragment:,} on a network fragment without a "
        f"facility, {beyond:,} beyond the search limit",
        soft_wrap=True,
    )


def print_access(console: Console, run: AccessRun, lang: str) -> None:
    zh = _zh(lang)
    kind = ("增强两步移动搜索法 E2SFCA" if zh else "enhanced 2SFCA") if run.bands else "2SFCA"
    console.print(f"{run.facility_type} · {kind} · {run.radius:g} m · {run.method}")
    table = Table(title="可达性最低的社区" if zh else "Least accessible communities")
    for h in ("社区 / unit", "人口 / residents", "人均供给 / supply per resident"):
        table.add_column(h, justify="right")
    for row in run.communities.sort_values("accessibility").head(MAX_ROWS).itertuples():
        table.add_row(str(row.org_unit), f"{row.population:,.0f}", f"{row.accessibility:.5f}")
    console.print(table)


def print_sites(console: Console, proposal: SiteProposal, lang: str) -> None:
    zh = _zh(lang)
    res = proposal.result
    console.print(
        f"{proposal.facility_type} 选址（{proposal.radius:g} 米，{proposal.method}）：候选点 "
        f"{proposal.candidates:,} 个；覆盖 {proposal.covered_before / proposal.total_population:.1%}"
        f" → {proposal.covered_after / proposal.total_population:.1%}；状态 {res.status}，"
        f"间隙 {res.gap:.2%}，贪心 {res.greedy_objective:,.0f}，{res.seconds:.1f} 秒"
        if zh
        else f"{proposal.facility_type} siting ({proposal.radius:g} m, {proposal.method}): "
        f"{proposal.candidates:,} candidates; coverage "
        f"{proposal.covered_before / proposal.total_population:.1%} → "
        f"{proposal.covered_after / proposal.total_population:.1%}; status {res.status}, gap "
        f"{res.gap:.2%}, greedy {res.greedy_objective:,.0f}, {res.seconds:.1f} s",
        markup=False,
    )
    for note in res.notes:
        console.print(f"  {note}", style="yellow", markup=False)
    table = Table()
    for h in (
        "#",
        "候选点 / site",
        "社区 / unit",
        "经度 / lon",
        "纬度 / lat",
        "新增覆盖 / adds",
        "累计 / cumulative",
    ):
        table.add_column(h, justify="right")
    for row in proposal.sites.itertuples(index=False):
        table.add_row(
            str(row.rank), str(row.code), str(row.org_unit or ""), f"{row.lon:.6f}",
            f"{row.lat:.6f}", f"{row.added:,.0f}", f"{row.cumulative_share:.1%}",
        )  # fmt: skip
    console.print(table)
    for path in proposal.layers:
        console.print(f"  {path}", markup=False)


def print_spatial_demo(console: Console, demo: SpatialDemo, lang: str) -> None:
    """The sample city's spatial part: imports, network, coverage, proposed sites."""
    from ._show_imports import print_import

    for report in demo.imports:
        print_import(console, report, lang)
    console.print(demo.network.summary(lang), markup=False)
    print_sites(console, demo.sites, lang)
    console.print(demo.describe(lang), markup=False)
