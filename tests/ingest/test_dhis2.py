"""DHIS2 dataValueSet import on SQLite and PostgreSQL alike: DHIS2's documented example
(three values, comments) with dry run, update, delete and a disaggregated set exported back
equal. The web layer adds only scope and HTTP (tests/web/test_dhis2.py)."""

from __future__ import annotations

import pytest

from shequ.framework.loader import load_plan
from shequ.ingest import dhis2
from shequ.ingest.dhis2_import import export_values, import_value_set
from shequ.ingest.orgunits import import_org_units
from shequ.store.db import Store
from tests._files import write

UNITS = "code,name,parent_code,level\nS1,一街道,,street\nA,甲社区,S1,community\n"
DOCUMENTED = {
    "dataSet": "pBOMPrpg1QX",
    "completeDate": "2014-02-03",
    "period": "201401",
    "orgUnit": "A",
    "dataValues": [
        {"dataElement": "resident_population", "value": "1", "comment": "comment1"},
        {"dataElement": "adult_population", "value": "2", "comment": "comment2"},
        {"dataElement": "land_area_m2", "value": "3", "comment": "comment3"},
    ],
}


@pytest.fixture
def tree(any_store: Store, tmp_path) -> Store:
    assert import_org_units(any_store, write(tmp_path / "u.csv", UNITS)).exit_code == 0
    return any_store


def _import(store, payload, **params):
    options = dhis2.options_from(params, payload)
    raw = dhis2.from_data_value_set(payload)
    return import_value_set(store, raw, load_plan(), {"S1", "A"}, options, actor="t")


def _export(store, period):
    options = dhis2.options_from({})
    with store.begin() as conn:
        frame = export_values(conn, options, periods=[period], units={"A"})
    return dhis2.to_data_value_set(frame, options)["dataValues"]


def test_documented_example_dry_run_import_update_delete(tree: Store) -> None:
    dry = _import(tree, DOCUMENTED, dryRun="true")
    # DHIS2's documented summary for this set: imported 3, updated 0, ignored 0, deleted 0
    assert (dry["status"], dry["importCount"]) == (
        "SUCCESS",
        {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0},
    )
    assert _export(tree, "2014-01") == []
    assert _import(tree, DOCUMENTED)["importCount"] == dry["importCount"]
    assert [v["comment"] for v in _export(tree, "2014-01")] == ["comment2", "comment3", "comment1"]
    changed = {**DOCUMENTED, "dataValues": [dict(v) for v in DOCUMENTED["dataValues"]]}
    changed["dataValues"][0]["value"] = "10"
    changed["dataValues"][1]["deleted"] = True
    # one updated, one deleted, one equal to the store (ignored)
    assert _import(tree, changed)["importCount"] == {
        "imported": 0,
        "updated": 1,
        "ignored": 1,
        "deleted": 1,
    }
    left = {v["dataElement"]: v["value"] for v in _export(tree, "2014-01")}
    assert left == {"land_area_m2": "3", "resident_population": "10"}


def test_a_disaggregated_set_exports_back_equal(tree: Store) -> None:
    sent = [
        {"dataElement": "resident_population", "categoryOptionCombo": c, "value": v}
        for c, v in (("age_0_59", "700"), ("age_60_plus", "300"), ("default", "5"))
    ]
    summary = _import(tree, {"period": "2014", "orgUnit": "A", "dataValues": sent})
    assert summary["importCount"]["imported"] == 3
    keep = ("dataElement", "categoryOptionCombo", "value")
    back = sorted(tuple(v[k] for k in keep) for v in _export(tree, "2014"))
    assert back == sorted(tuple(v[k] for k in keep) for v in sent)
    # importing the export again changes nothing (all 3 ignored)
    assert _import(tree, {"period": "2014", "orgUnit": "A", "dataValues": sent})["importCount"] == {
        "imported": 0,
        "updated": 0,
        "ignored": 3,
        "deleted": 0,
    }
