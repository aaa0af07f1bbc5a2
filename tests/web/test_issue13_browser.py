"""Issue 13 #5 and #15 in a real browser: a facility named like an HTML injection stays text
in the map tooltip, and the overview, map and scorecard pages run under the CSP without a
single violation. Screenshots go to var/test-artifacts/web/."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from shequ.evaluate.assessment import assess
from shequ.framework.loader import load_plan
from shequ.spatial.imports.facilities import import_facilities
from shequ.store.db import open_store
from tests.web import _webcity as city
from tests.web.test_e2e import _log_in, _need_browser, _shot, browser, live_server

EVIL = "<img src=x onerror=window.__xss=1>"
RECORD_CSP = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " function (e) { window.__csp.push(e.violatedDirective + ' ' + e.blockedURI); });"
)
pytestmark = pytest.mark.slow
assert browser  # the module-scoped chromium fixture, shared with test_e2e


@pytest.fixture(scope="module")
def evil_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from shequ.web.app import create_app

    folder = tmp_path_factory.mktemp("xss")
    store = open_store(folder / "shequ.db")
    city.build(store, folder)
    extra = folder / "evil.csv"
    extra.write_text(
        f"code,type,name,lon,lat,org_unit\nSCX,service_centre,{EVIL},120.0050,30.0030,{city.JIA}\n",
        encoding="utf-8",
    )
    assert import_facilities(store, extra).exit_code == 0
    assess(store, load_plan(), periods=["2025"], actor="test", sensitivity=False)
    store.close()
    app = create_app(store.url, data_dir=folder / "web")
    with live_server(app) as base:
        yield base
    app.state.worker.shutdown()


def test_issue_13_5_a_facility_name_with_html_does_not_run_in_the_map_tooltip(evil_server, browser):
    """issue 13 #5: the tooltip of the facility named ``<img src=x onerror=…>`` shows the
    name as text; the handler never runs."""
    _need_browser()
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.add_init_script(RECORD_CSP)
    _log_in(page, evil_server, "admin")
    page.goto(f"{evil_server}/map?unit={city.STREET_1}")
    # poll from Python: Playwright's wait_for_function evaluates its predicate with eval,
    # which this page's CSP (no 'unsafe-eval') rightly refuses
    _wait_until(page, "!!(window.echarts && document.querySelector('#unit-map canvas'))")
    index = page.evaluate(
        """(evil) => {
        const chart = window.echarts.getInstanceByDom(document.getElementById("unit-map"));
        const series = chart.getOption().series;  // facilities: one scatter layer per type
        for (let s = 0; s < series.length; s++) {
            if (series[s].type !== "scatter") continue;
            const k = series[s].data.findIndex(function (p) { return p.name === evil; });
            if (k >= 0) {
                chart.dispatchAction({ type: 'legendSelect', name: series[s].name });
                chart.dispatchAction({ type: 'showTip', seriesIndex: s, dataIndex: k });
                return k;
            }
        }
        return -1;
    }""",
        EVIL,
    )
    assert index >= 0, "the facility is not on the map"
    page.wait_for_timeout(500)
    tooltip = page.evaluate(
        "Array.from(document.querySelectorAll('#unit-map div')).map(d => d.textContent)"
        ".filter(t => t.includes('onerror')).join('|')"
    )
    _shot(page, "issue13_map_tooltip")
    assert EVIL in tooltip  # shown as text
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__csp") == []
    page.close()


def _wait_until(page, expression: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(100)


@pytest.mark.parametrize("path", ["/", "/map", f"/units/{city.JIA}"])
def test_issue_13_15_pages_run_under_the_csp_without_violations(evil_server, browser, path):
    """issue 13 #15: the CSP header is present (no unsafe-inline for scripts) and the
    overview, map and scorecard pages draw without one CSP violation or console error."""
    _need_browser()
    page = browser.new_page(viewport={"width": 1100, "height": 800})
    page.add_init_script(RECORD_CSP)
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: messages.append(str(e)))
    _log_in(page, evil_server, "admin")
    response = page.goto(f"{evil_server}{path}")
    policy = response.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    page.wait_for_load_state("networkidle")
    _shot(page, "issue13_csp" + path.replace("/", "_"))
    assert page.evaluate("window.__csp") == []
    assert [m for m in messages if "Content Security Policy" in m or "Refused" in m] == []
    page.close()
