"""``shequ export parquet``: the store's evaluation tables as Parquet, one folder per period
for the values, a manifest that says which version of the store it holds."""

import json

import pytest
from typer.testing import CliRunner

from shequ.cli import app
from shequ.errors import StoreError
from shequ.store import parquet
from tests import _city


@pytest.fixture
def city(sqlite_store, tmp_path):
    _city.build(sqlite_store, tmp_path)
    return sqlite_store


def test_export_writes_every_row_partitioned_by_period_with_a_manifest(city, tmp_path):
    with city.engine.connect() as conn:
        counts = {
            t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() for t in parquet.TABLES
        }
        per_period = dict(
            conn.exec_driver_sql("SELECT period, COUNT(*) FROM data_value GROUP BY period").all()
        )
    manifest = parquet.export(city, tmp_path / "export")
    assert manifest.rows == counts and counts["data_value"] > 0
    folders = sorted(p.name for p in (tmp_path / "export" / "data_value").iterdir())
    assert folders == sorted(f"period={p}" for p in per_period)
    values = parquet.dataset(tmp_path / "export", "data_value").to_table()
    read = values.group_by("period").aggregate([("value", "count")]).to_pylist()
    # every period read back as text with all its rows (2025 stays "2025", not 2025)
    assert {r["period"]: r["value_count"] for r in read} == per_period
    tree = parquet.dataset(tmp_path / "export", "org_unit").to_table()
    assert str(tree.schema.field("valid_from").type) == "date32[day]"
    saved = json.loads((tmp_path / "export" / "manifest.json").read_text())
    assert saved["format"] == "shequ-parquet/1" and saved["rows"] == counts


def test_a_stale_export_is_refused_with_the_reason_and_a_fresh_one_accepted(city, tmp_path):
    parquet.export(city, tmp_path / "export")
    assert parquet.check_fresh(city, tmp_path / "export").rows["data_value"] > 0
    with city.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE data_value SET value = value + 1, updated_at = '2099-01-01' WHERE id = 1"
        )
    with pytest.raises(StoreError, match="stale"):
        parquet.check_fresh(city, tmp_path / "export")
    parquet.export(city, tmp_path / "export")  # renewing replaces the old export in place
    parquet.check_fresh(city, tmp_path / "export")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".export")]


def test_export_refuses_a_folder_that_is_not_an_export(city, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(app, ["export", "parquet", str(folder), "--db", city.url])
    assert result.exit_code == 2 and "not a shequ Parquet export" in result.output
    assert (folder / "notes.txt").read_text() == "keep me"


def test_cli_export_prints_the_tables_and_evaluate_refuses_a_stale_parquet(city, tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["export", "parquet", str(tmp_path / "x"), "--db", city.url])
    assert out.exit_code == 0, out.output
    assert "data_value" in out.output and "period" in out.output
    with city.begin() as conn:
        conn.exec_driver_sql("DELETE FROM data_value WHERE id = 1")
    stale = runner.invoke(
        app,
        ["evaluate", "--period", "2025", "--db", city.url, "--plan", "national",
         "--engine", "spark", "--parquet", str(tmp_path / "x")],
    )  # fmt: skip
    assert stale.exit_code == 2 and "stale" in stale.output
    wrong = runner.invoke(
        app,
        ["evaluate", "--period", "2025", "--db", city.url, "--engine", "duckdb",
         "--parquet", str(tmp_path / "x")],
    )  # fmt: skip
    assert wrong.exit_code == 2 and "--engine spark" in wrong.output


def test_every_value_is_exported_bit_for_bit_with_its_types(city, tmp_path):
    with city.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT id, data_element, org_unit, period, value, followup FROM data_value"
        ).all()
    parquet.export(city, tmp_path / "export")
    table = parquet.dataset(tmp_path / "export", "data_value").to_table()
    assert str(table.schema.field("value").type) == "double"
    assert str(table.schema.field("followup").type) == "bool"
    assert str(table.schema.field("updated_at").type) == "timestamp[us]"
    read = {
        r["id"]: (r["data_element"], r["org_unit"], r["period"], r["value"], r["followup"])
        for r in table.to_pylist()
    }
    # the same floats, not a text round trip (SQLite prints REAL with 15 digits)
    assert read == {i: (d, o, p, v, bool(f)) for i, d, o, p, v, f in stored}


def test_a_write_during_the_export_makes_it_start_again_on_the_new_version(
    city, tmp_path, monkeypatch
):
    child, calls = parquet._duckdb_child, []

    def writer_commits_meanwhile(path, work):
        rows = child(path, work)
        if not calls:  # the first pass: another process writes while DuckDB reads
            with city.begin() as conn:
                conn.exec_driver_sql("DELETE FROM data_value WHERE id = 1")
        calls.append(rows)
        return rows

    monkeypatch.setattr(parquet, "_duckdb_child", writer_commits_meanwhile)
    manifest = parquet.export(city, tmp_path / "export")
    assert len(calls) == 2 and calls[1]["data_value"] == calls[0]["data_value"] - 1
    assert manifest.rows["data_value"] == calls[1]["data_value"]
    parquet.check_fresh(city, tmp_path / "export")  # the manifest is the store as it is now
