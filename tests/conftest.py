"""Shared fixtures: fresh stores on SQLite and (when a server is given) PostgreSQL.

PostgreSQL tests need ``SHEQU_TEST_PG_URL`` (``make test`` starts a throwaway server when
PostgreSQL is installed). Without it they skip with the reason shown; with
``SHEQU_REQUIRE_SERVICES=1`` (as in CI) a missing server is a failure instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from shequ.store.db import Store, open_store


def _require_services() -> bool:
    return os.environ.get("SHEQU_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    url = os.environ.get("SHEQU_TEST_PG_URL")
    if not url:
        reason = "SHEQU_TEST_PG_URL is not set (no PostgreSQL server for this run)"
        if _require_services():
            pytest.fail(reason + " but SHEQU_REQUIRE_SERVICES=1")
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_store(pg_server_url: str) -> Iterator[Store]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"shequ_{uuid.uuid4().hex[:12]}"
    admin_url = "postgresql+psycopg://" + pg_server_url.split("://", 1)[1]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = pg_server_url.rsplit("/", 1)[0]
    store = open_store(f"{base}/{name}")
    yield store
    store.close()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def demo_outcome(tmp_path_factory: pytest.TempPathFactory):
    """The sample city (``shequ demo``) and what the demo reported, built once per test
    session (it takes a minute or two); treat its store as read-only."""
    from shequ.demo.run import run_demo

    folder = tmp_path_factory.mktemp("demo-city")
    return run_demo(str(folder / "shequ.db"), folder)


@pytest.fixture(scope="session")
def demo_folder(demo_outcome) -> Path:
    """The folder of the sample city (see `demo_outcome`)."""
    return demo_outcome.files.org_units.parent


@pytest.fixture(scope="session")
def demo_city(demo_folder: Path) -> Store:
    """The sample city's store (see `demo_folder`)."""
    return open_store(demo_folder / "shequ.db", migrate=False)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "shequ.db")
    yield store
    store.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest) -> Store:
    """The same test on an SQLite store and on a PostgreSQL store."""
    fixture = "sqlite_store" if request.param == "sqlite" else "pg_store"
    return request.getfixturevalue(fixture)


def _fuzz_profiles() -> None:
    """Hypothesis profiles: ``ci`` (the default; a few seconds per importer, as in
    ``make test``) and ``long`` (``SHEQU_FUZZ=long``, run by ``make fuzz``); ``mid`` in between, for a look."""
    from hypothesis import HealthCheck, settings

    quiet = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]
    settings.register_profile("ci", max_examples=4, deadline=None, suppress_health_check=quiet)
    settings.register_profile("mid", max_examples=40, deadline=None, suppress_health_check=quiet)
    settings.register_profile(
        "long", max_examples=400, deadline=None, suppress_health_check=quiet, print_blob=True
    )
    settings.load_profile(os.environ.get("SHEQU_FUZZ", "ci"))


_fuzz_profiles()
