"""Demo accounts of the sample city: one per role, printed with their passwords by
``make run``. Only for the demo store: real users are added with ``shequ users add``."""

from __future__ import annotations

from dataclasses import dataclass

from ..framework.periods import parse_period
from ..store import accounts as store_accounts
from ..store import orgunits
from ..store.db import Store


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str
    scope_name: str


def create_demo_accounts(store: Store, *, street: str, period: str) -> list[DemoAccount]:
    """Accounts for the city, a district, ``street`` and one of its communities (created
    once; a re-run keeps them as they are)."""
    day = parse_period(period).end
    with store.begin() as conn:
        units = orgunits.units_on(conn, day).set_index("code")
        below = orgunits.subtree(conn, street, day)
    city = str(units[units["level"] == "city"].index[0])
    district = str(units.loc[street, "parent_code"])
    community = next(c for c in below if units.loc[c, "level"] == "community")
    wanted = [
        ("admin", store_accounts.ADMINISTRATOR, city),
        ("analyst", store_accounts.ANALYST, city),
        ("district_reader", store_accounts.READ_ONLY, district),
        ("street_staff", store_accounts.UNIT_STAFF, street),
        ("community_staff", store_accounts.UNIT_STAFF, community),
    ]
    made = []
    for username, role, scope in wanted:
        password = f"demo-{username.replace('_', '-')}"
        with store.begin() as conn:
            exists = store_accounts.find_user(conn, username) is not None
        if not exists:
            store_accounts.add_user(store, username, password, role=role, scope=scope, actor="demo")
        made.append(DemoAccount(username, password, role, scope, str(units.loc[scope, "name"])))
    return made
