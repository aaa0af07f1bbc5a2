"""Issue 15 item 1 in a real browser, on the sample city (``shequ demo``): the map of the
city shows its districts as irregular shapes (unions of the communities' Voronoi cells),
the streets' outlines inside them, labels, a legend with the indicator's title and unit and
classed breaks, tooltips with value, target and status, facilities as one switchable layer
per type; clicking a district drills down to its streets. Screenshots at desktop and
phone size in var/test-artifacts/web/."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.web.test_e2e import _need_browser, _shot, browser, live_server

pytestmark = pytest.mark.slow
assert browser  # the module-scoped chromium fixture, shared with test_e2e
INDICATOR = "living_area_per_capita"


@pytest.fixture(scope="module")
def demo_site(demo_outcome, tmp_path_factory) -> Iterator[tuple[str, object]]:
    from shequ.web.app import create_app
    from tests._files import copy_store

    folder = tmp_path_factory.mktemp("map-demo")
    source = demo_outcome.files.org_units.parent / "shequ.db"
    url = str(copy_store(source, folder / "shequ.db"))
    app = create_app(url, data_dir=folder / "web")
    with live_server(app) as base:
        yield base, demo_outcome
    app.state.worker.shutdown()


def _log_in(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", "demo-admin")
    page.click("#login-submit")
    page.wait_for_url(f"{base}/")


def _wait_until(page, expression: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds  # polled: the CSP refuses wait_for_function's eval
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(100)


@pytest.mark.parametrize("size", [(1280, 860), (390, 844)], ids=["desktop", "phone"])
def test_the_city_map_has_outlines_legend_layers_and_drills_down(demo_site, browser, size):
    _need_browser()
    base, _ = demo_site
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    _log_in(page, base)
    page.goto(f"{base}/map?indicator={INDICATOR}")
    _wait_until(page, "document.getElementById('unit-map').dataset.ready === '1'")
    option = page.evaluate(
        """() => {
        const o = window.echarts.getInstanceByDom(document.getElementById('unit-map')).getOption();
        return {title: o.title[0].text, pieces: o.visualMap[0].pieces.length,
                regions: o.series[0].data.length, outlines: o.series[1].data.length,
                layers: o.legend[0].data, labels: o.geo[0].label.show,
                scatter: o.series.filter(s => s.type === 'scatter').length};
    }"""
    )
    # the sample city has 6 districts (东湖区, 西城区, 南山区, 北塘区, 高新区, 滨江区; its
    # tree), each an irregular union of its communities' cells
    assert option["regions"] == 6
    assert option["outlines"] >= 12  # every street of the city outlined (rings)
    assert option["title"] == "人均居住面积（m²/人）"
    assert option["pieces"] == 5  # six distinct values: five quantile classes
    assert option["labels"] is True
    assert option["scatter"] >= 5 and "社区服务中心" in option["layers"]
    _shot(page, f"map-city-{'desktop' if size[0] > 800 else 'phone'}")
    # the tooltip of a district names its value with the unit
    tip = page.evaluate(
        """() => { const c = window.echarts.getInstanceByDom(document.getElementById('unit-map'));
        c.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0}); return true; }"""
    )
    assert tip
    page.wait_for_timeout(300)
    text = page.evaluate(
        "Array.from(document.querySelectorAll('#unit-map div')).map(d => d.textContent)"
        ".filter(t => t.includes('人均居住面积：')).join('|')"
    )
    assert "m²/人" in text
    # click the first district: the map drills down to its streets
    first = page.evaluate(
        """() => window.echarts.getInstanceByDom(document.getElementById('unit-map'))
            .getOption().series[0].data[0].name"""
    )
    page.evaluate(
        """(code) => { const c = window.echarts.getInstanceByDom(document.getElementById('unit-map'));
        c.trigger('click', {componentType: 'series', seriesType: 'map', name: code}); }""",
        first,
    )
    page.wait_for_url(f"**unit={first}**")
    _wait_until(page, "document.getElementById('unit-map').dataset.ready === '1'")
    streets = page.evaluate(
        """() => window.echarts.getInstanceByDom(document.getElementById('unit-map'))
            .getOption().series[0].data.length"""
    )
    assert streets >= 2
    page.close()
