"""a run's results as Parquet parts (evaluation_result_part) instead of one row a result
(evaluation_result): a national run's 8.6 M rows took ~112 s of SQLite writes and ~1 GB of
the store; its parts take seconds and ~50 MB (`shequ.store.result_parts`). Every stored
run is carried over, in result order (the old rows' ids); downgrading writes the rows back.

Revision ID: 0021_result_parts
Revises: 0020_result_index
"""

import pyarrow as pa
import sqlalchemy as sa
from alembic import op

from shequ.store import result_parts

revision = "0021_result_parts"
down_revision = "0020_result_index"
branch_labels = None
depends_on = None

_COLUMNS = ", ".join(result_parts.COLUMNS)


def _of_a_run() -> list[sa.Column]:
    """The id and run id columns both tables begin with."""
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("evaluation_run.id", ondelete="CASCADE"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "evaluation_result_part",
        *_of_a_run(),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("first_unit", sa.String(32), nullable=False),
        sa.Column("last_unit", sa.String(32), nullable=False),
        sa.Column("first_period", sa.String(10), nullable=False),
        sa.Column("last_period", sa.String(10), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ux_result_part", "evaluation_result_part", ["run_id", "seq"], unique=True)
    conn = op.get_bind()
    # one pass over the rows in id order, a page at a time (bounded memory on both
    # databases: psycopg's client-side cursor would hold a national run whole); a run's
    # rows go into its parts in that order, the order its readers had
    page = sa.text(
        f"SELECT id, run_id, {_COLUMNS} FROM evaluation_result WHERE id > :after"
        " ORDER BY id LIMIT :n"
    )
    pending: dict[int, list[tuple]] = {}
    parts: dict[int, int] = {}
    after = -1
    while batch := conn.execute(page, {"after": after, "n": result_parts.PART_ROWS}).all():
        after = batch[-1][0]
        for row in batch:
            rows = pending.setdefault(row[1], [])
            rows.append(tuple(row[2:]))
            if len(rows) == result_parts.PART_ROWS:
                _write_part(conn, row[1], pending.pop(row[1]), parts)
    for run_id, rows in pending.items():
        _write_part(conn, run_id, rows, parts)
    op.drop_table("evaluation_result")


def _write_part(conn, run_id: int, rows: list[tuple], parts: dict[int, int]) -> None:
    """``rows`` (in id order) as run ``run_id``'s next part."""
    columns = zip(*rows, strict=True)
    table = pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, result_parts.SCHEMA, strict=True)],
        schema=result_parts.SCHEMA,
    )
    result_parts.write(conn, run_id, table, first_seq=parts.get(run_id, 0))
    parts[run_id] = parts.get(run_id, 0) + 1


def downgrade() -> None:
    op.create_table(
        "evaluation_result",
        *_of_a_run(),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("org_unit", sa.String(32), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("numerator", sa.Float),
        sa.Column("denominator", sa.Float),
        sa.Column("target", sa.Float),
        sa.Column("comparator", sa.String(12)),
        sa.Column("target_period", sa.String(10)),
        sa.Column("baseline_value", sa.Float),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reporting_units", sa.Integer, nullable=False),
        sa.Column("expected_units", sa.Integer, nullable=False),
    )
    op.create_index("ix_result_run_unit", "evaluation_result", ["run_id", "org_unit"])
    conn = op.get_bind()
    runs = conn.execute(sa.text("SELECT DISTINCT run_id FROM evaluation_result_part"))
    names = ", ".join(f":{c}" for c in result_parts.COLUMNS)
    insert = sa.text(
        f"INSERT INTO evaluation_result (run_id, {_COLUMNS}) VALUES (:run_id, {names})"
    )
    for run_id in sorted(runs.scalars().all()):
        found = result_parts.read(conn, run_id)
        for batch in found.to_batches(result_parts.PART_ROWS):
            rows = [{"run_id": run_id, **row} for row in batch.to_pylist()]
            conn.execute(insert, rows)
    op.drop_index("ux_result_part", table_name="evaluation_result_part")
    op.drop_table("evaluation_result_part")
