"""``shequ plan``: a plan's indicators and targets."""

from tests.cli._invoke import invoke


def test_plan_command_lists_indicators_and_targets():
    result = invoke("plan", "example_city")
    assert result.exit_code == 0
    assert "green_coverage" in result.output and ">= 38" in result.output
