"""Data in through the browser and the API: the entry grid (same rules as imports), file
upload with the quarantine report, bulk API writes, DHIS2 dataValueSets round trip."""

from __future__ import annotations

import csv
import io
import json

from shequ.store import values as store_values
from shequ.store.db import open_store
from tests.web import _webcity as city


def _post_json(client, url, body):
    return client.post(url, json=body, headers={"X-CSRF-Token": client.csrf})


def test_entry_grid_shows_the_users_communities_only(client_for):
    page = client_for("staff_s1").get("/entry?period=2025")
    assert page.status_code == 200
    assert "甲社区" in page.text and "乙社区" in page.text
    assert "丙社区" not in page.text
    # 甲社区's stored population 1000 is in its cell
    assert f'data-unit="{city.JIA}" data-element="resident_population" value="1000"' in page.text


def test_entry_check_uses_the_import_rules(client_for):
    client = client_for("staff_jia")
    cells = [
        {"org_unit": city.JIA, "data_element": "resident_population", "value": "-5"},
        {"org_unit": city.JIA, "data_element": "resident_population", "value": "12.5"},
        {"org_unit": city.JIA, "data_element": "green_area_m2", "value": "abc"},
        {"org_unit": city.JIA, "data_element": "green_area_m2", "value": "31"},
    ]
    # each cell checked as it is typed: negative count, a fraction of people, not a number;
    # the last cell is fine
    reasons = [
        [
            p["reason_en"]
            for p in _post_json(client, "/entry/check", {"period": "2025", "cells": [c]}).json()[
                "problems"
            ]
        ]
        for c in cells
    ]
    assert "below the minimum" in reasons[0][0]
    assert "whole number" in reasons[1][0]
    assert "not a number" in reasons[2][0]
    assert reasons[3] == []


def test_entry_check_runs_the_plans_rules_on_the_row_being_edited(client_for):
    client = client_for("staff_jia")
    # 甲社区 has 1 000 residents stored; 1,200 adults typed (with a thousands separator)
    # break adults ≤ residents, 8００ (full-width digits) does not
    typed = {"org_unit": city.JIA, "data_element": "adult_population", "value": "1,200"}
    body = _post_json(client, "/entry/check", {"period": "2025", "cells": [typed]}).json()
    assert body["problems"] == []
    assert [(r["cells"], r["rule"], r["importance"]) for r in body["rules"]] == [
        ([0], "adults_within_residents", "high")
    ]
    typed["value"] = "８００"
    body = _post_json(client, "/entry/check", {"period": "2025", "cells": [typed]}).json()
    assert body == {"problems": [], "rules": []}


def test_entry_save_is_all_or_nothing(client_for, web_store_url):
    client = client_for("staff_jia")
    good = {"org_unit": city.JIA, "data_element": "green_area_m2", "value": "32"}
    bad = {"org_unit": city.JIA, "data_element": "resident_population", "value": "x"}
    refused = _post_json(client, "/entry/save", {"period": "2025", "cells": [good, bad]})
    assert refused.status_code == 422
    with open_store(web_store_url).begin() as conn:
        stored = store_values.read(conn, periods=["2025"], data_elements=["green_area_m2"])
    assert float(stored[stored["org_unit"] == city.JIA]["value"].iloc[0]) != 32.0
    saved = _post_json(client, "/entry/save", {"period": "2025", "cells": [good]})
    assert saved.status_code == 200 and saved.json()["saved"] == 1


def test_entry_save_refuses_a_community_outside_the_scope(client_for):
    client = client_for("staff_jia")
    cell = {"org_unit": city.BING, "data_element": "green_area_m2", "value": "10"}
    refused = _post_json(client, "/entry/save", {"period": "2025", "cells": [cell]})
    assert refused.status_code == 422
    assert "outside your scope" in refused.json()["problems"][0]["reason_en"]


def test_upload_quarantines_bad_rows_and_offers_the_report(client_for):
    client = client_for("staff_s1")
    content = (
        "org_unit,period,green_area_m2\n"
        f"{city.JIA},2025,33\n"  # good
        f"{city.YI},2025,-1\n"  # negative area
        f"{city.BING},2025,5\n"  # another street's community
    )
    response = client.post(
        "/imports",
        data={"csrf_token": client.csrf},
        files={"file": ("绿化.csv", content.encode("utf-8"), "text/csv")},
    )
    assert response.status_code == 200
    assert 'id="quarantined">2<' in response.text
    link = response.text.split('id="quarantine-link" href="')[1].split('"')[0]
    report = client.get(link)
    assert report.status_code == 200
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    # header + the two bad rows (file lines 3 and 4), each with its reason
    assert [r[0] for r in rows[1:]] == ["3", "4"]
    assert "outside your scope" in rows[2][3]
    # someone else cannot download it
    assert client_for("staff_jia").get(link).status_code == 404


def test_api_bulk_write_and_read_back(client_for):
    client = client_for("staff_s1")
    body = {
        "values": [
            {"data_element": "land_area_m2", "org_unit": city.YI, "period": "2025", "value": 120}
        ]
    }
    assert _post_json(client, "/api/values", body).json()["saved"] == 1
    read = client.get(
        f"/api/values?period=2025&org_unit={city.YI}&data_element=land_area_m2"
    ).json()
    assert read == [
        {"data_element": "land_area_m2", "org_unit": city.YI, "period": "2025", "value": 120.0}
    ]
    assert client.get(f"/api/values?period=2025&org_unit={city.BING}").status_code == 403


def test_dhis2_data_value_set_round_trip(client_for):
    """Export 乙社区's 2025 values as a dataValueSet, change one, import it back."""
    client = client_for("staff_s1")
    exported = client.get(f"/api/dataValueSets?period=2025&orgUnit={city.YI}").json()
    values = {v["dataElement"]: v for v in exported["dataValues"]}
    assert exported["idScheme"] == "CODE"
    found = values["resident_population"]
    assert {k: found[k] for k in ("dataElement", "period", "orgUnit", "value")} == {
        "dataElement": "resident_population",
        "period": "2025",
        "orgUnit": city.YI,
        "value": "3000",
    }
    assert found["categoryOptionCombo"] == "default"
    values["resident_population"]["value"] = "3100"
    summary = _post_json(client, "/api/dataValueSets", {"dataValues": list(values.values())}).json()
    # one value changed, the others are unchanged (ignored in DHIS2's words)
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"]["updated"] == 1
    assert summary["importCount"]["ignored"] == len(values) - 1
    again = client.get(
        f"/api/dataValueSets?period=2025&orgUnit={city.YI}&dataElement=resident_population"
    )
    assert again.json()["dataValues"][0]["value"] == "3100"


def test_dhis2_import_with_a_conflict_writes_nothing(client_for):
    client = client_for("staff_s1")
    payload = {
        "period": "2025",
        "dataValues": [
            {"dataElement": "land_area_m2", "orgUnit": city.JIA, "value": "100"},
            {"dataElement": "no_such_element", "orgUnit": city.JIA, "value": "1"},
        ],
    }
    response = _post_json(client, "/api/dataValueSets", payload)
    assert response.status_code == 409
    summary = response.json()
    assert summary["status"] == "ERROR" and summary["importCount"]["imported"] == 0
    assert "no_such_element" in json.dumps(summary["conflicts"], ensure_ascii=False)


def test_dhis2_monthly_periods_are_translated():
    from shequ.ingest.dhis2 import period_in, period_out

    assert period_in("202507") == "2025-07" and period_out("2025-07") == "202507"
    assert period_in("2025Q3") == "2025Q3" and period_out("2025") == "2025"
