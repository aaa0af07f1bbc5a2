"""DHIS2 dataValueSets as DHIS2's Web API documentation describes them: dry run, import
strategies, deleted values, disaggregations (category option combos), comments, id
schemes, CSV bodies, the ``.json`` suffix, and exports by period list, date range,
children and lastUpdated. Summaries are compared with DHIS2's documented ImportSummary
(status, importCount {imported, updated, ignored, deleted}, conflicts [{object, value}]).

Every test writes its own periods (2014–2023, none of them evaluated) so that the session city's 2025 numbers,
which other tests read, stay as they are.
"""

from __future__ import annotations

import json

from shequ.store import values as store_values
from shequ.store.db import open_store
from tests.web import _webcity as city


def _post(client, url, body, **headers):
    headers = {"X-CSRF-Token": client.csrf, **headers}
    if isinstance(body, str):
        return client.post(url, content=body.encode(), headers=headers)
    return client.post(url, json=body, headers=headers)


def _counts(summary):
    return summary["importCount"]


def _stored(url, period):
    with open_store(url).begin() as conn:
        return store_values.read(conn, periods=[period], detail=True)


# DHIS2's documented example, with its ids turned into this city's codes: a set-level
# period and orgUnit, three values, one with a comment.
def _documented_set(period="2023"):
    return {
        "period": period,
        "orgUnit": city.JIA,
        "completeDate": "2023-12-31",
        "dataValues": [
            {"dataElement": "resident_population", "value": "1", "comment": "comment1"},
            {"dataElement": "adult_population", "value": "2", "comment": "comment2"},
            {"dataElement": "land_area_m2", "value": "3", "comment": "comment3"},
        ],
    }


def test_dry_run_returns_the_summary_and_writes_nothing(client_for, web_store_url):
    client = client_for("staff_s1")
    answer = _post(client, "/api/dataValueSets?dryRun=true", _documented_set("2019"))
    assert answer.status_code == 200
    summary = answer.json()
    # DHIS2's documented summary for 3 new values: imported 3, the rest 0
    assert summary["status"] == "SUCCESS"
    assert _counts(summary) == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert summary["importOptions"]["dryRun"] is True
    assert _stored(web_store_url, "2019").empty
    # the same set for real: the same summary, and now stored
    real = _post(client, "/api/dataValueSets", _documented_set("2019")).json()
    assert _counts(real) == _counts(summary) and real["importOptions"]["dryRun"] is False
    assert len(_stored(web_store_url, "2019")) == 3


def test_comments_followup_stored_by_round_trip(client_for):
    client = client_for("staff_s1")
    payload = _documented_set("2020")
    payload["dataValues"][0] |= {"followup": True, "storedBy": "surveyor_wang"}
    assert _counts(_post(client, "/api/dataValueSets", payload).json())["imported"] == 3
    exported = client.get(f"/api/dataValueSets.json?period=2020&orgUnit={city.JIA}").json()
    by_element = {v["dataElement"]: v for v in exported["dataValues"]}
    first = by_element["resident_population"]
    assert first["comment"] == "comment1" and first["followup"] is True
    assert first["storedBy"] == "surveyor_wang"
    assert by_element["land_area_m2"]["comment"] == "comment3"
    # posting the export back changes nothing: all 3 ignored (equal to the store)
    again = _post(client, "/api/dataValueSets", exported).json()
    assert _counts(again) == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}
    # a changed comment alone is an update
    exported["dataValues"][0]["comment"] = "checked again"
    assert _counts(_post(client, "/api/dataValueSets", exported).json())["updated"] == 1


def test_deleted_values_and_the_delete_strategy(client_for, web_store_url):
    client = client_for("staff_s1")
    _post(client, "/api/dataValueSets", _documented_set("2021"))
    payload = _documented_set("2021")
    payload["dataValues"][0]["deleted"] = True
    summary = _post(client, "/api/dataValueSets", payload).json()
    # resident_population deleted; the other two equal to the store, so ignored
    assert _counts(summary) == {"imported": 0, "updated": 0, "ignored": 2, "deleted": 1}
    stored = _stored(web_store_url, "2021")
    assert sorted(stored["data_element"]) == ["adult_population", "land_area_m2"]
    # importStrategy=DELETE deletes every value of the set: 2 stored, 1 already gone
    summary = _post(client, "/api/dataValueSets?importStrategy=DELETE", _documented_set("2021"))
    assert _counts(summary.json()) == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 2}
    assert _stored(web_store_url, "2021").empty
    with open_store(web_store_url).begin() as conn:
        from shequ.store import audit

        trail = audit.history(conn, entity="data_value")
    deleted = trail[(trail["action"] == "delete") & trail["entity_key"].str.contains("2021")]
    assert len(deleted) == 3  # every deletion audited with its value before


def test_create_and_update_strategies(client_for):
    client = client_for("staff_s1")
    first = {
        "period": "2022",
        "orgUnit": city.JIA,
        "dataValues": [{"dataElement": "resident_population", "value": "10"}],
    }
    _post(client, "/api/dataValueSets", first)
    both = {
        "period": "2022",
        "orgUnit": city.JIA,
        "dataValues": [
            {"dataElement": "resident_population", "value": "11"},
            {"dataElement": "adult_population", "value": "5"},
        ],
    }
    # UPDATE: the stored value is updated, the new one ignored
    update = _post(client, "/api/dataValueSets?importStrategy=UPDATE", both).json()
    assert _counts(update) == {"imported": 0, "updated": 1, "ignored": 1, "deleted": 0}
    both["dataValues"][0]["value"] = "12"
    # CREATE: the new one imported, the stored one (now 11) ignored although it differs
    create = _post(client, "/api/dataValueSets?importStrategy=CREATE", both).json()
    assert _counts(create) == {"imported": 1, "updated": 0, "ignored": 1, "deleted": 0}
    read = client.get(f"/api/dataValueSets?period=2022&orgUnit={city.JIA}").json()
    assert {v["dataElement"]: v["value"] for v in read["dataValues"]} == {
        "adult_population": "5",
        "resident_population": "11",
    }


def test_disaggregated_import_exports_back_equal(client_for):
    client = client_for("staff_s1")
    payload = {
        "period": "202306",
        "orgUnit": city.YI,
        "dataValues": [
            {
                "dataElement": "resident_population",
                "categoryOptionCombo": "age_0_59",
                "value": "2100",
            },
            {
                "dataElement": "resident_population",
                "categoryOptionCombo": "age_60_plus",
                "value": "900",
                "comment": "census",
            },
        ],
    }
    summary = _post(client, "/api/dataValueSets", payload).json()
    assert summary["status"] == "SUCCESS" and _counts(summary)["imported"] == 2
    exported = client.get(f"/api/dataValueSets?period=202306&orgUnit={city.YI}").json()
    keep = ("dataElement", "period", "orgUnit", "categoryOptionCombo", "value")
    out = (
        sorted(
            ({k: v[k] for k in keep} | ({"comment": v["comment"]} if "comment" in v else {}))
            for v in exported["dataValues"]
        )
        if False
        else sorted(
            (
                tuple((k, v[k]) for k in keep)
                + ((("comment", v["comment"]),) if "comment" in v else ())
            )
            for v in exported["dataValues"]
        )
    )
    sent = sorted(
        (
            tuple((k, {"period": "202306", "orgUnit": city.YI, **v}[k]) for k in keep)
            + ((("comment", v["comment"]),) if "comment" in v else ())
        )
        for v in payload["dataValues"]
    )
    assert out == sent
    # the element's total is the sum over combos: 2100 + 900 = 3000
    total = client.get(f"/api/values?period=2023-06&org_unit={city.YI}").json()
    assert total == [
        {
            "data_element": "resident_population",
            "org_unit": city.YI,
            "period": "2023-06",
            "value": 3000.0,
        }
    ]


def test_conflicts_name_the_object_and_say_why(client_for, web_store_url):
    client = client_for("admin")
    before = _stored(web_store_url, "2023")
    payload = {
        "orgUnit": city.JIA,
        "dataValues": [
            {"dataElement": "resident_population", "period": "2026W27", "value": "1"},
            {"dataElement": "resident_population", "period": "2026S1", "value": "1"},
            {"dataElement": "adult_population", "period": "2023", "value": True},
            {"dataElement": "no_such_element", "period": "2023", "value": "1"},
        ],
    }
    answer = _post(client, "/api/dataValueSets", payload)
    assert answer.status_code == 409
    summary = answer.json()
    assert summary["status"] == "ERROR"
    # nothing imported: all 4 ignored
    assert _counts(summary) == {"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}
    by_index = {}
    for c in summary["conflicts"]:
        by_index.setdefault(c["index"], []).append(c)
    # a city-wide user sends bad periods: the period is invalid, not "outside your scope"
    assert [c["object"] for c in by_index[0]] == ["2026W27"]
    assert "not valid" in by_index[0][0]["value"] and "scope" not in json.dumps(summary)
    assert by_index[1][0]["object"] == "2026S1"
    # JSON true is said as JSON writes it
    assert by_index[2][0]["value"].endswith("'true' is not a number")
    assert by_index[3][0]["object"] == "no_such_element"
    after = _stored(web_store_url, "2023")
    assert after[["data_element", "org_unit", "value"]].equals(
        before[["data_element", "org_unit", "value"]]
    )


def test_csv_body_and_csv_export(client_for):
    client = client_for("staff_s1")
    body = (
        "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,comment,followup\n"
        f"green_area_m2,2018,{city.YI},,,31,clerk_li,2018-04-01,from csv,false\n"
        f"land_area_m2,2018,{city.YI},default,,120,clerk_li,2018-04-01,,true\n"
    )
    summary = _post(client, "/api/dataValueSets", body, **{"Content-Type": "application/csv"})
    assert summary.status_code == 200, summary.text
    assert _counts(summary.json())["imported"] == 2
    csv_out = client.get(f"/api/dataValueSets.csv?period=2018&orgUnit={city.YI}").text
    lines = csv_out.strip().splitlines()
    assert lines[0].startswith("dataelement,period,orgunit,catoptcombo")
    assert any(
        line.startswith(f"green_area_m2,2018,{city.YI},default,,31,clerk_li,")
        and "from csv" in line
        for line in lines
    )


def test_export_by_periods_dates_children_and_last_updated(client_for):
    client = client_for("staff_s1")
    for period, value in (("2019-03", "7"), ("2019-04", "8"), ("2019Q2", "9")):
        _post(
            client,
            "/api/dataValueSets",
            {
                "dataValues": [
                    {
                        "dataElement": "green_area_m2",
                        "orgUnit": city.JIA,
                        "period": period,
                        "value": value,
                    }
                ]
            },
        )

    def got(query):
        answer = client.get(f"/api/dataValueSets?dataElement=green_area_m2&{query}")
        assert answer.status_code == 200, answer.text
        return sorted((v["period"], v["orgUnit"]) for v in answer.json()["dataValues"])

    # repeated period: March and April, not the quarter
    assert got("period=201903&period=201904") == [("201903", city.JIA), ("201904", city.JIA)]
    # a date range holds the periods lying inside it: April and Q2 (April–June), not March
    assert got("startDate=2019-04-01&endDate=2019-06-30") == [
        ("201904", city.JIA),
        ("2019Q2", city.JIA),
    ]
    # the street without children has no values of its own; with children it has 甲社区's
    assert got(f"period=201903&orgUnit={city.STREET_1}") == []
    assert got(f"period=201903&orgUnit={city.STREET_1}&children=true") == [("201903", city.JIA)]
    assert got("period=201903&lastUpdated=2999-01-01") == []
    # a time with a zone (DHIS2 clients send ...Z) is compared in UTC, not a server error
    assert got("period=201903&lastUpdated=2000-01-01T00:00:00Z") == [("201903", city.JIA)]
    assert got("period=201903&lastUpdated=2999-01-01T08:00:00%2B08:00") == []
    assert client.get("/api/dataValueSets?dataElement=green_area_m2").status_code == 400


def test_uid_id_scheme_through_the_mapping(client_for, web_store_url):
    from shequ.store import dhis2_ids

    with open_store(web_store_url).begin() as conn:
        import pandas as pd

        dhis2_ids.save(
            conn,
            pd.DataFrame(
                [
                    ("data_element", "f7n9E0hX8qk", "resident_population"),
                    ("org_unit", "DiszpKrYNg8", city.DING),
                    ("category_option_combo", "HllvX50cXC0", "default"),
                ],
                columns=["kind", "uid", "code"],
            ),
            actor="test",
        )
    client = client_for("admin")
    payload = {
        "dataSet": "pBOMPrpg1QX",
        "period": "201401",
        "orgUnit": "DiszpKrYNg8",
        "dataValues": [
            {"dataElement": "f7n9E0hX8qk", "categoryOptionCombo": "HllvX50cXC0", "value": "12"}
        ],
    }
    summary = _post(client, "/api/dataValueSets?idScheme=UID", payload).json()
    assert summary["status"] == "SUCCESS", summary
    assert _counts(summary)["imported"] == 1
    by_code = client.get(f"/api/dataValueSets?period=201401&orgUnit={city.DING}").json()
    assert by_code["dataValues"][0]["dataElement"] == "resident_population"
    by_uid = client.get(f"/api/dataValueSets?period=201401&orgUnit={city.DING}&idScheme=UID").json()
    assert by_uid["idScheme"] == "UID"
    assert (
        by_uid["dataValues"][0]["dataElement"],
        by_uid["dataValues"][0]["orgUnit"],
        by_uid["dataValues"][0]["categoryOptionCombo"],
    ) == ("f7n9E0hX8qk", "DiszpKrYNg8", "HllvX50cXC0")
    # an unmapped UID is a conflict naming it; NAME is refused as unsupported
    payload["dataValues"][0]["dataElement"] = "Ix2HsbDMLea"
    conflict = _post(client, "/api/dataValueSets?idScheme=UID", payload).json()
    assert conflict["conflicts"][0]["object"] == "Ix2HsbDMLea"
    refused = _post(client, "/api/dataValueSets?idScheme=NAME", payload)
    assert refused.status_code == 400 and "NAME" in refused.text
