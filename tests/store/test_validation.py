"""A test city with a 200 % cultural-life satisfaction and more adults than residents:
the import lists both with their file rows, ``shequ validate`` lists them with unit,
period, rule and values, and approving the period is refused until they are fixed."""

import pandas as pd
import pytest

from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store import accounts, approvals, validation
from tests._files import write
from tests.cli._invoke import invoke

UNITS = (
    "code,name,parent_code,level\nC,示范市,,市\nS,一街道,C,街道\nA,甲社区,S,社区\nB,乙社区,S,社区\n"
)
# row 2 (A): 80 satisfied of 40 answers (200 %) and 1 200 adults of 1 000 residents;
# row 3 (B): 30 of 40 (75 %) and 900 adults of 1 000 — consistent. Numbers as people type
# them: "1,000" and full-width "９００".
BAD = """org_unit,period,resident_population,adult_population,culture_satisfied,culture_answered
A,2025,"1,000",1200,80,40
B,2025,"1,000",９００,30,40
"""
FIXED = """org_unit,period,adult_population,culture_satisfied
A,2025,800,36
"""


@pytest.fixture
def city(any_store, tmp_path):
    assert import_org_units(any_store, write(tmp_path / "u.csv", UNITS)).exit_code == 0
    accounts.add_user(any_store, "boss", "password1", role="administrator", scope="C", actor="t")
    return any_store


def test_the_import_loads_and_lists_the_violations_with_their_rows(city, tmp_path):
    report = import_values(city, write(tmp_path / "v.csv", BAD))
    assert report.exit_code == 0 and report.inserted == 8  # 2 rows × 4 elements, all loaded
    found = sorted(
        (f.rows, f.org_unit, f.period, f.rule, f.left, f.right) for f in report.violations
    )
    assert found == [
        ((2,), "A", "2025", "adults_within_residents", 1200, 1000),
        ((2,), "A", "2025", "culture_satisfied_within_answered", 80, 40),
    ]
    assert "2 must fix" in report.summary()


def test_strict_rules_loads_nothing_when_a_must_fix_rule_is_violated(city, tmp_path):
    report = import_values(city, write(tmp_path / "v.csv", BAD), strict_rules=True)
    assert (report.exit_code, report.inserted, report.status) == (2, 0, "rejected")
    with city.begin() as conn:
        assert validation.violations(conn, load_plan(), "2025").empty  # nothing stored


def test_validate_lists_them_and_approval_waits_until_they_are_fixed(city, tmp_path):
    import_values(city, write(tmp_path / "v.csv", BAD))
    out = tmp_path / "problems.csv"
    result = invoke(
        "validate", "--period", "2025", "--db", city.url, "--output", out, "--lang", "en"
    )
    assert result.exit_code == 1, result.output
    listed = pd.read_csv(out, encoding="utf-8-sig")
    rows = listed[["单位编码 unit", "期间 period", "规则 rule", "左值 left", "右值 right"]]
    assert rows.values.tolist() == [
        ["A", 2025, "adults_within_residents", 1200.0, 1000.0],
        ["A", 2025, "culture_satisfied_within_answered", 80.0, 40.0],
    ]
    assert listed["序号 No."].tolist() == [1, 2]
    assert "2 must be fixed" in result.output
    # B alone is clean: validating its subtree finds nothing (exit 0)
    assert invoke("validate", "--period", "2025", "--unit", "B", "--db", city.url).exit_code == 0

    refused = invoke("periods", "approve", "S", "2025", "--user", "boss", "--db", city.url)
    assert refused.exit_code == 2
    assert "adults_within_residents" in refused.output and "culture_satisfied" in refused.output
    with city.begin() as conn:
        assert approvals.approvals(conn, "2025").empty
        with pytest.raises(approvals.ApprovalError) as caught:
            approvals.approve(conn, "C", "2025", actor="t")
        assert len(caught.value.violations) == 2
        # B has no must-fix problem: it may be approved on its own
        assert approvals.approve(conn, "B", "2025", actor="t")

    # fixed: 800 adults ≤ 1 000 residents, 36 satisfied ≤ 40 answers (90 %)
    assert import_values(city, write(tmp_path / "fix.csv", FIXED)).violations == []
    assert invoke("validate", "--period", "2025", "--db", city.url).exit_code == 0
    allowed = invoke("periods", "approve", "S", "2025", "--user", "boss", "--db", city.url)
    assert allowed.exit_code == 0, allowed.output


def test_numbers_are_normalised_and_ambiguous_ones_refused_with_the_reason(city, tmp_path):
    report = import_values(
        city,
        write(
            tmp_path / "n.csv",
            'org_unit,period,resident_population,land_area_m2\nA,2025,"1,5",１２３４\n',
        ),
    )
    reasons = [p.reason_en for p in report.problems]
    assert reasons == [
        "'1,5' is ambiguous: a comma may only separate thousands (1,234,567); write a decimal with a point (1.5)"
    ]
