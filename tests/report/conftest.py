"""The sample city, built once for the report tests, and report contexts over it."""

import pytest

from shequ.demo.run import run_demo
from shequ.report.context import build_context
from shequ.store.db import open_store


@pytest.fixture(scope="session")
def demo_city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-demo")
    outcome = run_demo(str(folder / "shequ.db"), folder)
    return open_store(outcome.store_url, migrate=False)


@pytest.fixture(scope="session")
def city_context(demo_city):
    """The city report of the latest run (the demo's 2025 evaluation with composite)."""
    return build_context(demo_city)


@pytest.fixture(scope="session")
def street_context(demo_city):
    """A street's report: 民主街道, the weakest street of the sample city."""
    return build_context(demo_city, unit="990106001000")
