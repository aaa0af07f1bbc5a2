"""Voice fixtures: the tiny city of tests/_city.py (communities A, B under S1; E, F under
S2) and a pseudonym key for the tests (never a real one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ.ingest.orgunits import import_org_units
from shequ.store.db import Store
from tests._city import ORG_UNITS
from tests._files import write

TEST_KEY = b"test-key-not-secret"


@pytest.fixture
def city(any_store: Store, tmp_path: Path) -> Store:
    """A store holding only the tiny city's org units."""
    report = import_org_units(any_store, write(tmp_path / "units.csv", ORG_UNITS))
    assert report.exit_code == 0, report.problems
    return any_store


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv("SHEQU_PSEUDONYM_KEY", TEST_KEY.decode())
    return TEST_KEY
