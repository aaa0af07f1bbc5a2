"""A two-community city with a quarterly and a yearly evaluation on a frozen clock."""

from __future__ import annotations

import pytest

from shequ.framework.loader import load_plan
from shequ.framework.schedule import EvaluationJob, Schedule
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from tests._files import write

UNITS = """code,name,parent_code,level
C,市,,city
S1,一街道,C,street
S2,二街道,C,street
A,甲社区,S1,community
B,乙社区,S1,community
E,丙社区,S2,community
"""


def plan_with(**schedule):
    base = {
        "collect": ("quarter",),
        "expiry_days": 15,
        "evaluations": (EvaluationJob(code="quarterly", period_type="quarter", hour=2),),
    }
    return load_plan("national").model_copy(update={"schedule": Schedule(**(base | schedule))})


@pytest.fixture
def plan():
    return plan_with()


def add_values(store, folder, name, content):
    report = import_values(store, write(folder / name, content))
    assert report.exit_code == 0, report.problems


@pytest.fixture
def city(sqlite_store, tmp_path):
    report = import_org_units(sqlite_store, write(tmp_path / "u.csv", UNITS))
    assert report.exit_code == 0, report.problems
    return sqlite_store
