"""A tiny city whose every number is worked by hand in the tests that use it.

Tree (codes are short for readability; real ones are 12-digit):

    C 示范市 (city)
    └── D 东区 (district)
        ├── S1 一街道 (street) ── A 甲社区, B 乙社区
        └── S2 二街道 (street) ── E 丙社区, F 丁社区
"""

from __future__ import annotations

from pathlib import Path

from shequ.ingest.orgunits import import_org_units
from shequ.ingest.values import import_values
from shequ.store.db import Store
from tests._files import write

ORG_UNITS = """
编码,名称,上级编码,层级
C,示范市,,市
D,东区,C,区
S1,一街道,D,街道
S2,二街道,D,街道
A,甲社区,S1,社区
B,乙社区,S1,社区
E,丙社区,S2,社区
F,丁社区,S2,社区
"""

# resident_population, residential_floor_area_m2 (F has no population: it does not report
# living area), green/land for the comparator boundary, criminal cases for reduce_by.
VALUES_2025 = """
org_unit,period,resident_population,residential_floor_area_m2,green_area_m2,land_area_m2,criminal_cases
A,2025,1000,50000,35,100,14
B,2025,3000,90000,38,100,25
E,2025,2000,100000,,,
F,2025,,10000,,,
"""
VALUES_2020 = """
data_element,org_unit,period,value
resident_population,A,2020,1000
criminal_cases,A,2020,20
resident_population,B,2020,3000
criminal_cases,B,2020,30
"""


def build(store: Store, folder: Path) -> None:
    for report in (
        import_org_units(store, write(folder / "units.csv", ORG_UNITS)),
        import_values(store, write(folder / "v2025.csv", VALUES_2025)),
        import_values(store, write(folder / "v2020.csv", VALUES_2020)),
    ):
        assert report.exit_code == 0, report.problems
