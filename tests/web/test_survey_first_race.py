"""Residents' first survey submissions on a store that has no survey form yet arrive at
once (found by ``bench/web/bench_web.py --quick``: 6 of 20 answered 500, a unique-key
clash on the form's code and version). Every one must be stored, under one form."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from shequ.store.db import Store
from shequ.store.tables.voice import SurveyInstrument, SurveyResponse
from shequ.web import voice_bridge
from tests.voice.conftest import city  # noqa: F401  (the tiny city's org units)

ANSWERS = {
    "age_group": "35_59",
    "overall_satisfaction": "4",
    "public_service_satisfaction": "4",
    "culture_satisfaction": "4",
    "safety_feeling": "4",
    "happiness": "4",
    "gain": "4",
}
SUBMITTERS = 8


@pytest.mark.skipif(not voice_bridge.available(), reason="voice module not in this build")
def test_concurrent_first_submissions_are_all_stored_under_one_form(city: Store):  # noqa: F811
    start, errors = threading.Barrier(SUBMITTERS), []

    def resident() -> None:
        start.wait()
        try:
            voice_bridge.submit_survey(city, dict(ANSWERS), "A")
        except Exception as error:  # reported below, whatever it is
            errors.append(repr(error))

    threads = [threading.Thread(target=resident) for _ in range(SUBMITTERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    with city.begin() as conn:
        forms = conn.execute(select(func.count()).select_from(SurveyInstrument)).scalar_one()
        stored = conn.execute(select(func.count()).select_from(SurveyResponse)).scalar_one()
    assert (forms, stored) == (1, SUBMITTERS)  # 8 residents, 8 responses, one form
