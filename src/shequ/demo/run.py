"""Build the sample city into a store and evaluate it: what ``make run`` shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import progress
from ..evaluate.assessment import Assessment, assess
from ..evaluate.diagnosis import Diagnosis, diagnose, peer_group
from ..evaluate.output import write_results
from ..evaluate.run import Evaluation
from ..framework.loader import load_plan
from ..framework.periods import parse_period
from ..ingest.orgunits import import_org_units
from ..ingest.report import ImportReport
from ..ingest.values import import_values
from ..report.context import build_context
from ..report.formats import write
from ..scenario.compare import Comparison
from ..store.db import Store, open_store
from .city import DemoFiles, generate_city
from .loop import LoopDemo, run_schedule_once
from .scenario import try_proposed_sites
from .spatial import MEASURED, SpatialDemo, build_spatial
from .voice import BLANK_LATEST, VoiceDemo, run_voice

DEMO_PERIOD = "2025"
DEMO_LEVEL = "street"


@dataclass
class DemoOutcome:
    """What the demo built: its files, the import reports, the 2025 evaluation."""

    store_url: str
    files: DemoFiles
    imports: list[ImportReport]
    assessment: Assessment
    diagnosis: Diagnosis
    results_file: Path
    reports: list[Path]
    voice: VoiceDemo | None = None
    spatial: SpatialDemo | None = None
    accounts: list = field(default_factory=list)
    scenario: Comparison | None = None
    loop: LoopDemo | None = None

    @property
    def evaluation(self) -> Evaluation:
        return self.assessment.evaluation

    def describe(self, lang: str = "zh") -> str:
        f = self.files
        reports = "\n".join(f"  {p}" for p in self.reports)
        voice = f"{self.voice.describe(lang)}\n" if self.voice else ""
        if lang == "zh":
            return voice + (
                f"示例城市文件：{f.org_units.parent}\n数据库：{self.store_url}\n"
                f"评估结果：{self.results_file}（评估运行 #{self.evaluation.run_id}）\n"
                f"评估报告（Word、Excel、PDF、HTML）与最弱街道的社区记分卡：\n{reports}\n"
                f"网页演示账号（仅限示例库）：\n{self._accounts()}"
            )
        return voice + (
            f"Sample city files: {f.org_units.parent}\nStore: {self.store_url}\n"
            f"Results: {self.results_file} (evaluation run #{self.evaluation.run_id})\n"
            f"Reports (Word, Excel, PDF, HTML) and the weakest street's community scorecards:\n{reports}\n"
            f"Web demo accounts (demo store only):\n{self._accounts()}"
        )

    def _accounts(self) -> str:
        return "\n".join(
            f"  {a.username:16} {a.password:22} {a.role:14} {a.scope} {a.scope_name}"
            for a in self.accounts
        )


def run_demo(db: str, out_dir: Path, *, seed: int = 2025) -> DemoOutcome:
    """Generate the city files in ``out_dir``, import them into ``db``, evaluate 2025.

    Re-running it is safe: the imports are idempotent, so a second run changes nothing in
    the data and only adds a new evaluation run.
    """
    out_dir = Path(out_dir)
    progress.phase("生成示例城市 / generating the sample city")
    files = generate_city(out_dir, seed=seed, blank_latest=BLANK_LATEST, measured=MEASURED)
    store = open_store(db)
    plan = load_plan()
    imports = [
        import_org_units(store, files.org_units, actor="demo"),
        import_values(store, files.values_history, plan=plan, actor="demo"),
        import_values(store, files.values_latest, plan=plan, actor="demo"),
    ]
    voice = run_voice(store, out_dir, plan, seed=seed)
    imports += voice.imports
    spatial = build_spatial(store, plan, out_dir / "spatial", period=DEMO_PERIOD, seed=seed)
    progress.phase("评估 / evaluating")
    assessment = assess(store, plan, periods=[DEMO_PERIOD], actor="demo")
    evaluation = assessment.evaluation
    results_file = write_results(evaluation.results, out_dir / f"results_{DEMO_PERIOD}.xlsx")
    weakest = _weakest(assessment, DEMO_LEVEL)
    with store.begin() as conn:
        group = peer_group(conn, weakest, parse_period(DEMO_PERIOD).end)
    found = diagnose(
        weakest,
        evaluation.results,
        assessment.composite,
        plan,
        profile=evaluation.profile,
        group=group,
    )
    progress.phase("报告 / reports")
    reports = _reports(store, out_dir / "reports", weakest)
    from .accounts import create_demo_accounts

    accounts = create_demo_accounts(store, street=weakest, period=DEMO_PERIOD)
    scenario = try_proposed_sites(store, plan, spatial.sites, period=DEMO_PERIOD)
    progress.phase("方案对比与定期运行 / scenario and scheduled run")
    loop = run_schedule_once(store, plan, period=DEMO_PERIOD)
    progress.end()
    return DemoOutcome(
        store.url,
        files,
        imports,
        assessment,
        found,
        results_file,
        reports,
        voice=voice,
        spatial=spatial,
        accounts=accounts,
        scenario=scenario,
        loop=loop,
    )


def _reports(store: Store, folder: Path, street: str) -> list[Path]:
    """The city report in every format, and the scorecards of the weakest street's communities."""
    city = build_context(store)
    paths = [
        write(city, folder / f"city_report_{DEMO_PERIOD}{suffix}", fmt=fmt)
        for fmt, suffix in (
            ("docx", ".docx"),
            ("xlsx", ".xlsx"),
            ("pdf", ".pdf"),
            ("html", ".html"),
        )
    ]
    street_context = build_context(store, unit=street)
    paths.append(write(street_context, folder / f"scorecards_{street}.pdf", fmt="scorecard"))
    return paths


def _weakest(assessment: Assessment, level: str) -> str:
    """The unit of ``level`` with the lowest overall score: the demo diagnoses it."""
    scores = assessment.composite.scores
    overall = scores[(scores["dimension"] == "overall") & (scores["level"] == level)]
    return str(overall.sort_values("score").iloc[0]["org_unit"])
