"""Values read column by column (Arrow: Parquet, and CSV files without irregular rows)
quarantine exactly what the row-by-row reader quarantines on the same bad file: the same
rows, columns and reasons, the same quarantine file, the same values loaded (issue 12)."""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shequ.ingest import _columns
from shequ.ingest.values import import_values
from shequ.store import approvals
from tests._files import write
from tests.ingest.test_values import BAD, stored
from tests.ingest.test_values import store as store

# Every kind of bad row in one long-form file (the units are those of test_values: A and B
# open, Z closed on 2022-01-01, NOPE unknown); row numbers count the header as row 1.
BAD_LONG = (
    BAD
    + """land_area_m2,A,2025,"1,5"
green_area_m2,A,2025,12%
resident_population,A,2024,"1,200"
culture_centres,B,2025,
resident_population,B,2024,900
sports_centres,A,2025,３
residential_floor_area_m2,B,2025,45000.5
"""
)  # test_values' ten rows (its bad rows 3-11) and more
EXPECTED_LONG = [  # (row, column, the English reason, as each check words it)
    (3, "data_element", "unknown data element 'no_such_element'"),
    (4, "org_unit", "unknown org unit 'NOPE' (import org units first)"),
    (5, "period", "period '2025x' is not valid (use 2025, 2025Q3 or 2025-07)"),
    (6, "value", "'abc' is not a number"),
    (7, "value", "value -1 is below the minimum allowed (no negatives)"),
    (8, "value", "value 2.5 should be a whole number"),
    (9, "value", "adult_population/A/2025 appears more than once in the file"),
    (10, "value", "adult_population/A/2025 appears more than once in the file"),
    (11, "org_unit", "org unit Z does not exist in period 2025 (not yet opened or already closed)"),
    (12, "value", "'1,5' is ambiguous: a comma may only separate thousands (1,234,567); "
     "write a decimal with a point (1.5)"),
    (13, "value", "'12%' has a percent sign but the data element is not a percentage"),
    (16, "period", "period 2024 of org unit B is approved and locked by B against edits"),
]  # fmt: skip
# loaded: rows 2 (1000), 14 (1,200 = 1200), 17 (３ = 3), 18 (45000.5); row 15 is empty
LOADED_LONG = {
    ("resident_population", "A", "2025"): 1000.0,
    ("resident_population", "A", "2024"): 1200.0,
    ("sports_centres", "A", "2025"): 3.0,
    ("residential_floor_area_m2", "B", "2025"): 45000.5,
}


def _row_by_row(monkeypatch) -> None:
    """Make every CSV file go through the row reader (`_sheets.csv_rows`), as before."""
    monkeypatch.setattr(_columns, "csv_columns", lambda *_: None)


def _found(report):
    return [(p.row, p.column, p.reason_zh, p.reason_en) for p in report.problems]


def _import_both(store, path, monkeypatch, **options):
    """(Arrow read, row read) reports and quarantine files of the same file and store."""
    fast = import_values(store, path, **options)
    fast_q = fast.quarantine_path.read_bytes() if fast.quarantine_path else None
    with monkeypatch.context() as patch:
        _row_by_row(patch)
        slow = import_values(store, path, **options)
    slow_q = slow.quarantine_path.read_bytes() if slow.quarantine_path else None
    return fast, slow, fast_q, slow_q


def _lock_b_2024(store):
    with store.begin() as conn:
        approvals.approve(conn, "B", "2024", actor="reviewer")


def test_a_bad_long_file_is_quarantined_the_same_through_arrow_and_row_by_row(
    store, tmp_path, monkeypatch
):
    _lock_b_2024(store)
    path = write(tmp_path / "bad.csv", BAD_LONG)
    fast, slow, fast_q, slow_q = _import_both(store, path, monkeypatch, strict=True)
    assert fast.file_format == slow.file_format == "csv/utf-8"
    assert [(r, c, en) for r, c, _, en in _found(fast)] == EXPECTED_LONG
    assert _found(fast) == _found(slow)
    assert fast_q == slow_q and fast_q is not None
    assert (fast.rows_total, fast.empty, fast.quarantined_rows) == (17, 1, 12)
    assert stored(store) == {}  # strict: nothing of either run loaded
    fast, slow, fast_q, slow_q = _import_both(store, path, monkeypatch)
    assert (fast.inserted, slow.inserted, slow.unchanged) == (4, 0, 4)  # the second: a re-run
    assert _found(fast) == _found(slow) and fast_q == slow_q
    assert stored(store) == LOADED_LONG


def test_the_same_bad_file_as_parquet_is_quarantined_as_the_csv_is(store, tmp_path, monkeypatch):
    _lock_b_2024(store)
    as_csv = write(tmp_path / "bad.csv", BAD_LONG)
    frame = pd.read_csv(as_csv, dtype=str, keep_default_na=False)
    as_parquet = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), as_parquet)
    _row_by_row(monkeypatch)
    by_rows = import_values(store, as_csv, strict=True)
    by_columns = import_values(store, as_parquet, strict=True)
    assert by_columns.file_format == "parquet"
    assert _found(by_columns) == _found(by_rows)
    columns_q = pd.read_csv(by_columns.quarantine_path, dtype=str, encoding="utf-8-sig")
    rows_q = pd.read_csv(by_rows.quarantine_path, dtype=str, encoding="utf-8-sig")
    assert columns_q.equals(rows_q)


BAD_WIDE = """
org_unit,period,常住人口,adult_population,criminal_cases,no_such_column
A,2025,1000,700,0,
B,2025,abc,-3,1.5,
NOPE,2025,10,5,,
A,2025,1001,,,
B,2024,800,600,2,9
"""
EXPECTED_WIDE = [  # one row per bad cell; rows 2 and 5 repeat A/2025 (常住人口 both times)
    (2, "常住人口", "resident_population/A/2025 appears more than once in the file"),
    (3, "adult_population", "value -3 is below the minimum allowed (no negatives)"),
    (3, "criminal_cases", "value 1.5 should be a whole number"),
    (3, "常住人口", "'abc' is not a number"),
    (4, "org_unit", "unknown org unit 'NOPE' (import org units first)"),  # its 2 values
    (4, "org_unit", "unknown org unit 'NOPE' (import org units first)"),
    (5, "常住人口", "resident_population/A/2025 appears more than once in the file"),
    (6, "no_such_column", "unknown data element 'no_such_column'"),
]


@pytest.mark.parametrize("form", ["csv", "parquet"])
def test_a_bad_wide_file_is_quarantined_the_same_through_arrow_and_row_by_row(
    store, tmp_path, monkeypatch, form
):
    path = write(tmp_path / "wide.csv", BAD_WIDE)
    if form == "parquet":  # numbers typed, empty cells null
        frame = pd.read_csv(path, dtype={"org_unit": str, "period": str})
        path = tmp_path / "wide.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    fast = import_values(store, path, strict=True)
    _row_by_row(monkeypatch)
    slow = import_values(store, write(tmp_path / "wide_again.csv", BAD_WIDE), strict=True)
    expected = [(r, c, en) for r, c, en in EXPECTED_WIDE]
    if form == "parquet":  # a typed column holds numbers: 'abc' made it text, -3 stays -3.0
        expected = [(3, "adult_population", "value -3.0 is below the minimum allowed (no "
                     "negatives)") if e[:2] == (3, "adult_population") else e for e in expected]  # fmt: skip
    assert sorted((r, c, en) for r, c, _, en in _found(fast)) == sorted(expected)
    if form == "csv":
        assert _found(fast) == _found(slow)
        assert fast.quarantine_path.read_bytes() == slow.quarantine_path.read_bytes()


def test_an_irregular_csv_is_read_row_by_row_and_refused_or_padded_as_before(store, tmp_path):
    # row 3 is short (padded: no value), row 4 is an empty line: the row reader reads the
    # file, numbers the empty line as row 4 and skips it; 2 + 1 + 2 values load
    path = write(tmp_path / "ragged.csv", "org_unit,period,常住人口,adult_population\n"
                 "A,2025,1000,700\nB,2025,900\n\nB,2024,800,600")  # fmt: skip
    report = import_values(store, path)
    assert (report.inserted, report.problems) == (5, [])
    assert stored(store)[("adult_population", "B", "2024")] == 600.0


PEERS = """
code,name,parent_code,level
C,市,,city
S1,一街道,C,street
S2,二街道,C,street
P1,社区1,S1,community
P2,社区2,S1,community
P3,社区3,S1,community
P4,社区4,S1,community
P5,社区5,S1,community
Q1,社区6,S2,community
Q2,社区7,S2,community
Q3,社区8,S2,community
Q4,社区9,S2,community
"""


def test_an_outlier_is_judged_against_its_stored_siblings_only(any_store, tmp_path):
    from shequ.ingest.orgunits import import_org_units

    import_org_units(any_store, write(tmp_path / "units.csv", PEERS))
    first = ["org_unit,period,resident_population"]
    first += [f"P{i},2025,{v}" for i, v in zip(range(1, 5), (1000, 1010, 990, 1005), strict=True)]
    first += [f"Q{i},2025,50000" for i in range(1, 5)]
    # each unit of the first file has 3 peers in its street: fewer than min_values (4)
    assert (
        import_values(any_store, write(tmp_path / "first.csv", "\n".join(first))).violations == []
    )
    report = import_values(
        any_store, write(tmp_path / "p5.csv", "org_unit,period,常住人口\nP5,2025,5000")
    )
    # P5's peers are P1..P4, stored by the first file (found by their parent S1; S2's units
    # are not its peers): median 1002.5, absolute deviations 2.5, 7.5, 12.5, 2.5 -> MAD
    # (2.5 + 7.5) / 2 = 5; modified z = 0.6745 * (5000 - 1002.5) / 5 = 539.26 > 3.5
    (finding,) = report.violations
    assert (finding.rows, finding.org_unit, finding.rule) == ((2,), "P5", "peer_modified_z")
    assert (finding.left, finding.right) == (5000.0, 1002.5)
    assert "539.26" in finding.message_en
