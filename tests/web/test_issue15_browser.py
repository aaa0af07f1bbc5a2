"""Issue 15 in a real browser (Debian chromium): the scorecard's small multiples (one y axis
each), formatted numbers, the ranking's dot-and-interval chart, the entry grid (keys, an
Excel block pasted, a value deleted with a reason) and the login-free resident page that
shows approved data only. Screenshots at desktop (1280×800) and phone (390×844) sizes go
to var/test-artifacts/web/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from shequ.evaluate.assessment import assess
from shequ.framework.loader import load_plan
from shequ.store import approvals
from shequ.store import values as store_values
from shequ.store.db import open_store
from tests.web import _webcity as city
from tests.web.test_e2e import _log_in, _need_browser, _shot, browser, live_server

pytestmark = pytest.mark.slow
assert browser  # the module-scoped chromium fixture, shared with test_e2e
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The web tests' city (tests/web/_webcity.py) served live: (base URL, store URL)."""
    from shequ.web.app import create_app

    folder = tmp_path_factory.mktemp("issue15")
    store = open_store(folder / "shequ.db")
    city.build(store, folder)
    assess(store, load_plan(), periods=["2025"], actor="test", sensitivity=False)
    store.close()
    app = create_app(store.url, data_dir=folder / "web")
    with live_server(app) as base:
        yield base, store.url
    app.state.worker.shutdown()


def _page(browser, size: str, *, csp: bool = True):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=not csp)
    return context, context.new_page()


@pytest.mark.parametrize("size", SIZES)
def test_scorecard_small_multiples_have_one_axis_each(site, browser, size):
    _need_browser()
    base, _ = site
    context, page = _page(browser, size, csp=False)
    _log_in(page, base, "admin")
    page.goto(f"{base}/units/{city.STREET_1}")
    page.wait_for_function("document.querySelectorAll('#trend-chart canvas').length > 0")
    figures = page.locator("#trend-chart figure.multiple")
    assert figures.count() >= 2  # living area and green coverage have three years each
    axes = page.evaluate(
        """() => Array.from(document.querySelectorAll('#trend-chart .small-chart')).map(el => {
            const o = window.echarts.getInstanceByDom(el).getOption();
            return [o.yAxis.length, o.yAxis[0].name || ''];
        })"""
    )
    assert len(axes) == figures.count() and all(n == 1 for n, _ in axes)
    # the living-area chart names its unit on its own axis and in its title
    living = page.locator('figure[data-indicator="living_area_per_capita"] figcaption')
    assert "人均居住面积" in living.inner_text() and "（" in living.inner_text()
    # every value in the indicator table is printed with the indicator's decimals:
    # no raw float such as 43.46666666666667
    values = page.locator("table.indicators td.value").all_inner_texts()
    assert values and not [v for v in values if re.search(r"\d\.\d{3,}", v)]
    _shot(page, f"issue15-scorecard-{size}")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_ranking_draws_dots_and_intervals_by_district(site, browser, size):
    _need_browser()
    base, _ = site
    context, page = _page(browser, size, csp=False)
    _log_in(page, base, "admin")
    page.goto(f"{base}/ranking?level=community")
    page.wait_for_function("document.querySelector('#ranking-chart canvas') !== null")
    series = page.evaluate(
        """() => window.echarts.getInstanceByDom(document.getElementById('ranking-chart'))
            .getOption().series.map(s => [s.type, s.name || ''])"""
    )
    # two bars (the invisible offset and the interval) and one dot series per district
    assert series == [["bar", ""], ["bar", ""], ["scatter", "东区"]]
    assert page.locator("#ranking tbody tr").count() == 4
    assert f"甲社区 {city.JIA}" in page.locator("#ranking").inner_text().replace("\n", " ")
    _shot(page, f"issue15-ranking-{size}")
    context.close()


def test_the_entry_grid_moves_pastes_and_deletes(site, browser):
    _need_browser()
    base, store_url = site
    context, page = _page(browser, "desktop", csp=False)
    _log_in(page, base, "staff_s1")
    page.goto(f"{base}/entry?period=2025")
    cell = page.locator(f'input[data-unit="{city.JIA}"][data-element="resident_population"]')
    assert cell.input_value() == "1000"  # exact, no %g
    cell.focus()
    page.keyboard.press("Enter")  # down one row: the next data element of 甲社区
    focused = page.evaluate("() => document.activeElement.dataset.element")
    assert focused != "resident_population"
    # paste a 1 × 2 block from Excel into 甲社区's and 乙社区's green area
    green = page.locator(f'input[data-unit="{city.JIA}"][data-element="green_area_m2"]')
    page.evaluate(
        """(el) => { const dt = new DataTransfer(); dt.setData('text/plain', '33\\t44\\r\\n');
           el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true,
           cancelable: true})); }""",
        green.element_handle(),
    )
    yi_green = page.locator(f'input[data-unit="{city.YI}"][data-element="green_area_m2"]')
    assert (green.input_value(), yi_green.input_value()) == ("33", "44")
    page.click("#entry-save")
    page.wait_for_function("document.getElementById('entry-status').textContent.includes('已保存')")
    assert "已保存 2" in page.inner_text("#entry-status")
    # delete 乙社区's green area: refused without a reason, then done with one
    yi_green.fill("")
    # the reason box sits in the toolbar above the grid and is marked while it is needed
    page.wait_for_selector("#entry-reason-label.needed")
    bar, grid = (
        page.locator(".entry-bar").bounding_box(),
        page.locator("#entry-grid").bounding_box(),
    )
    assert bar["y"] + bar["height"] <= grid["y"] + 1
    page.click("#entry-save")
    assert "须填写删除原因" in page.inner_text("#entry-status")
    page.fill("#entry-reason", "面积口径有误")
    assert page.locator("#entry-reason-label.needed").count() == 0
    page.click("#entry-save")
    page.wait_for_function(
        "document.getElementById('entry-status').textContent.includes('已保存 0，删除 1')"
    )
    _shot(page, "issue15-entry-desktop")
    with open_store(store_url).begin() as conn:
        stored = store_values.read(conn, periods=["2025"], data_elements=["green_area_m2"])
    assert dict(zip(stored["org_unit"], stored["value"], strict=True)).get(city.YI) is None
    page.reload()
    assert yi_green.input_value() == ""
    context.close()


def test_the_resident_page_needs_no_login_and_shows_approved_data_only(site, browser):
    _need_browser()
    base, store_url = site
    context, page = _page(browser, "phone")  # a resident's phone, CSP enforced, no login
    page.goto(f"{base}/public/community/{city.BING}")
    assert page.url.endswith(f"/public/community/{city.BING}")
    assert page.locator("#no-approved").is_visible()
    _shot(page, "issue15-public-unapproved-phone")
    store = open_store(store_url)
    with store.begin() as conn:
        approvals.approve(conn, city.STREET_2, "2025", actor="test")  # locks 丙 and 丁
    page.reload()
    lines = page.locator("#public-lines li").all_inner_texts()
    # 丙社区 2025: 70 000 m² / 2 000 residents = 35.0 m² per person, below the 40 target
    assert "✗ 人均居住面积：35.0 m²/人，尚未达到目标（≥ 40.0）" in lines
    assert page.locator("header nav").count() == 0  # no staff navigation for a resident
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # fits the phone without sideways scrolling
    _shot(page, "issue15-public-approved-phone")
    context.close()
