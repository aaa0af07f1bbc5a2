"""Survey responses: register an instrument, submit one response (web form).

`submit_response` validates answers against the instrument (required questions, relevant,
choices, numbers) and raises `SurveyAnswerError` naming each question and reason in Chinese
and English. Many responses from a file: `shequ.voice.imports.responses.import_responses`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from ...errors import VoiceError
from ...framework.periods import parse_period
from ...store import orgunits
from ...store.tables.voice import SurveyInstrument, SurveyResponse
from .. import masking
from ..workdays import local, local_now
from .xlsform import Instrument


def register_instrument(session: Session | Connection, instrument: Instrument) -> int:
    """Store ``instrument`` (code, version) once and return its id; a different form under
    the same code and version is refused (bump the version)."""
    definition = instrument.to_json()
    found = session.execute(
        select(SurveyInstrument.id, SurveyInstrument.definition).where(
            SurveyInstrument.code == instrument.code,
            SurveyInstrument.version == instrument.version,
        )
    ).first()
    if found is not None:
        if not instrument.same_definition(found.definition):
            msg = (
                f"问卷 {instrument.code} 版本 {instrument.version} 已存在且内容不同，请改版本号 / "
                f"form {instrument.code} version {instrument.version} exists with other "
                "content: change the version"
            )
            raise VoiceError(msg, field="version")
        return int(found.id)
    statement = insert(SurveyInstrument).values(
        code=instrument.code,
        version=instrument.version,
        title=instrument.title,
        definition=definition,
    )
    return int(session.execute(statement.returning(SurveyInstrument.id)).scalar_one())


def get_instrument(session: Session | Connection, code: str) -> tuple[int, Instrument]:
    """The latest registered version of form ``code``: (id, instrument)."""
    row = session.execute(
        select(SurveyInstrument.id, SurveyInstrument.definition)
        .where(SurveyInstrument.code == code)
        .order_by(SurveyInstrument.id.desc())
    ).first()
    if row is None:
        raise VoiceError(f"没有问卷 {code} / no form {code}", field="instrument")
    return int(row.id), Instrument.from_json(row.definition)


def submit_response(
    session: Session,
    instrument: Instrument,
    answers: dict[str, object],
    *,
    org_unit: str,
    submitted_at: dt.datetime | None = None,
    period: str | None = None,
    weight: float | None = None,
    ref: str | None = None,
) -> int:
    """Validate and store one response; returns its id. Raises `SurveyAnswerError`
    (field = the first question at fault) or `VoiceError` for a bad unit or weight."""
    clean = masking.mask_answers(instrument.validate(answers))
    orgunits.require(session, org_unit, VoiceError, field="org_unit")
    if weight is not None and not weight > 0:
        raise VoiceError("权重应大于0 / weight must be positive", field="weight")
    submitted_at = local(submitted_at) or local_now()
    instrument_id = register_instrument(session, instrument)
    row = SurveyResponse(
        ref=ref or uuid.uuid4().hex,
        instrument_id=instrument_id,
        org_unit=org_unit,
        period=parse_period(period or str(submitted_at.year)).code,
        submitted_at=submitted_at,
        weight=weight,
        answers=json.dumps(clean, ensure_ascii=False, sort_keys=True),
    )
    session.add(row)
    session.flush()
    return int(row.id)
