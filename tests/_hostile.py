"""Hostile files for tests, generated on the fly (never committed): XLSX bombs built from
raw sheet XML, very wide and very long CSV files; and running ``shequ`` in a fresh process
whose peak memory (RSS) and time are measured."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/'
    'workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    'sheet1.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = "</sheetData></worksheet>"


def xlsx(path: Path, sheet_xml: Iterable[str]) -> Path:
    """A minimal workbook whose one sheet is the XML given (streamed and deflated)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_xml:
                sheet.write(part.encode("utf-8"))
    return path


def inline(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row() -> str:
    cells = zip("ABC", ("org_unit", "period", "resident_population"), strict=True)
    return '<row r="1">' + "".join(inline(f"{c}1", v) for c, v in cells) + "</row>"


def cell_bomb(path: Path, inflated_bytes: int) -> Path:
    """Issue 13 #1: one inline-string cell of ``inflated_bytes`` characters."""
    block = "A" * (1024 * 1024)

    def parts():
        yield SHEET_OPEN + header_row() + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        for _ in range(inflated_bytes // len(block)):
            yield block
        yield "</t></is></c></row>" + SHEET_CLOSE

    return xlsx(path, parts())


def row_bomb(path: Path, rows: int) -> Path:
    """Issue 13 #1: ``rows`` empty rows after the header (a few bytes each, deflated)."""

    def parts():
        yield SHEET_OPEN + header_row()
        chunk = 100_000
        for start in range(2, rows + 2, chunk):
            yield "".join(f'<row r="{r}"/>' for r in range(start, min(start + chunk, rows + 2)))
        yield SHEET_CLOSE

    return xlsx(path, parts())


def wide_csv(path: Path, columns: int) -> Path:
    """Issue 13 #11: a header of ``columns`` columns and one row."""
    header = ",".join(["org_unit", "period", *(f"c{i}" for i in range(columns - 2))])
    path.write_text(header + "\n" + "A,2025" + ",1" * (columns - 2) + "\n", encoding="utf-8")
    return path


def bad_rows_csv(path: Path, rows: int) -> Path:
    """Issue 13 #11: ``rows`` rows, every one of an unknown org unit."""
    with path.open("w", encoding="utf-8") as out:
        out.write("data_element,org_unit,period,value\n")
        for i in range(rows):
            out.write(f"resident_population,NOPE{i},2025,{i}\n")
    return path


_MEASURE = """
import json, resource, subprocess, sys, time
start = time.monotonic()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "out": done.stdout + done.stderr,
                  "seconds": time.monotonic() - start,
                  "peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def shequ_measured(*args: object, env: dict[str, str] | None = None, timeout: float = 120) -> dict:
    """Run ``shequ ARGS…`` in a fresh process: exit code, output, seconds and peak RSS (MiB)."""
    command = [sys.executable, "-c", "from shequ.cli import app; app()", *map(str, args)]
    wrapper = [sys.executable, "-c", _MEASURE, *command]
    done = subprocess.run(wrapper, capture_output=True, text=True, env=env, timeout=timeout)
    return json.loads(done.stdout)
