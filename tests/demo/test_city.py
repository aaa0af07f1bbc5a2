"""Tests of the sample city (示范市) generator."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from pathlib import Path

import openpyxl
import pytest

from shequ.demo.city import ELEMENTS, PART_WHOLE, DemoFiles, element_names, generate_city

#: level -> (digits shared with the parent, digits identifying the unit itself)
DIGITS = {"区": (4, 6), "街道": (6, 9), "社区": (9, 12)}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate_city(tmp_path_factory.mktemp("city"))


@pytest.fixture(scope="module")
def org_rows(city: DemoFiles) -> list[dict[str, str]]:
    text = city.org_units.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def values(city: DemoFiles) -> dict[tuple[str, int], dict[str, float | None]]:
    """(org_unit, year) -> {element: value or None} for all years, from both value files."""
    out: dict[tuple[str, int], dict[str, float | None]] = defaultdict(
        lambda: dict.fromkeys(ELEMENTS)
    )
    text = city.values_history.read_bytes().decode("gb18030")
    codes = {name: code for code, name in element_names().items()}
    for row in csv.DictReader(io.StringIO(text, newline="")):
        code = codes[row["数据元素"]]
        out[row["单位编码"], int(row["期间"])][code] = float(row["数值"])
    wb = openpyxl.load_workbook(city.values_latest, read_only=True)
    rows = list(wb["2025年数据"].iter_rows(values_only=True))
    wb.close()
    assert list(rows[0]) == ["org_unit", "period", *ELEMENTS]
    for row in rows[1:]:
        out[row[0], int(row[1])].update(zip(ELEMENTS, row[2:], strict=False))
    return dict(out)


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a = generate_city(tmp_path / "a", seed=7)
    b = generate_city(tmp_path / "b", seed=7)
    c = generate_city(tmp_path / "c", seed=8)
    for name in ("org_units", "values_history"):
        assert getattr(a, name).read_bytes() == getattr(b, name).read_bytes()
        assert getattr(a, name).read_bytes() != getattr(c, name).read_bytes()
    assert a.summary == b.summary
    sheets = [
        list(openpyxl.load_workbook(f.values_latest).active.iter_rows(values_only=True))
        for f in (a, b)
    ]
    assert sheets[0] == sheets[1]


def test_file_names_and_header(city: DemoFiles, org_rows: list[dict[str, str]]) -> None:
    assert city.org_units.name == "org_units.csv"
    assert city.values_history.name == "values_2020_2024.csv"
    assert city.values_latest.name == "values_2025.xlsx"
    assert list(org_rows[0]) == ["编码", "名称", "上级编码", "层级", "启用日期", "停用日期"]


def test_org_unit_counts(city: DemoFiles, org_rows: list[dict[str, str]]) -> None:
    codes_by_level = defaultdict(set)
    for r in org_rows:
        codes_by_level[r["层级"]].add(r["编码"])
    assert {k: len(v) for k, v in codes_by_level.items()} == {
        "市": 1,
        "区": 6,
        "街道": 42,
        "社区": 300,
    }
    streets = [r for r in org_rows if r["层级"] == "街道"]
    assert sum(bool(r["停用日期"]) for r in streets) == 1
    assert sum(r["启用日期"] == "2023-01-01" for r in streets) == 2
    per_street = Counter(r["上级编码"] for r in org_rows if r["层级"] == "社区")
    assert all(3 <= n <= 15 for n in per_street.values())  # new streets hold a half each
    s = city.summary
    assert (s["districts"], s["streets"], s["communities"]) == (6, 42, 300)


def test_moved_communities_have_complementary_rows(org_rows: list[dict[str, str]]) -> None:
    closed_street = next(r for r in org_rows if r["层级"] == "街道" and r["停用日期"])
    new_streets = {r["编码"] for r in org_rows if r["层级"] == "街道" and r["启用日期"]}
    by_code = defaultdict(list)
    for r in org_rows:
        if r["层级"] == "社区":
            by_code[r["编码"]].append(r)
    moved = {code: rows for code, rows in by_code.items() if len(rows) > 1}
    assert len(moved) >= 8
    assert all(len(rows) == 1 for code, rows in by_code.items() if code not in moved)
    for rows in moved.values():
        old, new = sorted(rows, key=lambda r: r["启用日期"])
        assert (old["上级编码"], old["启用日期"], old["停用日期"]) == (
            closed_street["编码"],
            "",
            "2023-01-01",
        )
        assert new["上级编码"] in new_streets
        assert (new["启用日期"], new["停用日期"]) == ("2023-01-01", "")
        assert old["名称"] == new["名称"]
    assert {max(rows, key=lambda r: r["启用日期"])["上级编码"] for rows in moved.values()} == (
        new_streets
    )  # both halves used


def test_codes_follow_parent_prefix(org_rows: list[dict[str, str]]) -> None:
    codes = {r["编码"]: r["层级"] for r in org_rows}
    assert codes["990100000000"] == "市"
    for r in org_rows:
        code, parent, level = r["编码"], r["上级编码"], r["层级"]
        assert len(code) == 12 and code.isdigit() and code.startswith("99")
        if level == "市":
            assert parent == ""
            continue
        assert parent in codes
        shared, own = DIGITS[level]
        assert code[shared:own].strip("0") and not code[own:].strip("0"), code
        if level == "社区" and r["启用日期"]:
            # A moved community keeps its code, so it no longer shares its new street's
            # 9-digit prefix; it still belongs to the same district.
            assert code[:6] == parent[:6] and code[:9] != parent[:9]
        else:
            assert code[:shared] == parent[:shared], (code, parent)
            assert codes[parent] == {"区": "市", "街道": "区", "社区": "街道"}[level]


def test_names_unique_and_suffixed(org_rows: list[dict[str, str]]) -> None:
    name_of: dict[str, str] = {}
    for r in org_rows:
        assert name_of.setdefault(r["编码"], r["名称"]) == r["名称"]  # moved keep their name
    assert len(set(name_of.values())) == len(name_of)
    lengths = {"市": {3}, "区": {3}, "街道": {4}, "社区": {4, 5}}  # 望江街道, 翠苑社区, 和平里社区
    for r in org_rows:
        assert r["名称"].endswith(r["层级"]) and len(r["名称"]) in lengths[r["层级"]], r


def test_history_file_encoding_and_shape(city: DemoFiles) -> None:
    raw = city.values_history.read_bytes()
    text = raw.decode("gb18030")
    assert not text.isascii()  # Chinese element names, as a street office writes them
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.count(b"\r\n") == raw.count(b"\n") > 1000
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["数据元素", "单位编码", "期间", "数值"]
    assert {r[2] for r in rows[1:]} == {"2020", "2021", "2022", "2023", "2024"}
    names = element_names()
    assert {r[0] for r in rows[1:]} == {names[e] for e in ELEMENTS}
    assert all(r[3] for r in rows[1:])
    areas = {names[e] for e in ELEMENTS if e.endswith("_m2")}
    assert not any(r[3].endswith(".0") for r in rows[1:] if r[0] not in areas)
    assert len(rows) - 1 == city.summary["values_history"]


def test_latest_sheet(city: DemoFiles) -> None:
    wb = openpyxl.load_workbook(city.values_latest)
    assert wb.sheetnames == ["2025年数据"]
    rows = list(wb.active.iter_rows(values_only=True))[1:]
    assert len(rows) == 300 and {r[1] for r in rows} == {2025}
    cells = [x for r in rows for x in r[2:]]
    assert all(x is None or isinstance(x, (int, float)) for x in cells)
    assert all(r[2] is not None for r in rows)  # resident_population always there


def test_parts_never_exceed_wholes(values: dict) -> None:
    assert len(values) == 300 * 6
    for (org, year), v in values.items():
        for part, whole in PART_WHOLE:
            if v[part] is not None and v[whole] is not None:
                assert v[part] <= v[whole], (org, year, part, whole)
        for e in ELEMENTS:
            if v[e] is not None and not e.endswith("_m2"):
                assert v[e] >= 0 and float(v[e]).is_integer()


def test_service_centres_and_openings(values: dict) -> None:
    latest = [v["service_centres"] for (_, y), v in values.items() if y == 2025]
    share = sum(x >= 1 for x in latest if x is not None) / sum(x is not None for x in latest)
    assert 0.85 <= share <= 1.0
    opened = sum(v["service_centres_opened"] or 0 for (_, y), v in values.items() if y > 2020)
    assert 8 <= opened <= 14
    for (org, y), v in values.items():
        if y > 2020 and v["service_centres_opened"]:
            before = values[org, y - 1]["service_centres"]
            assert before in (0, None) and v["service_centres"] in (1, None)  # None = empty


def test_empty_cells(city: DemoFiles, values: dict) -> None:
    total = 300 * 6 * len(ELEMENTS)
    empty = sum(x is None for v in values.values() for x in v.values())
    assert empty == city.summary["cells_empty"]
    assert city.summary["values_written"] == total - empty
    assert 0.01 <= empty / total <= 0.04
    latest = {org: v for (org, y), v in values.items() if y == 2025}
    assert all(v["resident_population"] is not None for v in latest.values())
    no_survey = [
        org
        for org, v in latest.items()
        if all(
            v[e] is None
            for e in ("culture_answered", "culture_satisfied", "safety_answered", "feel_safe")
        )
    ]
    assert len(no_survey) >= 3
