"""A synthetic city for the crash trials: districts → streets → communities, five years
of values, service centres and population points, imported through shequ's importers.

``communities`` sets the size (quick: 40, full: 1 200); everything is derived from the
community index, so two builds of the same size are identical.
"""

from __future__ import annotations

from pathlib import Path

ELEMENTS = ("resident_population", "adult_population", "residential_floor_area_m2",
            "green_area_m2", "land_area_m2", "criminal_cases")  # fmt: skip
YEARS = (2021, 2022, 2023, 2024, 2025)


def community_codes(communities: int) -> list[str]:
    return [f"K{i:05d}" for i in range(communities)]


def _units(communities: int) -> str:
    lines = ["code,name,parent_code,level", "C,崩溃试验市,,city"]
    streets = max(2, communities // 20)
    for d in range(max(1, streets // 5)):
        lines.append(f"D{d},区{d},C,district")
    for s in range(streets):
        lines.append(f"S{s:03d},街道{s},D{s % max(1, streets // 5)},street")
    lines += [f"{c},社区{i},S{i % streets:03d},community"
              for i, c in enumerate(community_codes(communities))]  # fmt: skip
    return "\n".join(lines) + "\n"


def _values(communities: int, years=YEARS, shift: int = 0) -> str:
    lines = ["org_unit,period," + ",".join(ELEMENTS)]
    for i, code in enumerate(community_codes(communities)):
        for y in years:
            people = 2000 + (i * 37) % 3000 + 10 * (y - 2020) + shift
            row = [people, int(people * 0.8), people * (30 + i % 15), 30 + i % 20, 100,
                   (i + y) % 9]  # fmt: skip
            lines.append(f"{code},{y}," + ",".join(str(v) for v in row))
    return "\n".join(lines) + "\n"


def _points(communities: int) -> tuple[str, str]:
    facilities = ["code,type,name,lon,lat,org_unit"]
    population = ["id,org_unit,lon,lat,population"]
    for i, code in enumerate(community_codes(communities)):
        lon, lat = 117.0 + (i % 40) * 0.01, 31.7 + (i // 40) * 0.01
        if i % 3 == 0:
            facilities.append(f"F{i:05d},service_centre,服务中心{i},{lon:.5f},{lat:.5f},{code}")
        for p in range(5):
            population.append(
                f"P{i:05d}{p},{code},{lon + 0.002 * p:.5f},{lat + 0.001 * p:.5f},{100 + p}"
            )
    return "\n".join(facilities) + "\n", "\n".join(population) + "\n"


def write_files(folder: Path, communities: int) -> dict[str, Path]:
    """The city's input files, and the 2026 values the import trials load."""
    folder.mkdir(parents=True, exist_ok=True)
    facilities, population = _points(communities)
    texts = {
        "units": _units(communities),
        "values": _values(communities),
        "values_2026": _values(communities, years=(2026,), shift=5),
        "facilities": facilities,
        "population": population,
    }
    paths = {}
    for name, body in texts.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(body, encoding="utf-8")
    return paths


def build(db: Path, folder: Path, communities: int) -> dict[str, Path]:
    """Import the city into a new store at ``db``; returns its files."""
    from shequ.ingest.orgunits import import_org_units
    from shequ.ingest.values import import_values
    from shequ.spatial.imports.facilities import import_facilities
    from shequ.spatial.imports.population import import_population
    from shequ.store.db import open_store

    paths = write_files(folder, communities)
    store = open_store(db)
    for report in (
        import_org_units(store, paths["units"]),
        import_values(store, paths["values"]),
        import_facilities(store, paths["facilities"]),
        import_population(store, paths["population"]),
    ):
        if report.exit_code != 0:
            raise SystemExit(f"crash city: {report.kind} failed: {report.problems[:3]}")
    store.close()
    return paths
