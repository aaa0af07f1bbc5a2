"""Volunteer and social-organisation service records (imported by
`shequ.voice.imports.services`: ``shequ import services FILE``).

`totals` sums hours and people served per community and period; they feed the default
plan's ``volunteer_service_hours`` and ``people_served_home_help|elderly_care|medical``.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from ..framework.periods import parse_period
from ..store.tables.voice import ServiceRecord

#: data element fed per service type (plus volunteer_service_hours from all hours)
ELEMENTS = {
    "home_help": "people_served_home_help",
    "elderly_care": "people_served_elderly_care",
    "medical": "people_served_medical",
}


def totals(conn: Connection, period: str) -> pd.DataFrame:
    """Per community in ``period``: hours and people served per service type (wide)."""
    p = parse_period(period)
    rows = pd.read_sql(
        select(
            ServiceRecord.org_unit,
            ServiceRecord.service,
            ServiceRecord.hours,
            ServiceRecord.people_served,
        ).where(ServiceRecord.served_on.between(p.start, p.end)),
        conn,
    )
    if rows.empty:
        return pd.DataFrame(columns=["org_unit", "hours", *ELEMENTS])
    hours = rows.groupby("org_unit")["hours"].sum().rename("hours")
    people = rows.pivot_table(
        index="org_unit", columns="service", values="people_served", aggfunc="sum", fill_value=0
    )
    people = people.reindex(columns=list(ELEMENTS), fill_value=0)
    return pd.concat([hours, people], axis=1).reset_index()
