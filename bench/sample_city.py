"""A small evaluated sample city for the benchmarks' quick modes (and the report bench):
the demo generator's files for ``communities`` communities, imported, evaluated for 2025
with composite scores; optionally with the demo accounts (admin / demo-admin, ...) that the
web benchmarks log in with. Much smaller and faster than ``shequ demo`` (which also builds
the voice, spatial and loop parts of the 300-community city)."""

from __future__ import annotations

from pathlib import Path

PERIOD = "2025"


def build_city(
    folder: Path, communities: int, districts: int, streets: int, *, accounts: bool = False
) -> Path:
    """``folder/shequ.db``, built unless it is already there; returns its path."""
    db = Path(folder) / "shequ.db"
    if db.exists():
        return db
    from shequ.demo.accounts import create_demo_accounts
    from shequ.demo.city import generate_city
    from shequ.evaluate.assessment import assess
    from shequ.framework.loader import load_plan
    from shequ.ingest.orgunits import import_org_units
    from shequ.ingest.values import import_values
    from shequ.store.db import open_store

    files = generate_city(
        Path(folder), n_districts=districts, n_streets=streets, n_communities=communities
    )
    store = open_store(db)
    plan = load_plan()
    import_org_units(store, files.org_units)
    import_values(store, files.values_history, plan=plan)
    import_values(store, files.values_latest, plan=plan)
    assess(store, plan, periods=[PERIOD])
    if accounts:
        with store.begin() as conn:
            street = conn.exec_driver_sql(
                "SELECT code FROM org_unit WHERE level = 'street' ORDER BY code LIMIT 1"
            ).scalar_one()
        create_demo_accounts(store, street=street, period=PERIOD)
    return db
