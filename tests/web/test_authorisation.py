"""Authorisation walker: every route × every role × a unit in and out of the user's scope.

Routes are collected from the app itself, so a route added later is walked (and must
declare its access with ``Need(...)`` or ``Public()``) without touching this test.
"""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from shequ.store.accounts import ROLES
from shequ.web.app import all_routes
from shequ.web.deps import PERMISSIONS, Need, Public
from tests.web import _webcity as city

UNIT_PARAMS = {"code", "unit", "org_unit", "orgUnit"}
#: routes anyone may read that carry no data of any unit
OPEN: set[str] = set()  # issue 13 #15: /openapi.json needs a login like /api/docs
SAMPLE = {"period": "2025", "job_id": "1", "import_id": "1"}


def _access(route: APIRoute) -> str | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Need | Public):
            return dep.call.action
        stack.extend(dep.dependencies)
    return None


def _routes(app) -> list[tuple[str, str, APIRoute]]:
    out = []
    for route in all_routes(app):
        if not isinstance(route, APIRoute):
            continue
        for method in sorted(route.methods - {"HEAD"}):
            out.append((method, route.path, route))
    return sorted(out, key=lambda r: r[1] == "/logout")  # logging out last


def _request(client, method: str, route: APIRoute, unit: str | None, csrf: str | None):
    path = route.path
    for param in route.dependant.path_params:
        value = unit if param.name in UNIT_PARAMS else SAMPLE.get(param.name, "1")
        path = path.replace("{" + param.name + "}", value or city.JIA)
    query = {}
    for param in route.dependant.query_params:
        name = param.alias or param.name
        if param.name in UNIT_PARAMS and unit:
            query[name] = unit
        elif param.name in SAMPLE:
            query[name] = SAMPLE[param.name]
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if method == "GET":
        return client.get(path, params=query, headers=headers, follow_redirects=False)
    return client.request(
        method, path, params=query, headers=headers, json={}, follow_redirects=False
    )


def _has_unit_param(route: APIRoute) -> bool:
    names = {p.name for p in route.dependant.path_params + route.dependant.query_params}
    return bool(names & UNIT_PARAMS)


def test_every_route_declares_its_access(web_app):
    undeclared = [
        f"{m} {p}" for m, p, r in _routes(web_app) if _access(r) is None and p not in OPEN
    ]
    assert undeclared == []


def test_anonymous_gets_nothing_behind_a_login(web_app, client_for):
    anonymous = client_for(None)
    leaks = []
    for method, path, route in _routes(web_app):
        if _access(route) in (None, "public"):
            continue
        response = _request(anonymous, method, route, city.JIA, anonymous.csrf)
        login_page = response.status_code == 303 and response.headers["location"].startswith(
            "/login"
        )
        if not (login_page or response.status_code == 401):
            leaks.append(f"{method} {path}: {response.status_code}")
    assert leaks == []


@pytest.mark.slow
@pytest.mark.parametrize("username", sorted(city.USERS))
def test_role_and_scope_on_every_route(web_app, client_for, username):
    """A role without the permission gets 403; a unit outside the scope gets 403 or 404;
    no answer to a user of 一街道 or 甲社区 names the other street's communities; no 500s."""
    role, scope = city.USERS[username]
    client = client_for(username)
    inside = city.JIA
    outside = city.BING if scope != city.CITY else None
    confined = scope != city.CITY
    problems = []
    for method, path, route in _routes(web_app):
        action = _access(route)
        if action is None:
            continue
        for unit in (inside, outside):
            if unit is None or (unit == outside and not _has_unit_param(route)):
                continue
            response = _request(client, method, route, unit, client.csrf)
            status, where = response.status_code, f"{method} {path} [{unit}]"
            if status >= 500 and status != 503:
                problems.append(f"{where}: server error {status}")
            allowed = action == "public" or action in PERMISSIONS[role]
            if not allowed and status != 403:
                problems.append(f"{where}: role {role} got {status}, expected 403")
            if (
                action != "public"
                and allowed
                and unit == outside
                and status not in (403, 404, 422, 503)
            ):
                problems.append(f"{where}: out-of-scope unit answered {status}")
            # residents' public forms list every community by name (public knowledge, and
            # what a resident picks from); every other page must keep to the scope
            if confined and status < 300 and action != "public":
                shown = [
                    n
                    for n in (*city.OTHER_NAMES, city.BING, city.DING, city.STREET_2)
                    if n in response.text
                ]
                if shown:
                    problems.append(f"{where}: leaked {shown}")
    assert problems == [], "\n".join(problems)


def test_every_role_has_permissions_and_nothing_else_does():
    assert list(PERMISSIONS) == list(ROLES)
