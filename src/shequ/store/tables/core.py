"""The core tables of the store: the org-unit tree, periods, data values, import batches,
evaluation runs and their results, the audit trail, composite scores and follow-up tasks;
and the declarative `Base` every table of `shequ.store.tables` is registered on.

Dates of validity are never NULL: a unit open since ever starts on `SINCE_EVER` and one
still open ends on `UNTIL_FURTHER`, so interval logic needs no NULL cases on any engine
(the import files leave those dates empty). A unit is valid on day D when
``valid_from <= D < valid_to`` (``closed`` is the first day it no longer exists).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

SINCE_EVER = dt.date(1000, 1, 1)
UNTIL_FURTHER = dt.date(9999, 12, 31)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class OrgUnit(Base):
    """One version of an org unit: its name, level and parent during [valid_from, valid_to)."""

    __tablename__ = "org_unit"
    __table_args__ = (UniqueConstraint("code", "valid_from", name="uq_org_unit_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(String(32), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, default=SINCE_EVER)
    valid_to: Mapped[dt.date] = mapped_column(Date, default=UNTIL_FURTHER)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class OrgUnitPath(Base):
    """Closure of the tree: ``ancestor_code`` is ``depth`` levels above ``descendant_code``
    during [valid_from, valid_to). Depth 0 rows pair each unit with itself. Rebuilt by
    `shequ.store.orgunits.rebuild_paths` in the transaction that changes the tree."""

    __tablename__ = "org_unit_path"
    __table_args__ = (
        Index("ix_path_ancestor", "ancestor_code", "depth"),
        Index("ix_path_descendant", "descendant_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ancestor_code: Mapped[str] = mapped_column(String(32))
    descendant_code: Mapped[str] = mapped_column(String(32))
    depth: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)


class Period(Base):
    """A reporting period seen in the data; an approved period is locked against edits."""

    __tablename__ = "period"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    type: Mapped[str] = mapped_column(String(8))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)


DEFAULT_COMBO = "default"


class DataValue(Base):
    """One value of a data element for an org unit, period and category option combo
    (a disaggregation such as ``age_60_plus``; ``default`` when the element has none),
    with DHIS2's ``comment``, ``followup`` and ``stored_by`` and its provenance. The
    element's total is the sum over its combos."""

    __tablename__ = "data_value"
    __table_args__ = (
        UniqueConstraint(
            "data_element",
            "org_unit",
            "period",
            "category_option_combo",
            name="uq_data_value_key",
        ),
        Index("ix_data_value_period", "period", "data_element"),
        Index("ix_data_value_unit", "org_unit", "period"),  # one street's grid (0017)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data_element: Mapped[str] = mapped_column(String(64))
    org_unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    category_option_combo: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_COMBO, server_default=DEFAULT_COMBO
    )
    value: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    followup: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    stored_by: Mapped[str | None] = mapped_column(String(64))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    updated_by: Mapped[str] = mapped_column(String(64), default="system")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ImportBatch(Base):
    """One run of an import: the file, who ran it, and what happened to its rows."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_inserted: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_empty: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    quarantine_path: Mapped[str | None] = mapped_column(String(500))


class EvaluationRun(Base):
    """One evaluation: the plan it used, its periods and engine, and a digest of the inputs."""

    __tablename__ = "evaluation_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    plan_code: Mapped[str] = mapped_column(String(64))
    plan_version: Mapped[str] = mapped_column(String(32))
    plan_digest: Mapped[str] = mapped_column(String(64))
    plan_json: Mapped[str] = mapped_column(Text)
    periods: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(32))  # the subtree evaluated (--unit)
    engine: Mapped[str] = mapped_column(String(16))
    inputs_digest: Mapped[str] = mapped_column(String(64))
    result_count: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # set in the transaction that wrote the run's last part; readers see complete runs only
    complete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class EvaluationResultPart(Base):
    """Up to `result_parts.PART_ROWS` results of a run, in result order, as one Parquet
    file (0021; before, one row a result in ``evaluation_result``), with the first and last
    unit code and period they hold: a reader decodes only the parts that may hold the
    units it asks for."""

    __tablename__ = "evaluation_result_part"
    __table_args__ = (Index("ux_result_part", "run_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    first_unit: Mapped[str] = mapped_column(String(32))
    last_unit: Mapped[str] = mapped_column(String(32))
    first_period: Mapped[str] = mapped_column(String(10))
    last_period: Mapped[str] = mapped_column(String(10))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class AuditEntry(Base):
    """Who changed what and when, with the row before and after (JSON).

    Each entry carries the hash of the one before it (``prev_hash``) and its own
    (``entry_hash``, over ``prev_hash`` and its fields): `store.audit.verify` finds the
    first entry changed, removed or slipped in."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class CompositeScore(Base):
    """A composite score of a unit in a run: one row per dimension, ``overall``, and
    ``coordination`` (score = the coupling coordination degree D, label = its class)."""

    __tablename__ = "composite_score"
    __table_args__ = (
        Index("ix_composite_run", "run_id", "org_unit"),
        Index("ix_composite_run_level", "run_id", "level", "dimension"),  # ranking (0017)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"))
    org_unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(16))
    dimension: Mapped[str] = mapped_column(String(32))
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[float | None] = mapped_column(Float)
    rank_median: Mapped[float | None] = mapped_column(Float)
    rank_low: Mapped[float | None] = mapped_column(Float)
    rank_high: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(32))


class FollowUpTask(Base):
    """A follow-up task (整改任务): move one indicator of one unit, by an owner and a deadline.

    Each later evaluation records the indicator's new value and whether it improved,
    stayed unchanged or got worse since the task was created; a task whose target is met
    is closed by that evaluation.
    """

    __tablename__ = "follow_up_task"
    __table_args__ = (Index("ix_task_unit", "org_unit", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_unit: Mapped[str] = mapped_column(String(32))
    indicator: Mapped[str] = mapped_column(String(64))
    owner_unit: Mapped[str] = mapped_column(String(32))
    deadline: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    source_run_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_run.id"))
    start_period: Mapped[str | None] = mapped_column(String(10))
    start_value: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float)
    comparator: Mapped[str | None] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="open")
    outcome: Mapped[str | None] = mapped_column(String(12))
    last_period: Mapped[str | None] = mapped_column(String(10))
    last_value: Mapped[float | None] = mapped_column(Float)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_run.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(Text)


# --- Trends, history and diagnosis inputs of a run (migration 0007) --------------------
# Written
# by `store.runs.save_assessment` in the transaction that writes the run and its results.


class EvaluationTrend(Base):
    """The trend of one result of a run (`evaluate.trends`): the previous value, the
    Theil–Sen slope and its interval over ``n_points`` periods, the projection to the target
    period, the trend status and its explanation. The value and baseline are the result's."""

    __tablename__ = "evaluation_trend"
    __table_args__ = (Index("ix_trend_run", "run_id", "org_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(64))
    org_unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    previous_period: Mapped[str | None] = mapped_column(String(10))
    previous_value: Mapped[float | None] = mapped_column(Float)
    n_points: Mapped[int] = mapped_column(Integer)
    slope: Mapped[float | None] = mapped_column(Float)
    slope_low: Mapped[float | None] = mapped_column(Float)
    slope_high: Mapped[float | None] = mapped_column(Float)
    projected_value: Mapped[float | None] = mapped_column(Float)
    trend_status: Mapped[str] = mapped_column(String(20))
    note_zh: Mapped[str] = mapped_column(Text)
    note_en: Mapped[str] = mapped_column(Text)


class EvaluationHistory(Base):
    """An indicator value of an earlier period, as a run computed it for its trends and for
    last-period imputation: the points behind the trend lines and the scorecard's chart."""

    __tablename__ = "evaluation_history"
    __table_args__ = (Index("ix_history_run", "run_id", "org_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(64))
    org_unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    value: Mapped[float] = mapped_column(Float)


class CompositeIndicatorScore(Base):
    """An indicator's normalised score (0–100) for a unit in a run's composite evaluation:
    with the weights, what the diagnosis ranks a unit's gaps by."""

    __tablename__ = "composite_indicator_score"
    __table_args__ = (
        Index("ix_indicator_score_run", "run_id", "level", "period"),
        Index("ix_indicator_score_run_unit", "run_id", "org_unit"),  # 0017
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"))
    org_unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)


class CompositeWeight(Base):
    """The weight of an indicator in its dimension and in the overall score, for the units of
    one level and period of a run."""

    __tablename__ = "composite_weight"
    __table_args__ = (Index("ix_composite_weight_run", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(64))
    dimension: Mapped[str] = mapped_column(String(32))
    weight_in_dimension: Mapped[float | None] = mapped_column(Float)
    dimension_weight: Mapped[float | None] = mapped_column(Float)
    weight: Mapped[float | None] = mapped_column(Float)


class UnitProfile(Base):
    """Size (population) and area of a unit in a period of a run: how the diagnosis finds
    peers of similar size and density."""

    __tablename__ = "unit_profile"
    __table_args__ = (Index("ix_unit_profile_run", "run_id", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_run.id", ondelete="CASCADE"))
    org_unit: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(10))
    size: Mapped[float | None] = mapped_column(Float)
    area: Mapped[float | None] = mapped_column(Float)
