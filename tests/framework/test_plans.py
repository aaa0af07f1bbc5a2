"""The default plans carry the outline's targets; bad plan files fail with file:line."""

from pathlib import Path

import pytest

from shequ.errors import PlanError
from shequ.framework.loader import load_plan
from tests._files import write

DATA_ELEMENTS = [
    "resident_population",
    "adult_population",
    "residential_floor_area_m2",
    "land_area_m2",
    "green_area_m2",
    "public_green_area_m2",
    "service_centres",
    "culture_centres",
    "sports_centres",
    "service_centres_opened",
    "residents_within_500m_service_centre",
    "participants",
    "culture_satisfied",
    "culture_answered",
    "feel_safe",
    "safety_answered",
    "criminal_cases",
    "public_security_cases",
]
INDICATORS = [
    "living_area_per_capita",
    "green_coverage",
    "public_green_per_capita",
    "service_centre_coverage",
    "culture_centre_coverage",
    "sports_centre_coverage",
    "service_radius_coverage",
    "new_service_centres",
    "participation_rate",
    "culture_satisfaction",
    "safety_feeling",
    "criminal_case_rate",
    "public_security_case_rate",
]


def targets(plan):
    return {t.indicator: (t.comparator, t.value, t.baseline_period) for t in plan.targets}


def test_national_plan_has_every_required_code_and_the_outline_targets():
    plan = load_plan("national")
    assert set(DATA_ELEMENTS) <= {e.code for e in plan.data_elements}
    assert set(INDICATORS) <= {i.code for i in plan.indicators}
    t = targets(plan)
    assert t["living_area_per_capita"] == (">=", 40, None)  # 40平方米以上
    assert t["green_coverage"] == (">", 35, None)  # 超过35%
    assert t["participation_rate"] == (">=", 80, None)  # 达到80%以上
    assert t["culture_satisfaction"] == (">=", 90, None)
    assert t["criminal_case_rate"] == ("reduce_by", 30, "2020")  # 降低30%
    assert t["service_radius_coverage"] == (">=", 100, None)


def test_example_city_overrides_national_targets_and_keeps_the_rest():
    t = targets(load_plan("example_city"))
    assert t["green_coverage"] == (">=", 38, None)  # 提升至38%
    assert t["public_security_case_rate"] == ("<", 0.5, None)  # 0.5%以下
    assert t["safety_feeling"] == (">=", 98, None)
    assert t["culture_centre_coverage"] == (">=", 95, None)
    assert t["new_service_centres"] == (">=", 10, None)
    assert t["living_area_per_capita"] == (">=", 40, None)  # inherited from national


def test_every_indicator_has_definitions_units_and_a_known_direction():
    plan = load_plan()
    for ind in plan.indicators:
        assert ind.definition and ind.definition_en, ind.code
        assert ind.unit and ind.unit_en, ind.code
    lower = {i.code for i in plan.indicators if i.direction == "lower"}
    assert {"criminal_case_rate", "public_security_case_rate"} <= lower


def _plan_with(tmp_path: Path, indicator_lines: str) -> Path:
    return write(
        tmp_path / "mine.yaml",
        f"""
        extends: national
        code: mine
        name: 我的方案
        name_en: Mine
        indicators:
        {indicator_lines}
        """,
    )


def test_an_indicator_added_in_yaml_is_evaluable_without_python(tmp_path):
    path = write(
        tmp_path / "mine.yaml",
        """
        extends: national
        code: mine
        name: 我的方案
        name_en: Mine
        indicators:
          - {code: adults_share, name: 成年人比例, name_en: Adult share, dimension: governance, numerator: adult_population, denominator: resident_population, factor: 100, unit: "%", unit_en: "%", definition: 成年人口÷常住人口, definition_en: adults / residents}
        targets:
          - {indicator: adults_share, comparator: ">=", value: 50, period: "2025"}
        """,
    )
    plan = load_plan(path)
    assert plan.indicator("adults_share").elements == ("adult_population", "resident_population")
    assert len(plan.indicators) == len(load_plan("national").indicators) + 1


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (
            "  - {code: x, name: X, name_en: X, dimension: nowhere, numerator: participants, definition: d, definition_en: d}",
            "unknown dimension 'nowhere'",
        ),
        (
            "  - {code: x, name: X, name_en: X, dimension: governance, numerator: no_such_element, definition: d, definition_en: d}",
            "undefined data elements: no_such_element",
        ),
        (
            "  - {code: x, name: X, name_en: X, dimension: governance, numerator: a / b, definition: d, definition_en: d}",
            "is not allowed",
        ),
        (
            "  - {code: x, name: X, name_en: X, dimension: governance, numerator: participants, direction: sideways, definition: d, definition_en: d}",
            "direction",
        ),
        (
            "  - {code: x, name: X, name_en: X, dimension: governance, numerator: participants}",
            "definition",
        ),
    ],
)
def test_a_bad_indicator_is_rejected_with_file_line_and_reason(tmp_path, line, reason):
    path = _plan_with(tmp_path, line)
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert f"{path}:6" in message  # the indicator is on line 6 of the file
    assert reason in message


def test_a_bad_target_comparator_names_its_line(tmp_path):
    path = write(
        tmp_path / "t.yaml",
        """
        extends: national
        code: t
        name: t
        name_en: t
        targets:
          - {indicator: green_coverage, comparator: "≈", value: 40, period: "2025"}
          - {indicator: no_such, comparator: ">=", value: 1, period: "2025"}
          - {indicator: criminal_case_rate, comparator: reduce_by, value: 30, period: "2026"}
        """,
    )
    with pytest.raises(PlanError) as info:
        load_plan(path)
    message = str(info.value)
    assert f"{path}:6: targets" in message and "comparator" in message
    assert f"{path}:8: targets" in message and "baseline_period" in message


def test_undefined_target_indicator_and_duplicate_codes_are_reported(tmp_path):
    path = write(
        tmp_path / "d.yaml",
        """
        extends: national
        code: d
        name: d
        name_en: d
        targets:
          - {indicator: no_such, comparator: ">=", value: 1, period: "2025"}
        """,
    )
    with pytest.raises(PlanError, match=r"d.yaml:6: .*no_such"):
        load_plan(path)
    dup = _plan_with(
        tmp_path,
        "  - {code: x, name: X, name_en: X, dimension: governance, numerator: participants, definition: d, definition_en: d}\n"
        "  - {code: x, name: Y, name_en: Y, dimension: governance, numerator: participants, definition: d, definition_en: d}",
    )
    with pytest.raises(PlanError, match=r"mine.yaml:7: .*duplicate x"):
        load_plan(dup)


def test_yaml_syntax_errors_and_missing_files_are_plan_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"bad\.yaml:2: YAML"):
        load_plan(bad)
    with pytest.raises(PlanError, match="not found"):
        load_plan(tmp_path / "missing.yaml")
