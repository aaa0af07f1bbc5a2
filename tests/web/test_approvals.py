"""Per-unit approval on the web: a street's administrator approves one community, which
locks that community's cells and nothing else; its own staff cannot approve it."""

from shequ.store import audit
from shequ.store.db import open_store

from . import _webcity as city


def _put(client, unit: str, value: str):
    body = {
        "values": [
            {"data_element": "green_area_m2", "org_unit": unit, "period": "2024", "value": value}
        ]
    }
    return client.post("/api/values", json=body, headers={"X-CSRF-Token": client.csrf})


def test_a_street_admin_locks_one_community_until_unlocked(client_for, web_store_url):
    street_admin = client_for("admin_s1")
    staff_s1 = client_for("staff_s1")
    approve = {
        "unit": city.JIA,
        "period": "2024",
        "approved": "true",
        "csrf_token": street_admin.csrf,
    }
    done = street_admin.post("/approvals", data=approve, follow_redirects=False)
    assert done.status_code == 303
    try:
        # 甲社区 is approved: refused, naming the approving unit; 乙社区 (same street) is open
        refused = _put(staff_s1, city.JIA, "31")
        assert refused.status_code == 422
        reason = refused.json()["problems"][0]["reason_en"]
        assert "locked" in reason and city.JIA in reason
        assert _put(staff_s1, city.YI, "32").status_code == 200
        page = street_admin.get("/approvals", params={"period": "2024", "unit": city.STREET_1})
        assert page.status_code == 200 and city.JIA in page.text
        grid = staff_s1.get("/entry", params={"period": "2024", "unit": city.STREET_1})
        assert 'id="locked"' in grid.text
    finally:
        unlock = {**approve, "approved": "false"}
        assert (
            street_admin.post("/approvals", data=unlock, follow_redirects=False).status_code == 303
        )
    assert _put(staff_s1, city.JIA, "31").status_code == 200
    with open_store(web_store_url).begin() as conn:
        trail = audit.history(conn, "period_approval", f"{city.JIA}/2024")
    assert list(trail["action"]) == ["unlock", "approve"]  # newest first
    assert set(trail["actor"]) == {"admin_s1"}


def test_no_one_approves_their_own_unit(client_for):
    # a street's administrator does not supervise the street itself (403 from the rule)
    street_admin = client_for("admin_s1")
    own = {
        "unit": city.STREET_1,
        "period": "2024",
        "approved": "true",
        "csrf_token": street_admin.csrf,
    }
    assert street_admin.post("/approvals", data=own).status_code == 403
    # a community's staff may not approve at all (403 from the role)
    staff = client_for("staff_jia")
    mine = {"unit": city.JIA, "period": "2024", "approved": "true", "csrf_token": staff.csrf}
    assert staff.post("/approvals", data=mine).status_code == 403


def test_approval_is_refused_with_the_list_while_a_must_fix_rule_is_violated(client_for):
    street_admin = client_for("admin_s1")
    staff = client_for("staff_s1")

    def put(element: str, value: str):
        body = {"values": [{"data_element": element, "org_unit": city.JIA, "period": "2012",
                            "value": value}]}  # fmt: skip
        return staff.post("/api/values", json=body, headers={"X-CSRF-Token": staff.csrf})

    # 150 adults of 100 residents in 甲社区 2012: adults ≤ residents is broken
    assert put("resident_population", "100").status_code == 200
    assert put("adult_population", "150").status_code == 200
    approve = {"unit": city.JIA, "period": "2012", "approved": "true",
               "csrf_token": street_admin.csrf}  # fmt: skip
    refused = street_admin.post("/approvals", data=approve, follow_redirects=False)
    assert refused.status_code == 409
    assert "adults_within_residents" in refused.text
    assert put("adult_population", "90").status_code == 200  # fixed: 90 ≤ 100
    try:
        done = street_admin.post("/approvals", data=approve, follow_redirects=False)
        assert done.status_code == 303
    finally:
        unlock = {**approve, "approved": "false"}
        street_admin.post("/approvals", data=unlock, follow_redirects=False)
