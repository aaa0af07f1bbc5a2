"""The demo's scenario: the ten service centres the siting proposed, stored as a scenario
and evaluated beside the baseline (which targets they flip), as a planner would try them."""

from __future__ import annotations

from ..framework.models import Plan
from ..scenario import actions
from ..scenario.compare import Comparison, evaluate_scenario
from ..spatial.sites import SiteProposal
from ..store import scenarios as store_scenarios
from ..store.db import Store

DEMO_SCENARIO = "十个服务中心"


def try_proposed_sites(
    store: Store, plan: Plan, proposal: SiteProposal, *, period: str, actor: str = "demo"
) -> Comparison:
    """Store the proposed sites as scenario `DEMO_SCENARIO` (kept if a re-run finds it) and
    evaluate it for ``period`` on a copy of the store."""
    with store.begin() as conn:
        known = set(store_scenarios.listing(conn)["name"])
        if DEMO_SCENARIO not in known:
            rows = actions.from_table(plan, proposal.sites, proposal.facility_type,
                                      source="shequ site (demo)")  # fmt: skip
            description = (
                "shequ site 建议的新建社区服务中心 / the service centres shequ site proposed"
            )
            store_scenarios.create(conn, DEMO_SCENARIO, actions.frame(rows),
                                   description=description, actor=actor)  # fmt: skip
    return evaluate_scenario(store, plan, DEMO_SCENARIO, period=period)
