"""The analytics page in a real browser (Debian chromium, CSP on): the picker, one chart
panel per indicator with its own axis and unit, the pivot table, the share link; desktop
and phone screenshots in var/test-artifacts/web/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.web import _webcity as city
from tests.web.test_analytics import build_store
from tests.web.test_e2e import _log_in, _need_browser, _shot, browser, live_server

pytestmark = pytest.mark.slow
assert browser  # the module-scoped chromium fixture, shared with test_e2e
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from shequ.web.app import create_app

    folder = tmp_path_factory.mktemp("analytics-browser")
    app = create_app(build_store(folder), data_dir=folder / "web")
    with live_server(app) as base:
        yield base
    app.state.worker.shutdown()


@pytest.mark.parametrize("size", SIZES)
def test_analytics_charts_one_axis_per_indicator_and_shares_its_url(site, browser, size):
    _need_browser()
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _log_in(page, site, "analyst")
    query = (
        f"indicator=living_area_per_capita&indicator=green_coverage&unit={city.DISTRICT}"
        "&level=street&period=2024&period=2025&chart=bar"
    )
    page.goto(f"{site}/analytics?{query}")
    page.wait_for_function("document.querySelectorAll('#analytics-charts canvas').length == 2")
    axes = page.evaluate(
        """() => Array.from(document.querySelectorAll('#analytics-charts .chart')).map(el => {
            const o = window.echarts.getInstanceByDom(el).getOption();
            return [o.xAxis.length, o.xAxis[0].name, o.series.map(s => s.name)];
        })"""
    )
    # 人均居住面积 in m²/人 and 绿化覆盖率 in %: each its own value axis, a series per period
    assert [a[0] for a in axes] == [1, 1]
    assert axes[0][1] == "m²/人" and axes[1][1] == "%"
    assert axes[0][2] == ["2024", "2025"]
    table = page.locator("#analytics-table").inner_text()
    assert "一街道" in table and "二街道" in table and "48.5 m²/人" in table
    share = page.get_attribute("#share-link", "href")
    assert share.startswith("/analytics?") and "chart=bar" in share
    _shot(page, f"analytics-{size}")
    assert not errors, errors  # no CSP violation, no script error
    context.close()
