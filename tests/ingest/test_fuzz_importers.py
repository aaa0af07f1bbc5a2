"""Fuzzing every importer (issue 13, "fuzzing that keeps looking"): random bytes, mutated
valid files (bytes and cells changed, lines repeated or cut, other encodings), and XLSX
workbooks with hostile cells, each run through ``shequ import KIND``.

Whatever the file, the command exits 0, 1 or 2 (never a traceback), and a refused file
(exit 2) leaves the store as it was. The profile comes from ``SHEQU_FUZZ`` (tests/conftest.py):
``ci`` runs a dozen examples per strategy and importer, ``long`` (``make fuzz``) hundreds,
plus a fresh-process memory check of every importer on a decompression bomb.
"""

from __future__ import annotations

import csv
import io
import os
import resource
import sqlite3
import time
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from tests import _hostile
from tests._files import write
from tests.cli._invoke import UNITS, invoke

SEEDS = {
    "orgunits": UNITS,
    "values": "org_unit,period,resident_population,green_area_m2\nA,2025,1200,30\nB,2025,800,",
    "facilities": "code,type,name,lon,lat\nF1,service_centre,一中心,116.40,39.90",
    "population": "id,lon,lat,population,org_unit\np1,116.40,39.90,120,A",
    "boundaries": 'org_unit,wkt\nA,"POLYGON ((116.3 39.9, 116.4 39.9, 116.4 40, 116.3 39.9))"',
    "suggestions": "ref,text,channel,org_unit,received_at\nS1,路灯坏了,热线,A,2025-03-01 10:00",
    "responses": (
        "编号,社区编码,填写日期,age_group,overall_satisfaction,public_service_satisfaction,"
        "culture_satisfaction,safety_feeling,happiness,gain\nr1,A,2025-06-01,35_59,4,4,5,5,4,4"
    ),
    "attendance": "活动编号,活动类型,社区编码,活动日期,身份证号/手机号\nm1,居民会议,A,2025-03-01,13812345678",
    "services": (
        "编号,社区编码,服务主体,主体类型,服务类型,服务日期,服务时长,服务人次\n"
        "v1,A,阳光志愿队,志愿者,养老,2025-03-01,2,5"
    ),
}
KINDS = sorted(SEEDS)
SKIPPED_TABLES = {"import_batch", "alembic_version"}  # a rejected import is recorded

#: characters hostile and clumsy files hold: controls, separators, quotes, full-width
#: digits, formula starts, surrogate-free astral characters, right-to-left overrides
NASTY = st.lists(
    st.sampled_from(
        list("\x00\x01\x1b\x7f\x85\u202e\ufeff\t\r\n,;\"'=+-@|%.eE")
        + list("０１２３４５Ｑ２０２５一二社区")
        + ["\U0001f600", "9" * 40, "1e400", "nan", "2025", "A"]
    ),
    max_size=20,
).map("".join)


@pytest.fixture(scope="module")
def fuzz_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "shequ.db"
    assert invoke("import", "orgunits", write(folder / "u.csv", UNITS), "--db", db).exit_code == 0
    key = folder / "pseudonym.key"
    key.write_text("ab" * 32)
    return folder, db, key


def _snapshot(db) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
            for n in names
            if n not in SKIPPED_TABLES
        }


def _import(fuzz_db, kind: str, name: str, content: bytes) -> None:
    """Run ``shequ import KIND`` on ``content``; check the exit code and the store."""
    folder, db, key = fuzz_db
    path = folder / name
    path.write_bytes(content)
    before = _snapshot(db)
    extra = ("--key-file", key) if kind == "attendance" else ()
    result = invoke("import", kind, path, "--db", db, *extra)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert _snapshot(db) == before, result.output
    # memory stays bounded (the process's peak; a fresh process in ``make fuzz``)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 2 * 1024 * 1024  # KiB: 2 GiB


@st.composite
def mutated(draw, kind: str) -> bytes:
    """A seed file of ``kind``, mutated line by line and byte by byte, in some encoding."""
    lines = SEEDS[kind].split("\n")
    for _ in range(draw(st.integers(0, 4))):
        op = draw(st.sampled_from(["insert", "repeat", "drop", "cell"]))
        at = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if op == "insert":
            lines.insert(at, draw(NASTY))
        elif op == "repeat" and lines:
            lines.insert(at, lines[at] * draw(st.integers(1, 3)))
        elif op == "drop" and len(lines) > 1:
            lines.pop(at)
        elif op == "cell" and lines:
            cells = lines[at].split(",")
            cells[draw(st.integers(0, len(cells) - 1))] = draw(NASTY)
            lines[at] = ",".join(cells)
    body = "\n".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
    data = bytearray(body.encode(encoding, errors="replace"))
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def workbook(draw, kind: str) -> bytes:
    """The seed of ``kind`` as an XLSX workbook, with hostile cells; sometimes bytes flipped."""
    rows = list(csv.reader(io.StringIO(SEEDS[kind])))
    cell = st.one_of(
        NASTY.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-(10**20), 10**20),
        st.datetimes(),
        st.just("=1/0"),
        st.just("=A1&B1"),
    )
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        rows[r][draw(st.integers(0, len(rows[r]) - 1))] = draw(cell)
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    data = bytearray(out.getvalue())
    if draw(st.booleans()):  # the workbook's size varies with its timestamps: flip by fraction
        for _ in range(draw(st.integers(1, 4))):
            data[draw(st.integers(0, 10**6)) % len(data)] = draw(st.integers(0, 255))
    return bytes(data)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".geojson"]))
def test_fuzz_random_bytes(fuzz_db, kind, data, suffix):
    if kind not in ("facilities", "population", "boundaries") and suffix == ".geojson":
        suffix = ".csv"
    _import(fuzz_db, kind, f"random{suffix}", data)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_fuzz_mutated_csv(fuzz_db, kind, data):
    _import(fuzz_db, kind, "mutated.csv", data.draw(mutated(kind)))


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_fuzz_hostile_workbook(fuzz_db, kind, data):
    _import(fuzz_db, kind, "hostile.xlsx", data.draw(workbook(kind)))


@pytest.mark.parametrize("kind", KINDS)
@given(size=st.integers(0, 300_000), zipped=st.booleans())
def test_fuzz_sizes(fuzz_db, kind, size, zipped):
    """Files of every size: a seed followed by a long run of one repeated row or cell."""
    content = (SEEDS[kind] + "\n" + "A," * (size // 2)).encode()
    if zipped:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", content)
        _import(fuzz_db, kind, "sized.xlsx", out.getvalue())
    else:
        _import(fuzz_db, kind, "sized.csv", content)


@pytest.mark.skipif(os.environ.get("SHEQU_FUZZ") != "long", reason="long fuzz profile only")
@pytest.mark.parametrize("kind", KINDS)
def test_fuzz_every_importer_refuses_a_bomb_in_bounded_memory(fuzz_db, tmp_path, kind):
    _folder, db, key = fuzz_db
    bomb = _hostile.cell_bomb(tmp_path / "bomb.xlsx", 1100 * 1024 * 1024)  # the 1.1 GB
    extra = ("--key-file", key) if kind == "attendance" else ()
    run = _hostile.shequ_measured("import", kind, bomb, "--db", db, *extra)
    started = time.monotonic()  # the refusal itself, without the interpreter's start-up
    assert invoke("import", kind, bomb, "--db", db, *extra).exit_code == 2
    refusal = time.monotonic() - started
    print(
        f"{kind}: exit {run['rc']}, process {run['seconds']:.1f} s, refusal {refusal:.2f} s, "
        f"peak {run['peak_mib']:.0f} MiB"
    )
    assert run["rc"] == 2 and "Traceback" not in run["out"]
    assert run["peak_mib"] < 1024 and refusal < 10
