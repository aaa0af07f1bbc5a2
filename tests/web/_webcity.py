"""A small city for the web tests, with real-looking 12-digit codes so that a leaked code
or name is unmistakable in a page.

    990100000000 示范市 (city)
    └── 990101000000 东区 (district)
        ├── 990101001000 一街道 ── 990101001001 甲社区, 990101001002 乙社区
        └── 990101002000 二街道 ── 990101002001 丙社区, 990101002002 丁社区
"""

from __future__ import annotations

from pathlib import Path

from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store.accounts import add_user
from shequ.store.db import Store
from tests._files import write

CITY, DISTRICT = "990100000000", "990101000000"
STREET_1, STREET_2 = "990101001000", "990101002000"
JIA, YI, BING, DING = "990101001001", "990101001002", "990101002001", "990101002002"
OTHER_NAMES = ("丙社区", "丁社区", "二街道")  # never shown to a user of 一街道

ORG_UNITS = f"""
编码,名称,上级编码,层级
{CITY},示范市,,市
{DISTRICT},东区,{CITY},区
{STREET_1},一街道,{DISTRICT},街道
{STREET_2},二街道,{DISTRICT},街道
{JIA},甲社区,{STREET_1},社区
{YI},乙社区,{STREET_1},社区
{BING},丙社区,{STREET_2},社区
{DING},丁社区,{STREET_2},社区
"""

_ROWS = {
    JIA: (1000, 40000, 30, 100),
    YI: (3000, 150000, 40, 100),
    BING: (2000, 70000, 36, 100),
    DING: (1500, 66000, 20, 100),
}


def values_csv(year: int, grow: float) -> str:
    lines = [
        "org_unit,period,resident_population,residential_floor_area_m2,green_area_m2,land_area_m2"
    ]
    for code, (pop, floor, green, land) in _ROWS.items():
        lines.append(f"{code},{year},{pop},{floor * grow:.0f},{green},{land}")
    return "\n".join(lines) + "\n"


PASSWORD = "correct horse 9"
USERS = {
    # name: (role, scope)
    "admin": ("administrator", CITY),
    "analyst": ("analyst", CITY),
    "staff_jia": ("unit_staff", JIA),
    "staff_s1": ("unit_staff", STREET_1),
    "reader_s1": ("read_only", STREET_1),
    "admin_s1": ("administrator", STREET_1),
}


def _square(lon: float, lat: float, size: float = 0.01) -> str:
    ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size), (lon, lat)]
    return "POLYGON ((" + ", ".join(f"{x:.4f} {y:.4f}" for x, y in ring) + "))"


# four community squares side by side, 0.01° each, and one service centre in each
CORNERS = {JIA: 120.00, YI: 120.01, BING: 120.02, DING: 120.03}
BOUNDARIES = "org_unit,wkt\n" + "".join(f'{c},"{_square(x, 30.0)}"\n' for c, x in CORNERS.items())
FACILITIES = "code,type,name,lon,lat,org_unit\n" + "".join(
    f"SC{k},service_centre,{name}服务中心,{x + 0.005:.4f},30.0050,{c}\n"
    for k, (c, x, name) in enumerate(
        (c, x, n)
        for (c, x), n in zip(CORNERS.items(), ("甲社区", "乙社区", "丙社区", "丁社区"), strict=True)
    )
)


def build(store: Store, folder: Path) -> None:
    from shequ.spatial.imports.boundaries import import_boundaries
    from shequ.spatial.imports.facilities import import_facilities

    import_org_units(store, write(folder / "units.csv", ORG_UNITS))
    (folder / "boundaries.csv").write_text(BOUNDARIES, encoding="utf-8")
    (folder / "facilities.csv").write_text(FACILITIES, encoding="utf-8")
    assert import_boundaries(store, folder / "boundaries.csv").exit_code == 0
    assert import_facilities(store, folder / "facilities.csv").exit_code == 0
    for year, grow in ((2023, 0.9), (2024, 0.95), (2025, 1.0)):
        report = import_values(store, write(folder / f"v{year}.csv", values_csv(year, grow)))
        assert report.exit_code == 0, report.problems
    for name, (role, scope) in USERS.items():
        add_user(store, name, PASSWORD, role=role, scope=scope, actor="test")
