"""Residents without an account: 我的社区 shows approved data only, in plain words; 查进度
follows one's own suggestion by number and code, and tells nothing to a wrong code."""

from __future__ import annotations

import re

from sqlalchemy import select

from shequ.store import approvals
from shequ.store.db import open_store
from shequ.store.tables.voice import Suggestion
from shequ.web import public, voice_bridge
from tests.web import _webcity as city


def test_a_community_page_shows_nothing_before_approval_and_the_scorecard_after(
    client_for, web_store_url
):
    resident = client_for(None)
    before = resident.get(f"/public/community/{city.DING}")
    assert before.status_code == 200
    assert 'id="no-approved"' in before.text and "丁社区" in before.text
    # 丁社区 2025: living area 66 000 m² / 1 500 residents = 44.0 m² per person, ≥ 40: met
    assert "44.0" not in before.text
    store = open_store(web_store_url)
    with store.begin() as conn:
        approvals.approve(conn, city.DING, "2025", actor="test")
    try:
        after = resident.get(f"/public/community/{city.DING}").text
    finally:
        with store.begin() as conn:
            approvals.unlock(conn, city.DING, "2025", actor="test")
    assert 'id="public-summary"' in after and "2025 年（已审核数据）" in after
    assert "✓ 人均居住面积：44.0" in after
    # a resident's page: no staff navigation, no login needed
    assert 'href="/entry"' not in after and "/login" not in resident.get("/public/track").url.path


def test_an_unknown_community_is_not_found(client_for):
    assert client_for(None).get("/public/community/990199999999").status_code == 404


def test_tracking_codes_are_short_unambiguous_and_stored_as_digests():
    code = public.new_code()
    assert len(code) == 6 and set(code) <= set(public.ALPHABET)
    assert not set("01OIL") & set(public.ALPHABET)
    # typed in lower case with a space it is the same code
    assert public.digest(code.lower()[:3] + " " + code.lower()[3:]) == public.digest(code)


def _submit(client) -> tuple[str, str]:
    page = client.post(
        "/suggest",
        data={"csrf_token": client.csrf, "org_unit": city.JIA, "text": "楼道灯坏了，请尽快修理"},
    )
    assert page.status_code == 200, page.text
    ref = re.search(r'id="suggest-ref">([^<]+)<', page.text).group(1)
    code = re.search(r'id="suggest-code">([^<]+)<', page.text).group(1)
    return ref, code


def _look_up(client, number: str, code: str):
    return client.post(
        "/public/track", data={"csrf_token": client.csrf, "number": number, "code": code}
    )


def test_a_resident_follows_a_suggestion_by_number_and_code(client_for, web_store_url):
    resident = client_for(None)
    ref, code = _submit(resident)
    store = open_store(web_store_url)
    with store.begin() as conn:
        row = conn.execute(
            select(Suggestion.id, Suggestion.track_digest).where(Suggestion.ref == ref)
        ).one()
    assert row.track_digest == public.digest(code) and code not in row.track_digest
    voice_bridge.step(
        store, row.id, "reply", actor="staff_jia", text="已报物业，三日内修好", rating=None
    )
    found = _look_up(resident, ref, code.lower())
    assert found.status_code == 200
    assert "甲社区" in found.text and 'id="track-status">已答复<' in found.text
    assert "已报物业，三日内修好" in found.text
    assert "楼道灯坏了" not in found.text  # the resident's own text is not echoed back


def test_a_wrong_code_gets_the_same_answer_as_an_unknown_number(client_for):
    resident = client_for(None)
    ref, code = _submit(resident)
    wrong = "".join("2" if c != "2" else "3" for c in code)
    bad_code = _look_up(resident, ref, wrong)
    unknown = _look_up(resident, "no-such-number", code)
    assert bad_code.status_code == unknown.status_code == 404

    def answer(page) -> str:  # the page without its echoed number and CSRF token
        text = page.text.replace(ref, "N").replace("no-such-number", "N")
        return re.sub(r'value="[^"]*"', "", text)

    assert answer(bad_code) == answer(unknown)
    assert 'id="track-none"' in bad_code.text and "甲社区" not in bad_code.text


def test_lookups_are_rate_limited_like_the_public_forms(web_app, client_for):
    from shequ.web.security import Throttle

    resident = client_for(None)
    kept = web_app.state.public_throttle
    web_app.state.public_throttle = Throttle(2, 60)  # two posts per address per minute
    try:
        statuses = [_look_up(resident, "x", "ABCDEF").status_code for _ in range(3)]
    finally:
        web_app.state.public_throttle = kept
    assert statuses == [404, 404, 429]
