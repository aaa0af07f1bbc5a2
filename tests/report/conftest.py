"""The sample city, built once for the report tests, and report contexts over it."""

import pytest

from shequ.report.context import build_context


@pytest.fixture(scope="session")
def city_context(demo_city):
    """The city report of the latest run (the demo's 2025 evaluation with composite)."""
    return build_context(demo_city)


@pytest.fixture(scope="session")
def street_context(demo_city):
    """A street's report: 民主街道, the weakest street of the sample city."""
    return build_context(demo_city, unit="990106001000")
