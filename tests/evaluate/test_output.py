"""``--output`` of results: CSV, XLSX and Parquet written in chunks, read back by independent
readers (csv module, openpyxl, pyarrow); an XLSX beyond Excel's row limit is refused with
the reason and nothing is written."""

import csv
import math

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from shequ import sheets
from shequ.errors import EvaluationError
from shequ.evaluate.output import write_results

RESULTS = pd.DataFrame(
    {
        "indicator": ["living_area_per_capita"] * 5,
        "org_unit": ["A", "B", "E", "F", "S1"],
        "org_unit_name": ["甲社区", "=cmd|' /C calc'!A0", "R&D <东>", "制\x01表", "一街道"],
        "value": [50.0, 30.0, 1e-05, math.nan, 35.0],
        "target": [40.0, 40.0, 40.0, 40.0, None],
        "status": ["met", "not_met", "not_met", "no_data", "no_target"],
        "reporting_units": [1, 1, 1, 0, 2],
    }
)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(sheets, "CHUNK_ROWS", 2)  # 5 rows: chunks of 2, 2 and 1


def test_xlsx_in_chunks_reads_back_cell_for_cell(small_chunks, tmp_path):
    path = write_results(RESULTS, tmp_path / "r.xlsx")
    sheet = load_workbook(path)["results"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == [*RESULTS.columns, "status_zh"]
    assert rows[1] == ["living_area_per_capita", "A", "甲社区", 50, 40, "met", 1, "达标"]
    assert rows[2][2] == "'=cmd|' /C calc'!A0"  # a formula stays text, behind a quote
    assert rows[3][2:4] == ["R&D <东>", 1e-05]
    assert rows[4][2:5] == ["制\ufffd表", None, 40]  # NaN is an empty cell; \x01 is no XML
    assert rows[5][3:5] == [35, None]
    assert len(rows) == 6 and sheet.freeze_panes == "A2"
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    again = pd.read_excel(path)  # pandas (openpyxl) reads the same numbers
    assert again["value"].tolist()[:3] == [50.0, 30.0, 1e-05]


def test_csv_in_chunks_has_one_header_and_every_row(small_chunks, tmp_path):
    path = write_results(RESULTS, tmp_path / "r.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == [*RESULTS.columns, "status_zh"] and len(rows) == 6
    assert [r[1] for r in rows[1:]] == ["A", "B", "E", "F", "S1"]
    assert rows[2][2] == "'=cmd|' /C calc'!A0"


def test_parquet_keeps_types(small_chunks, tmp_path):
    table = pq.read_table(write_results(RESULTS, tmp_path / "r.parquet"))
    assert table.num_rows == 5 and table.schema.field("value").type == "double"
    frame = table.to_pandas()
    assert frame["org_unit_name"].tolist()[1] == "=cmd|' /C calc'!A0"  # not a spreadsheet
    assert frame["reporting_units"].tolist() == [1, 1, 1, 0, 2]


def test_xlsx_over_the_row_limit_is_refused_and_nothing_written(monkeypatch, tmp_path):
    monkeypatch.setattr(sheets, "XLSX_MAX_ROWS", 5)  # 4 rows + header fit, 5 rows do not
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"old")
    with pytest.raises(EvaluationError) as refused:
        write_results(RESULTS, path)
    assert "XLSX" in str(refused.value) and ".csv" in str(refused.value)
    assert ".parquet" in str(refused.value) and "改用" in str(refused.value)
    assert path.read_bytes() == b"old" and list(tmp_path.iterdir()) == [path]
    write_results(RESULTS.iloc[:4], path)  # 4 + 1 header = 5 rows: at the limit, written
    assert load_workbook(path)["results"].max_row == 5


def test_the_real_limit_is_excels():
    assert sheets.XLSX_MAX_ROWS == 2**20  # 1 048 576 rows per worksheet


def test_an_unknown_suffix_is_refused(tmp_path):
    with pytest.raises(EvaluationError, match=r"\.json"):
        write_results(RESULTS, tmp_path / "r.json")
