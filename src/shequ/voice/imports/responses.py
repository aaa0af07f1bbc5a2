"""Import survey responses: ``shequ import responses FILE``.

One row per response: ``ref`` (编号), ``org_unit`` (社区编码), ``submitted_at`` (填写日期),
optional ``weight`` (权重) and ``period`` (期间, default the year of the date), and one
column per question (its name or Chinese label; choices by name or label), validated by
the instrument as a web submission is (`shequ.voice.surveys.responses.submit_response`).
Bad rows are quarantined with row, column and reason; the rest load in one transaction;
re-importing the same file changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, insert, select

from ...ingest.cells import moment, number, period_of, text
from ...ingest.pipeline import Checked, Progress, run_import
from ...ingest.readers import ROW, resolve_columns
from ...ingest.report import ImportReport, Problem, Problems
from ...store import orgunits
from ...store.db import Store
from ...store.tables.voice import SurveyResponse
from .. import masking
from ..surveys.responses import register_instrument
from ..surveys.xlsform import Instrument, SurveyAnswerError, default_instrument

ALIASES = {
    **dict.fromkeys(["ref", "编号", "问卷编号", "id"], "ref"),
    **dict.fromkeys(["org_unit", "社区编码", "单位编码", "社区", "编码"], "org_unit"),
    **dict.fromkeys(["submitted_at", "填写日期", "日期", "填写时间", "date"], "submitted_at"),
    **dict.fromkeys(["weight", "权重", "抽样权重"], "weight"),
    **dict.fromkeys(["period", "期间"], "period"),
}
META = ("ref", "org_unit", "submitted_at", "weight", "period")


def import_responses(
    store: Store,
    path: str | Path,
    *,
    instrument: Instrument | None = None,
    actor: str = "cli",
    strict: bool = False,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import responses from ``path`` against ``instrument`` (default: the shipped form)."""
    instrument = instrument or default_instrument()
    return run_import(
        store,
        Path(path),
        kind="survey_responses",
        validate=lambda c, r: _validate(c, r, instrument),
        write=lambda c, g, i, a, p: _write(c, g, i, instrument),
        actor=actor,
        strict=strict,
        sheet=sheet,
        progress=progress,
        free_text=[
            key
            for q in instrument.importable
            if q.type == "text"
            for key in (q.name, q.label, q.label_en)
        ],
    )


def _question_aliases(instrument: Instrument) -> dict[str, str]:
    out = {}
    for q in instrument.importable:
        for key in (q.name, q.label, q.label_en):
            out[key.strip().lower().replace(" ", "")] = q.name
    return out


def _validate(conn: Connection, raw: pd.DataFrame, instrument: Instrument) -> Checked:
    aliases = {**_question_aliases(instrument), **ALIASES}
    masking.mask_raw(raw, aliases, [q.name for q in instrument.answerable])  # quarantine too
    frame = resolve_columns(raw, aliases, ("ref", "org_unit", "submitted_at"))
    problems = Problems()
    known_units = orgunits.known_codes(conn, frame["org_unit"].map(text))
    questions = [q.name for q in instrument.importable if q.name in frame.columns]
    good = []
    refs = frame["ref"].map(text)
    repeated = set(refs[refs.duplicated()])
    for record in frame.to_dict("records"):
        row = int(record[ROW])
        found: list[Problem] = []
        ref, unit = text(record["ref"]), text(record["org_unit"])
        when = moment(record["submitted_at"])
        weight = text(record.get("weight", ""))
        period = period_of(record.get("period", ""), when)
        if not ref or ref in repeated:
            found.append(Problem(row, "ref", "编号为空或在文件中重复", "ref empty or repeated"))
        if unit not in known_units:
            found.append(
                Problem(
                    row,
                    "org_unit",
                    orgunits.UNKNOWN_ZH.format(code=unit),
                    orgunits.UNKNOWN_EN.format(code=unit),
                )
            )
        if when is None:
            found.append(
                Problem(
                    row,
                    "submitted_at",
                    f"“{record['submitted_at']}”不是日期时间",
                    f"'{record['submitted_at']}' is not a date or time",
                )
            )
        if period is None and when is not None:
            found.append(Problem(row, "period", "期间无效", "bad period"))
        w, _reason = number(weight) if weight else (None, None)
        if weight and not (w is not None and w > 0):  # 1e400 is infinite: refused by number()
            w = None
            found.append(
                Problem(
                    row,
                    "weight",
                    f"权重“{weight}”应为正数",
                    f"weight '{weight}' must be a positive number",
                )
            )
        try:
            clean = masking.mask_answers(instrument.validate({q: record[q] for q in questions}))
        except SurveyAnswerError as exc:
            found += [Problem(row, q, zh, en) for q, zh, en in exc.problems]
        if found:
            problems.items.extend(found)
            continue
        good.append(
            {
                "ref": ref,
                "org_unit": unit,
                "submitted_at": when,
                "period": period,
                "weight": w,
                "answers": json.dumps(clean, ensure_ascii=False, sort_keys=True),
            }
        )
    return Checked(pd.DataFrame(good), problems)


def _write(
    conn: Connection, good: pd.DataFrame, import_id: int, instrument: Instrument
) -> dict[str, int]:
    instrument_id = register_instrument(conn, instrument)
    stored = pd.read_sql(
        select(
            SurveyResponse.ref,
            SurveyResponse.answers,
            SurveyResponse.org_unit,
            SurveyResponse.period,
            SurveyResponse.weight,
        ).where(SurveyResponse.ref.in_(good["ref"].tolist())),
        conn,
    )
    known = stored.set_index("ref")
    new = good[~good["ref"].isin(known.index)]
    old = good[good["ref"].isin(known.index)]
    changed = (
        old[
            [
                (r.answers, r.org_unit, r.period)
                != tuple(known.loc[r.ref, ["answers", "org_unit", "period"]])
                or not _same_weight(r.weight, known.loc[r.ref, "weight"])
                for r in old.itertuples()
            ]
        ]
        if len(old)
        else old
    )
    if len(new):
        records = new.assign(instrument_id=instrument_id, import_id=import_id)
        records["weight"] = records["weight"].astype(object).where(records["weight"].notna(), None)
        conn.execute(insert(SurveyResponse), records.to_dict("records"))
    for r in changed.itertuples():
        conn.execute(
            SurveyResponse.__table__.update()
            .where(SurveyResponse.ref == r.ref)
            .values(
                answers=r.answers,
                org_unit=r.org_unit,
                period=r.period,
                weight=r.weight,
                submitted_at=r.submitted_at,
                import_id=import_id,
                instrument_id=instrument_id,
            )
        )
    return {"inserted": len(new), "updated": len(changed), "unchanged": len(old) - len(changed)}


def _same_weight(a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return not (pd.isna(a) or pd.isna(b)) and abs(float(a) - float(b)) < 1e-12
