"""Issue 13, fuzzing: schemathesis against the OpenAPI document, as an authenticated user of
each role (API token): no 5xx, and no unit outside the caller's subtree in any answer.

The CI profile tries ``SHEQU_FUZZ_EXAMPLES`` cases per operation and role (default 2; `SHEQU_FUZZ_EXAMPLES=50` for a long run)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from shequ.store import orgunits  # noqa: E402
from shequ.store.accounts import issue_token  # noqa: E402
from shequ.store.db import open_store  # noqa: E402
from shequ.web.app import create_app  # noqa: E402
from tests._files import copy_store  # noqa: E402
from tests.web import _webcity as city  # noqa: E402

EXAMPLES = int(os.environ.get("SHEQU_FUZZ_EXAMPLES", "2"))
ROLES = ("admin", "analyst", "staff_s1", "reader_s1")
UNIT_KEYS = ("org_unit", "code", "orgUnit")


def _codes(body) -> set[str]:
    """Every org-unit code named in a JSON answer (lists, objects, GeoJSON properties)."""
    found: set[str] = set()
    stack = [body]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in UNIT_KEYS and isinstance(value, str):
                    found.add(value)
                elif isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _fuzz(operation, auth: dict, mine: set[str], everything: set[str], failures: list) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case):
        response = case.call(headers=auth)
        where = f"{operation.method.upper()} {operation.path} {case.path_parameters} {case.query}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code} {response.text[:200]}")
        if response.status_code == 200 and "json" in response.headers.get("content-type", ""):
            outside = (_codes(response.json()) & everything) - mine
            if outside:
                failures.append(f"{where}: units outside the scope {sorted(outside)}")

    check()


@pytest.mark.parametrize("username", ROLES)
def test_issue_13_fuzz_the_api_as_each_role(web_store_url, tmp_path: Path, username):
    """No 5xx and nothing outside the caller's scope, for random valid and invalid calls."""
    import datetime as dt

    source = Path(web_store_url.removeprefix("sqlite:///"))
    copy_store(source, tmp_path / "copy.db")
    store = open_store(tmp_path / "copy.db")
    app = create_app(store.url, data_dir=tmp_path / "data", worker_processes=0)
    token = issue_token(store, username, name="fuzz", actor="test")
    auth = {"Authorization": f"Bearer {token}"}
    scope = dict(city.USERS)[username][1]
    with store.begin() as conn:
        mine = set(orgunits.subtree(conn, scope, dt.date.today()))
        everything = set(orgunits.versions(conn)["code"])
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=auth)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10  # the document lists the API
    for operation in operations:
        _fuzz(operation, auth, mine, everything, failures)
    app.state.worker.shutdown()
    store.close()
    assert failures == []
