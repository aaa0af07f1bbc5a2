"""Questionnaires from XLSForm-like workbooks: the shipped form, bad definitions rejected
with the sheet and cell, answers validated (required, relevance, choices)."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy.orm import Session

from shequ.errors import VoiceError
from shequ.store.db import Store
from shequ.voice.surveys import _default
from shequ.voice.surveys.responses import get_instrument, submit_response
from shequ.voice.surveys.xlsform import (
    InstrumentError,
    SurveyAnswerError,
    default_instrument,
    load_instrument,
)

GOOD = {
    "age_group": "35_59",
    "overall_satisfaction": "4",
    "public_service_satisfaction": "4",
    "culture_satisfaction": "5",
    "safety_feeling": "5",
    "happiness": "4",
    "gain": "3",
}


def _form(path: Path, survey: list[tuple], choices: list[tuple]) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "survey"
    for row in [("type", "name", "label::zh", "label::en", "required", "relevance"), *survey]:
        ws.append(list(row))
    ch = book.create_sheet("choices")
    for row in [("list_name", "name", "label::zh", "label::en"), *choices]:
        ch.append(list(row))
    book.save(path)
    return path


def test_the_shipped_form_covers_the_outline_items_in_both_languages(tmp_path: Path) -> None:
    form = default_instrument()
    names = {q.name for q in form.questions}
    assert {
        "overall_satisfaction",
        "public_service_satisfaction",
        "culture_satisfaction",
        "safety_feeling",
        "happiness",
        "gain",
    } <= names
    assert all(q.label and q.label_en and q.label != q.label_en for q in form.questions)
    # the shipped XLSX says what _default.py says
    rebuilt = load_instrument(_default.write(tmp_path / "rebuilt.xlsx"))
    assert rebuilt.to_json() == form.to_json()


def test_a_bad_relevance_expression_is_rejected_with_its_cell(tmp_path: Path) -> None:
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("integer", "age", "年龄", "Age", "yes", ""),
            ("text", "why", "原因", "Why", "no", "${age} >> 3"),
        ],
        [],
    )
    with pytest.raises(InstrumentError, match=r"survey!F3"):
        load_instrument(path)


def test_relevance_may_name_a_later_question_but_not_an_unknown_one(tmp_path: Path) -> None:
    # XLSForm (and pyxform) allow a forward reference; a name not in the form is refused
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("text", "why", "原因", "Why", "no", "${age} > 3"),
            ("integer", "age", "年龄", "Age", "yes", ""),
        ],
        [],
    )
    form = load_instrument(path)
    assert form.validate({"why": "x", "age": "5"}) == {"why": "x", "age": 5}
    with pytest.raises(SurveyAnswerError, match="why"):
        form.validate({"why": "x", "age": "2"})
    path = _form(
        tmp_path / "g.xlsx",
        [
            ("text", "why", "原因", "Why", "no", "${agee} > 3"),
            ("integer", "age", "年龄", "Age", "yes", ""),
        ],
        [],
    )
    with pytest.raises(InstrumentError, match=r"survey!F2.*agee"):
        load_instrument(path)


def test_a_missing_choice_list_is_rejected_with_its_cell(tmp_path: Path) -> None:
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("select_one scale", "q1", "满意度", "Satisfaction", "yes", ""),
            ("select_one yesno", "q2", "是否", "Yes or no", "yes", ""),
        ],
        [("scale", "1", "差", "Poor"), ("scale", "2", "好", "Good")],
    )
    with pytest.raises(InstrumentError, match=r"survey!A3.*yesno"):
        load_instrument(path)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    path = _form(
        tmp_path / "f.xlsx",
        [
            ("select_one nolist", "q1", "a", "a", "yes", ""),
            ("rating", "q2", "b", "b", "no", ""),
            ("text", "q3", "c", "c", "no", "${q1} = "),
        ],
        [],
    )
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    message = str(caught.value)
    assert "survey!A2" in message and "survey!A3" in message and "survey!F4" in message


def test_answers_are_checked_for_required_relevance_and_choices() -> None:
    form = default_instrument()
    assert form.validate(GOOD)["culture_satisfaction"] == "5"
    # culture 5 makes culture_reason irrelevant; age 99 is no choice; gain is missing
    bad = {**GOOD, "culture_reason": "太少", "age_group": "99"}
    del bad["gain"]
    with pytest.raises(SurveyAnswerError) as caught:
        form.validate(bad)
    fields = [q for q, _, _ in caught.value.problems]
    assert fields == ["age_group", "culture_reason", "gain"]
    # a low culture rating makes the reason relevant (optional), and labels are accepted
    clean = form.validate({**GOOD, "culture_satisfaction": "很不满意", "culture_reason": "太少"})
    assert clean["culture_satisfaction"] == "1" and clean["culture_reason"] == "太少"


def test_submit_response_stores_a_valid_response_and_refuses_a_bad_one(city: Store) -> None:
    form = default_instrument()
    with Session(city.engine) as session, session.begin():
        response_id = submit_response(session, form, GOOD, org_unit="A")
        with pytest.raises(VoiceError) as caught:
            submit_response(session, form, {**GOOD, "happiness": ""}, org_unit="A")
        assert caught.value.field == "happiness"
        with pytest.raises(VoiceError, match="unknown org unit"):
            submit_response(session, form, GOOD, org_unit="nowhere")
        assert get_instrument(session, "resident_satisfaction")[1].version == form.version
    assert response_id > 0
