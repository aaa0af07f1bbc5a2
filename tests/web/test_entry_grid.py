"""The entry grid edits like a spreadsheet: exact values, a comment per value, deleting a
value with a reason (audited), one street at a time. Period 2011 is used by no other test
of the shared web city."""

from __future__ import annotations

import json

from sqlalchemy import select

from shequ.store import values as store_values
from shequ.store.db import open_store
from shequ.store.tables.core import AuditEntry
from shequ.web.entry_grid import exact_text
from tests.web import _webcity as city

PERIOD = "2011"


def _post(client, url, body):
    return client.post(url, json=body, headers={"X-CSRF-Token": client.csrf})


def _stored(url: str, element: str) -> dict[str, float]:
    with open_store(url).begin() as conn:
        frame = store_values.read(conn, periods=[PERIOD], data_elements=[element], detail=True)
    return dict(zip(frame["org_unit"], frame["value"], strict=True))


def test_exact_text_never_rounds_or_uses_an_exponent():
    assert exact_text(2_500_000.0) == "2500000"  # %g printed 2.5e+06
    assert exact_text(1_174_790_000.0) == "1174790000"  # %g printed 1.17479e+09
    assert exact_text(0.1) == "0.1"
    assert exact_text(38.25) == "38.25"
    assert exact_text(float("nan")) == ""


def test_large_values_save_and_show_exactly(client_for, web_store_url):
    client = client_for("staff_s1")
    cells = [
        # thousands separators as Excel copies them
        {"org_unit": city.JIA, "data_element": "residential_floor_area_m2", "value": "2,500,000"},
        {"org_unit": city.YI, "data_element": "residential_floor_area_m2", "value": "1174790000"},
    ]
    saved = _post(client, "/entry/save", {"period": PERIOD, "cells": cells})
    assert saved.status_code == 200, saved.text
    assert _stored(web_store_url, "residential_floor_area_m2") == {
        city.JIA: 2_500_000.0,
        city.YI: 1_174_790_000.0,
    }
    page = client.get("/entry", params={"period": PERIOD}).text
    assert (
        f'data-unit="{city.JIA}" data-element="residential_floor_area_m2" value="2500000"' in page
    )
    assert (
        f'data-unit="{city.YI}" data-element="residential_floor_area_m2" value="1174790000"' in page
    )
    # editing the shown text back saves the same number (no 1 174 800 000 from %g)
    again = _post(
        client, "/entry/save", {"period": PERIOD, "cells": [cells[1] | {"value": "1174790000"}]}
    )
    assert again.json()["unchanged"] == 1


def test_a_cleared_value_is_deleted_only_with_a_reason_and_audited(client_for, web_store_url):
    client = client_for("staff_s1")
    cell = {"org_unit": city.JIA, "data_element": "green_area_m2", "value": "31"}
    assert _post(client, "/entry/save", {"period": PERIOD, "cells": [cell]}).status_code == 200
    cleared = {**cell, "value": "", "deleted": True}
    refused = _post(client, "/entry/save", {"period": PERIOD, "cells": [cleared]})
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["reason_en"] == "deleting a value needs a reason"
    assert _stored(web_store_url, "green_area_m2") == {city.JIA: 31.0}  # still there
    body = {"period": PERIOD, "cells": [cleared], "reason": "重复填报"}
    done = _post(client, "/entry/save", body)
    assert done.status_code == 200, done.text
    assert (done.json()["saved"], done.json()["deleted"]) == (0, 1)
    assert _stored(web_store_url, "green_area_m2") == {}
    with open_store(web_store_url).begin() as conn:
        entry = (
            conn.execute(
                select(AuditEntry.__table__)
                .where(AuditEntry.entity_key == f"green_area_m2/{city.JIA}/{PERIOD}")
                .order_by(AuditEntry.id.desc())
            )
            .mappings()
            .first()
        )
    assert (entry["action"], entry["actor"]) == ("delete", "staff_s1")
    assert json.loads(entry["before"])["value"] == 31.0
    assert json.loads(entry["after"]) == {"reason": "重复填报"}


def test_a_comment_is_kept_with_its_value_and_shown(client_for, web_store_url):
    client = client_for("staff_s1")
    cell = {
        "org_unit": city.YI,
        "data_element": "land_area_m2",
        "value": "100",
        "comment": "含水面",
    }
    assert _post(client, "/entry/save", {"period": PERIOD, "cells": [cell]}).status_code == 200
    with open_store(web_store_url).begin() as conn:
        frame = store_values.read(
            conn, periods=[PERIOD], data_elements=["land_area_m2"], detail=True
        )
    assert frame.set_index("org_unit").loc[city.YI, "comment"] == "含水面"
    page = client.get("/entry", params={"period": PERIOD}).text
    assert 'data-comment="含水面" title="含水面"' in page


def test_the_grid_opens_on_one_street_with_a_picker(client_for):
    admin = client_for("admin")  # city scope: not every community at once
    page = admin.get("/entry", params={"period": PERIOD}).text
    assert f'data-unit="{city.JIA}"' in page and f'data-unit="{city.BING}"' not in page
    # the picker of 东区's streets lists both, with codes, 一街道 selected
    assert f'<option value="{city.STREET_1}" selected>一街道 · {city.STREET_1}</option>' in page
    assert f'<option value="{city.STREET_2}" >二街道 · {city.STREET_2}</option>' in page
    other = admin.get("/entry", params={"period": PERIOD, "unit": city.STREET_2}).text
    assert f'data-unit="{city.BING}"' in other and f'data-unit="{city.JIA}"' not in other
