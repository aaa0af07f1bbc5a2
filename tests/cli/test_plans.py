"""``shequ plan``: a plan's indicators and targets."""

from tests.cli._invoke import invoke


def test_plan_command_lists_indicators_and_targets():
    result = invoke("plan", "example_city")
    assert result.exit_code == 0
    assert "green_coverage" in result.output and ">= 38" in result.output


def test_plan_lists_data_elements_with_units_and_the_indicators_using_them():
    from shequ.framework.loader import load_plan

    result = invoke("plan", "national")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.startswith("  ")}
    # culture_satisfaction = culture_satisfied / culture_answered (the plan's YAML)
    assert "[人]" in lines["culture_satisfied"]
    assert lines["culture_satisfied"].endswith("→ culture_satisfaction")
    assert "[份]" in lines["culture_answered"]
    # resident_population is the denominator of many indicators, living area among them
    assert "living_area_per_capita" in lines["resident_population"]
    assert all(e.code in lines for e in load_plan("national").data_elements)
    assert "example header: org_unit,period," in result.output
    english = invoke("plan", "national", "--lang", "en")
    assert "Data elements" in english.output and "[respondents]" in english.output
