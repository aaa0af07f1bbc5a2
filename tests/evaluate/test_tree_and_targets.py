"""The tree as it stood in each period, accumulation over the plan period, target scopes."""

import pytest

from shequ.evaluate.run import evaluate
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from tests._files import write

# Street OLD is split on 2023-01-01: its community M moves to NEW. K stays under OLD2.
UNITS = """
code,name,parent_code,level,opened,closed
C,市,,city,,
OLD,老街道,C,street,,2023-01-01
NEW,新街道,C,street,2023-01-01,
OLD2,二街道,C,street,,
M,移社区,OLD,community,,2023-01-01
M,移社区,NEW,community,2023-01-01,
K,留社区,OLD2,community,,
"""
VALUES = """
data_element,org_unit,period,value
resident_population,M,2022,1000
residential_floor_area_m2,M,2022,45000
resident_population,M,2023,1000
residential_floor_area_m2,M,2023,46000
resident_population,K,2022,3000
residential_floor_area_m2,K,2022,90000
resident_population,K,2023,3000
residential_floor_area_m2,K,2023,90000
service_centres_opened,M,2020,5
service_centres_opened,M,2021,1
service_centres_opened,K,2023,2
service_centres_opened,M,2025,1
resident_population,M,2025,1000
resident_population,K,2025,3000
residential_floor_area_m2,M,2025,44000
residential_floor_area_m2,K,2025,120000
"""


@pytest.fixture
def store(engine_store, tmp_path):
    engine, store = engine_store
    assert import_org_units(store, write(tmp_path / "u.csv", UNITS)).exit_code == 0
    assert import_values(store, write(tmp_path / "v.csv", VALUES)).exit_code == 0
    return engine, store


def rows(store, plan, periods):
    engine, s = store
    result = evaluate(s, plan, periods=periods, engine=engine, persist=False)
    return result.results.set_index(["indicator", "org_unit", "period"])


def test_each_period_uses_the_tree_of_its_last_day(store):
    out = rows(store, load_plan("national"), ["2022", "2023"])
    # 2022: M is under OLD: OLD = 45000/1000 = 45.0; NEW does not exist yet
    assert out.loc[("living_area_per_capita", "OLD", "2022")].value == 45.0
    assert ("living_area_per_capita", "NEW", "2022") not in out.index
    # 2023: M is under NEW = 46000/1000 = 46.0; OLD is closed and has no row
    assert out.loc[("living_area_per_capita", "NEW", "2023")].value == 46.0
    assert ("living_area_per_capita", "OLD", "2023") not in out.index
    # the city counts M once in both years: 2023 = (46000 + 90000)/(1000 + 3000) = 34.0
    city = out.loc[("living_area_per_capita", "C", "2023")]
    assert (city.value, city.reporting_units, city.expected_units) == (34.0, 2, 2)


def test_new_centres_accumulate_over_the_plan_period_only(store):
    out = rows(store, load_plan("example_city"), ["2022", "2025"])
    # from 2021: 2022 -> M 2021 (1) = 1; 2025 -> 1 (M 2021) + 2 (K 2023) + 1 (M 2025) = 4.
    # The 5 opened in 2020 are before the plan period and never count.
    assert out.loc[("new_service_centres", "C", "2022")].value == 1
    city = out.loc[("new_service_centres", "C", "2025")]
    assert (city.value, city.target, city.status) == (4, 10, "not_met")
    # the "10 new centres" target is the city's (level: city), not each community's
    assert out.loc[("new_service_centres", "M", "2025")].status == "no_target"


def test_a_scoped_target_overrides_the_plan_wide_one_in_its_subtree(store, tmp_path):
    plan_file = write(
        tmp_path / "scoped.yaml",
        """
        extends: national
        code: scoped
        name: 分区目标
        name_en: scoped
        targets:
          - {indicator: living_area_per_capita, comparator: ">=", value: 45, period: "2025", scope: NEW}
    """,
    )
    out = rows(store, load_plan(plan_file), ["2025"])
    # M (under NEW) 44000/1000 = 44.0 must reach 45 there: not met
    m = out.loc[("living_area_per_capita", "M", "2025")]
    assert (m.value, m.target, m.status) == (44.0, 45.0, "not_met")
    # K (under OLD2) 120000/3000 = 40.0 keeps the national ">= 40": met
    k = out.loc[("living_area_per_capita", "K", "2025")]
    assert (k.value, k.target, k.status) == (40.0, 40.0, "met")
    assert out.loc[("living_area_per_capita", "NEW", "2025")].target == 45.0
    assert out.loc[("living_area_per_capita", "C", "2025")].target == 40.0
