"""Issue 13 #1, #10, #11, #12, #17: hostile and clumsy files are refused with exit 2 and a
bilingual reason (never a traceback, never exit 1), within the limits of `ingest.limits`;
bad text is quarantined by row and column; the quarantine file is whole and findable.

The bombs are generated here (tests/_hostile.py), never committed."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from shequ.errors import ImportFileError
from shequ.framework.periods import parse_period
from shequ.ingest.limits import Limits
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.readers import read_table
from shequ.ingest.report import Problem, write_quarantine
from shequ.ingest.values import import_values
from shequ.store import values as store_values
from shequ.store.tables.core import DataValue, ImportBatch
from shequ.voice.imports.responses import import_responses
from shequ.voice.imports.suggestions import import_suggestions
from tests import _hostile
from tests._files import write
from tests.cli._invoke import UNITS, invoke

GIB = 1024


@pytest.fixture
def store(sqlite_store, tmp_path):
    assert import_org_units(sqlite_store, write(tmp_path / "units.csv", UNITS)).exit_code == 0
    return sqlite_store


@pytest.fixture
def db(tmp_path):
    """A store file with the small tree of tests.cli._invoke (units C, S, A, B)."""
    path = tmp_path / "shequ.db"
    assert (
        invoke("import", "orgunits", write(tmp_path / "u.csv", UNITS), "--db", path).exit_code == 0
    )
    return path


def values_count(store) -> int:
    with store.begin() as conn:
        return conn.execute(select(func.count()).select_from(DataValue)).scalar_one()


def refused(result) -> str:
    """The output of a refused import: exit 2, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


# --- #1 decompression bombs --------------------------------------------------------------


def test_issue13_1_cell_bomb_is_refused_from_the_zip_directory_in_bounded_memory(db, tmp_path):
    # one inline-string cell of 300 MiB (> the default 256 MiB inflated limit), ~0.3 MB on disk
    bomb = _hostile.cell_bomb(tmp_path / "bomb.xlsx", 300 * 1024 * 1024)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    run = _hostile.shequ_measured("import", "values", bomb, "--db", db)
    assert run["rc"] == 2 and "Traceback" not in run["out"]
    assert "SHEQU_IMPORT_MAX_INFLATED_BYTES" in " ".join(run["out"].split())
    assert run["peak_mib"] < GIB  # the issue measured 13 GB for a 1.1 GB cell
    assert run["seconds"] < 30  # refused within seconds (the CLI's start-up included)


def test_issue13_1_row_bomb_is_refused_before_a_row_is_parsed(db, tmp_path):
    # 1 200 000 empty rows (> the default 1 000 000) in a ~3 MB workbook
    bomb = _hostile.row_bomb(tmp_path / "rows.xlsx", 1_200_000)
    run = _hostile.shequ_measured("import", "values", bomb, "--db", db)
    assert run["rc"] == 2 and "Traceback" not in run["out"]
    assert "SHEQU_IMPORT_MAX_ROWS" in " ".join(run["out"].split())
    assert run["peak_mib"] < GIB


def test_issue13_1_limits_are_set_by_the_environment(db, tmp_path, monkeypatch):
    assert Limits.from_env().max_rows == 1_000_000  # the documented default
    monkeypatch.setenv("SHEQU_IMPORT_MAX_ROWS", "5")
    assert Limits.from_env().max_rows == 5
    monkeypatch.setenv("SHEQU_IMPORT_MAX_ROWS", "many")
    with pytest.raises(ImportFileError, match="SHEQU_IMPORT_MAX_ROWS"):
        Limits.from_env()
    monkeypatch.delenv("SHEQU_IMPORT_MAX_ROWS")
    bomb = _hostile.cell_bomb(tmp_path / "small.xlsx", 2 * 1024 * 1024)  # 2 MiB inflated
    monkeypatch.setenv("SHEQU_IMPORT_MAX_INFLATED_BYTES", str(1024 * 1024))
    assert "inflated size" in refused(invoke("import", "values", bomb, "--db", db))
    monkeypatch.setenv("SHEQU_IMPORT_MAX_INFLATED_BYTES", str(64 * 1024 * 1024))
    # within the inflated limit, the 2 MiB cell is over the cell limit (32 767 characters)
    assert "SHEQU_IMPORT_MAX_CELL_CHARS" in refused(invoke("import", "values", bomb, "--db", db))


def test_issue13_1_every_importer_refuses_the_bomb(db, tmp_path, monkeypatch):
    monkeypatch.setenv("SHEQU_IMPORT_MAX_INFLATED_BYTES", str(1024 * 1024))
    bomb = _hostile.cell_bomb(tmp_path / "b.xlsx", 2 * 1024 * 1024)
    for kind in ("orgunits", "values", "facilities", "population", "suggestions", "services"):
        assert "inflated size" in refused(invoke("import", kind, bomb, "--db", db)), kind


def test_issue13_1_a_forged_dimension_does_not_pad_rows(tmp_path):
    # <dimension ref="A1:XFD1048576"> claims 16 384 columns; the rows hold three
    sheet = (
        _hostile.SHEET_OPEN.replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
        + _hostile.header_row()
        + '<row r="2">'
        + "".join(
            _hostile.inline(f"{c}2", v) for c, v in zip("ABC", ("A", "2025", "5"), strict=True)
        )
        + "</row>"
        + _hostile.SHEET_CLOSE
    )
    frame, _ = read_table(_hostile.xlsx(tmp_path / "d.xlsx", [sheet]))
    assert list(frame.columns) == ["org_unit", "period", "resident_population", "__row__"]
    assert frame.iloc[0]["resident_population"] == "5"


# --- #10 tracebacks with exit 1 ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"org_unit,org_unit,period,value\nA,A,2025,1\n", "repeated column names: org_unit"),
        (
            b"org_unit,\xe5\x8d\x95\xe4\xbd\x8d\xe7\xbc\x96\xe7\xa0\x81,period\nA,A,2025\n",
            "all mean org_unit",
        ),
        (
            b"\xef\xbb\xbforg_unit,period,\xc9\xe7\xc7\xf8\nA,2025,1\n",
            "byte-order mark but is not UTF-8",
        ),
    ],
    ids=["duplicate header", "duplicate alias", "BOM then GBK"],
)
def test_issue13_10_clumsy_files_exit_2_with_the_reason(db, tmp_path, content, reason):
    path = tmp_path / "v.csv"
    path.write_bytes(content)
    assert reason in refused(invoke("import", "values", path, "--db", db))


def test_issue13_10_a_directory_given_as_the_file(db, tmp_path):
    folder = tmp_path / "values.csv"
    folder.mkdir()
    assert "is not a file" in refused(invoke("import", "values", folder, "--db", db))


def test_issue13_10_a_50_mb_cell(db, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("org_unit,period,resident_population\nA,2025," + "9" * 50_000_000 + "\n")
    assert "SHEQU_IMPORT_MAX_CELL_CHARS" in refused(invoke("import", "values", path, "--db", db))


# --- #11 slow or huge files --------------------------------------------------------------


def test_issue13_11_a_csv_of_100000_columns_is_refused_at_its_header(db, tmp_path):
    path = _hostile.wide_csv(tmp_path / "wide.csv", 100_000)
    run = _hostile.shequ_measured("import", "values", path, "--db", db)
    assert run["rc"] == 2 and "SHEQU_IMPORT_MAX_COLUMNS" in " ".join(run["out"].split())
    assert run["seconds"] < 30  # the issue: past 300 s


def test_issue13_11_bad_rows_are_counted_past_the_quarantine_cap(store, tmp_path, monkeypatch):
    # 30 rows of unknown units; the quarantine lists 10 of them and counts the other 20
    path = _hostile.bad_rows_csv(tmp_path / "bad.csv", 30)
    monkeypatch.setenv("SHEQU_IMPORT_MAX_QUARANTINE_ROWS", "10")
    report = import_values(store, path)
    assert report.exit_code == 2 and report.quarantined_rows == 30
    assert report.unwritten_rows == 20 and "20 more bad rows" in report.summary()
    rows = list(csv.reader(report.quarantine_path.open(encoding="utf-8-sig")))
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(2, 12)]  # file lines 2..11


# --- #12 accepted bad values -------------------------------------------------------------


def test_issue13_12_a_full_width_period_is_the_same_period(store, tmp_path):
    assert parse_period("２０２５").code == "2025" and parse_period("２０２５Ｑ３").code == "2025Q3"
    with pytest.raises(ValueError):
        parse_period("٢٠٢٥")  # Arabic-Indic digits are no period code
    path = write(tmp_path / "v.csv", "org_unit,period,resident_population\nＡ,２０２５,1200")
    assert import_values(store, path).exit_code == 0
    with store.begin() as conn:
        frame = store_values.read(conn)
    assert set(frame["period"]) == {"2025"} and set(frame["org_unit"]) == {"A"}


def test_issue13_12_an_infinite_survey_weight_is_refused(sqlite_store, tmp_path):
    assert import_org_units(sqlite_store, write(tmp_path / "u.csv", UNITS)).exit_code == 0
    path = write(
        tmp_path / "r.csv",
        "ref,org_unit,submitted_at,weight,overall\nR1,A,2025-03-01 10:00,1e400,5\n"
        "R2,A,2025-03-01 11:00,1.5,4",
    )
    report = import_responses(sqlite_store, path)
    weights = [p for p in report.problems if p.column == "weight"]
    assert [p.row for p in weights] == [2]  # 1e400 overflows to infinity: refused


def test_issue13_12_nul_bytes_and_overlong_text_are_quarantined(sqlite_store, tmp_path):
    assert import_org_units(sqlite_store, write(tmp_path / "u.csv", UNITS)).exit_code == 0
    path = tmp_path / "s.csv"
    long_text = "很长的意见" * 1_200  # 6 000 characters > 5 000 (a free-text field)
    with path.open("w", encoding="utf-8", newline="") as out:
        w = csv.writer(out)
        w.writerow(["ref", "text", "channel", "org_unit", "received_at"])
        w.writerow(["S1", "路灯坏了", "热线", "A", "2025-03-01 10:00"])
        w.writerow(["S2", long_text, "热线", "A", "2025-03-01 10:00"])
        w.writerow(["S3", "楼道\x00堆物", "热线", "A", "2025-03-01 10:00"])
    report = import_suggestions(sqlite_store, path)
    found = {(p.row, p.column): p.reason_en for p in report.problems}
    assert report.exit_code == 1 and report.inserted == 1
    assert "6,000 characters" in found[(3, "text")]
    assert "U+0000" in found[(4, "text")]
    # the issue's 50 000 characters are over the cell limit: the file is refused whole
    path.write_text("ref,text\nS1," + "意" * 50_000 + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="SHEQU_IMPORT_MAX_CELL_CHARS"):
        import_suggestions(sqlite_store, path)


def test_issue13_12_overlong_names_are_refused(sqlite_store, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        "code,name,parent_code,level\nC,示范市,,市\nS," + "街" * 100_000 + ",C,街道\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFileError, match="line 3"):  # > 32 767: the file is refused
        import_org_units(sqlite_store, path)
    path.write_text(
        "code,name,parent_code,level\nC,示范市,,市\nS," + "街" * 501 + ",C,街道\n",
        encoding="utf-8",
    )
    report = import_org_units(sqlite_store, path)  # > 500 (a name): the row is quarantined
    assert report.exit_code == 1 and report.inserted == 1
    assert [(p.row, p.column) for p in report.problems] == [(3, "name")]
    assert "more than the limit of 500" in report.problems[0].reason_en


def test_issue13_12_a_formula_without_a_cached_value_is_refused_by_cell(store, tmp_path):
    book = Workbook()  # openpyxl writes formulas without cached values, like some tools do
    book.active.append(["org_unit", "period", "resident_population"])
    book.active.append(["A", "2025", "=1000+200"])
    path = tmp_path / "f.xlsx"
    book.save(path)
    with pytest.raises(ImportFileError, match="C2"):
        import_values(store, path)
    assert values_count(store) == 0


# --- #17 header-only files, torn and lost quarantine files --------------------------------


def test_issue13_17_a_header_only_file_exits_2(db, tmp_path):
    path = write(tmp_path / "h.csv", "org_unit,period,resident_population")
    assert "no data rows" in refused(invoke("import", "values", path, "--db", db))


def test_issue13_17_a_failure_while_writing_leaves_the_old_quarantine_whole(tmp_path):
    import pandas as pd

    source = tmp_path / "v.csv"
    old = write_quarantine(
        source, pd.DataFrame({"a": ["x"], "__row__": [2]}), [Problem(2, "a", "坏", "bad")]
    )
    before = old.read_bytes()

    class Unprintable:
        def __str__(self):
            raise RuntimeError("disk full")  # stands in for a crash in the middle of writing

    raw = pd.DataFrame({"a": ["y", Unprintable()], "__row__": [2, 3]})
    problems = [Problem(2, "a", "坏", "bad"), Problem(3, "a", "坏", "bad")]
    with pytest.raises(RuntimeError):
        write_quarantine(source, raw, problems)
    assert old.read_bytes() == before  # renamed into place only when complete
    assert [p.name for p in tmp_path.iterdir()] == [old.name]  # no partial file left


def test_issue13_17_the_cli_stores_an_absolute_quarantine_path(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "v.csv", "org_unit,period,resident_population\nA,2025,1\nNOPE,2025,2")
    assert invoke("import", "values", "v.csv", "--db", db).exit_code == 1
    from shequ.store.db import open_store

    with open_store(db).begin() as conn:
        stored = conn.execute(select(ImportBatch.quarantine_path)).scalars().all()
    quarantine = [p for p in stored if p][-1]
    assert quarantine.startswith("/") and json.dumps(quarantine)
    assert (tmp_path / "v.quarantine.csv").samefile(quarantine)
