"""A synthetic province for the evaluation benchmark, built once into an SQLite store.

1 province → ~12 cities → ~100 districts → ~1 200 streets → N communities (12-digit codes
``33CCDDSSSMMM``), with a reorganisation so that each period really needs the tree of its
last day: on 2023-01-01 a few streets close and their communities move to two new streets,
and ~1 % of communities move to another street of their district; ~0.5 % of communities are
created on 2022-01-01 and ~0.5 % close on 2024-01-01.

Values: the 18 base data elements the 13 benchmark indicators read (by name, see
`simulate`; in the plan's order) for the years 2020–2025, drawn per
community from ``numpy.random.default_rng(seed)`` (parts never exceed their wholes), with
~2 % of the cells missing; only communities report, and only while they exist.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert, text

from shequ.framework.loader import load_plan
from shequ.store.db import Store, open_store
from shequ.store.orgunits import write_versions
from shequ.store.tables.core import SINCE_EVER, UNTIL_FURTHER, DataValue
from shequ.store.values import ensure_periods

YEARS = tuple(range(2020, 2026))
# the base data elements this generator simulates, in the national plan's order; taking
# "the plan's first 18" broke when the plan gained residents' voice elements
PLAN_ELEMENTS = tuple(e.code for e in load_plan("national").data_elements)
PROVINCE = "330000000000"
REORG = dt.date(2023, 1, 1)
CREATED = dt.date(2022, 1, 1)
CLOSED = dt.date(2024, 1, 1)
MISSING_SHARE = 0.02
GENERATOR_VERSION = 1  # bump when the data changes, so cached stores are rebuilt
CHUNK = 200_000


@dataclass(frozen=True)
class Province:
    """Unit versions (one dict per version) and, per community, its years of existence."""

    versions: list[dict]
    communities: list[str]
    first_year: np.ndarray  # index into YEARS of the first year the community exists
    last_year: np.ndarray  # index into YEARS of the last year it exists


def _split(rng: np.random.Generator, total: int, bins: int) -> np.ndarray:
    """Split ``total`` items into ``bins`` uneven groups of at least one item each."""
    weights = rng.gamma(3.0, size=bins)
    return 1 + rng.multinomial(total - bins, weights / weights.sum())


def _unit(
    code: str,
    level: str,
    parent: str | None,
    start: dt.date = SINCE_EVER,
    end: dt.date = UNTIL_FURTHER,
) -> dict:
    return {
        "code": code,
        "name": f"{level}-{code}",
        "level": level,
        "parent_code": parent,
        "valid_from": start,
        "valid_to": end,
    }


def build_tree(rng: np.random.Generator, n_communities: int) -> Province:
    """Draw the tree of a province of about ``n_communities`` communities."""
    n_streets = max(1, round(n_communities * 0.06))
    n_districts = max(1, round(n_streets / 12))
    n_cities = min(12, n_districts)
    districts_per_city = _split(rng, n_districts, n_cities)
    streets_per_district = _split(rng, n_streets, n_districts)
    per_street = _split(rng, n_communities, n_streets)
    rows = [_unit(PROVINCE, "province", None)]
    streets_of_district: list[list[str]] = []
    members: list[list[str]] = []  # communities per street, in street order
    for c, n_d in enumerate(districts_per_city):
        city = f"33{c + 1:02d}00000000"
        rows.append(_unit(city, "city", PROVINCE))
        for d in range(n_d):
            district = f"{city[:4]}{d + 1:02d}000000"
            rows.append(_unit(district, "district", city))
            codes = []
            for s in range(streets_per_district[len(streets_of_district)]):
                street = f"{district[:6]}{s + 1:03d}000"
                rows.append(_unit(street, "street", district))
                codes.append(street)
                members.append(
                    [f"{street[:9]}{m + 1:03d}" for m in range(per_street[len(members)])]
                )
            streets_of_district.append(codes)
    streets = [s for codes in streets_of_district for s in codes]
    parent = {m: s for s, ms in zip(streets, members, strict=True) for m in ms}
    # communities created on 2022-01-01 under random streets
    n_new = max(1, n_communities // 200)
    created = set()
    for i in rng.choice(len(streets), n_new):
        code = f"{streets[i][:9]}{len(members[i]) + 1:03d}"
        members[i].append(code)
        parent[code] = streets[i]
        created.add(code)
    communities = sorted(parent)
    community_versions = {m: [(SINCE_EVER, UNTIL_FURTHER, parent[m])] for m in communities}
    for m in created:
        community_versions[m] = [(CREATED, UNTIL_FURTHER, parent[m])]
    closing_streets = _reorganise(rng, streets_of_district, members, community_versions, rows)
    survivors = [m for m in communities if m not in created and parent[m] not in closing_streets]
    closing = set(map(str, rng.choice(survivors, max(1, n_communities // 200), replace=False)))
    for m in closing:
        start, _, p = community_versions[m][-1]
        community_versions[m][-1] = (start, CLOSED, p)
    first = np.array([YEARS.index(2022) if m in created else 0 for m in communities])
    last = np.array([YEARS.index(2023) if m in closing else len(YEARS) - 1 for m in communities])
    for m in communities:
        rows += [_unit(m, "community", p, a, b) for a, b, p in community_versions[m]]
    return Province(rows, communities, first, last)


def _reorganise(
    rng: np.random.Generator,
    streets_of_district: list[list[str]],
    members: list[list[str]],
    versions: dict[str, list],
    rows: list[dict],
) -> set[str]:
    """On `REORG`: split ~0.3 % of streets in two new streets, move ~1 % of communities."""
    streets = [s for codes in streets_of_district for s in codes]
    index = {s: i for i, s in enumerate(streets)}
    closing = set(rng.choice(streets, max(1, len(streets) // 300), replace=False).tolist())
    for codes in streets_of_district:
        for street in [s for s in codes if s in closing]:
            next_no = len(codes) + 1
            new = [f"{street[:6]}{next_no + k:03d}000" for k in range(2)]
            codes += new
            for row in rows:
                if row["code"] == street:
                    row["valid_to"] = REORG
            rows += [_unit(s, "street", street[:6] + "000000", REORG) for s in new]
            for k, m in enumerate(sorted(members[index[street]])):
                start = versions[m][0][0]
                versions[m] = [(start, REORG, street), (REORG, UNTIL_FURTHER, new[k % 2])]
    movable = [
        m
        for s, ms in zip(streets, members, strict=True)
        if s not in closing
        for m in ms
        if versions[m][0][0] == SINCE_EVER
    ]
    by_district = {s: codes for codes in streets_of_district for s in codes}
    for m in map(str, rng.choice(movable, max(1, len(movable) // 100), replace=False)):
        old = versions[m][0][2]
        options = [s for s in by_district[old] if s != old and s not in closing]
        if options:
            target = options[int(rng.integers(len(options)))]
            versions[m] = [(SINCE_EVER, REORG, old), (REORG, UNTIL_FURTHER, target)]
    return closing


def _facility(
    rng: np.random.Generator, n: int, p_from_start: float, p_later: float
) -> tuple[np.ndarray, np.ndarray]:
    """Centre counts (0–2) per community and year, and the year-of-opening flags."""
    later = rng.integers(1, len(YEARS), n)
    draw = rng.random(n)
    start = np.where(draw < p_from_start, 0, np.where(draw < p_from_start + p_later, later, 99))
    size = np.where(rng.random(n) < 0.1, 2, 1)
    years = np.arange(len(YEARS))
    counts = (years[None, :] >= start[:, None]) * size[:, None]
    opened = ((years[None, :] == start[:, None]) & (start[:, None] > 0)).astype(float)
    return counts.astype(float), opened


def simulate(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Every element for every community and year: ``{element: array (community, year)}``."""
    t = len(YEARS)

    def per_year(lo: float, hi: float) -> np.ndarray:
        return rng.uniform(lo, hi, (n, 1)) + rng.normal(0, (hi - lo) / 50, (n, t))

    growth = np.cumprod(1 + rng.uniform(0, 0.02, (n, t)), axis=1)
    pop = np.round(np.clip(rng.lognormal(np.log(6000), 0.5, n), 1500, 16000)[:, None] * growth)
    v = {"resident_population": pop}
    v["adult_population"] = np.round(pop * np.clip(per_year(0.78, 0.86), 0, 1))
    v["residential_floor_area_m2"] = np.round(pop * per_year(28, 52), 1)
    land = np.clip(pop[:, :1] * rng.uniform(70, 200, (n, 1)), 150_000, 2_500_000)
    v["land_area_m2"] = np.round(np.repeat(land, t, axis=1), 1)
    v["green_area_m2"] = np.round(v["land_area_m2"] * np.clip(per_year(0.22, 0.46), 0, 1), 1)
    v["public_green_area_m2"] = np.round(
        np.minimum(pop * per_year(6, 22), 0.9 * v["green_area_m2"]), 1
    )
    v["service_centres"], v["service_centres_opened"] = _facility(rng, n, 0.8, 0.15)
    v["culture_centres"] = _facility(rng, n, 0.7, 0.2)[0]
    v["sports_centres"] = _facility(rng, n, 0.5, 0.3)[0]
    near = np.where(v["service_centres"] >= 1, per_year(0.7, 1.0), per_year(0.0, 0.4))
    v["residents_within_500m_service_centre"] = np.round(pop * np.clip(near, 0, 1))
    v["participants"] = np.round(v["adult_population"] * np.clip(per_year(0.45, 0.95), 0, 1))
    for answered, yes, lo, hi in (
        ("culture_answered", "culture_satisfied", 0.8, 0.98),
        ("safety_answered", "feel_safe", 0.9, 0.998),
    ):
        ans = np.clip(np.round(pop / 40 * rng.uniform(0.6, 1.4, (n, t))), 80, 400)
        v[answered] = ans
        v[yes] = rng.binomial(ans.astype(np.int64), np.clip(per_year(lo, hi), 0, 1)).astype(float)
    v["criminal_cases"] = np.round(pop * per_year(3, 40) / 10_000)
    v["public_security_cases"] = np.round(pop * per_year(0.15, 0.9) / 100)
    return v


def value_rows(rng: np.random.Generator, province: Province) -> pd.DataFrame:
    """The long table of values (data_element, org_unit, period, value) to store."""
    n, t = len(province.communities), len(YEARS)
    data = simulate(rng, n)
    years = np.arange(t)
    exists = (years[None, :] >= province.first_year[:, None]) & (
        years[None, :] <= province.last_year[:, None]
    )
    codes = np.asarray(province.communities, dtype=object)
    periods = np.asarray([str(y) for y in YEARS], dtype=object)
    frames = []
    for element in (e for e in PLAN_ELEMENTS if e in data):
        keep = exists & (rng.random((n, t)) >= MISSING_SHARE)
        rows, cols = np.nonzero(keep)
        frames.append(
            pd.DataFrame(
                {
                    "data_element": element,
                    "org_unit": codes[rows],
                    "period": periods[cols],
                    "value": data[element][rows, cols],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def store_path(results: Path, n_communities: int, seed: int) -> Path:
    return results / f"province_{n_communities}_s{seed}.sqlite"


def build_store(path: Path, n_communities: int, seed: int, *, rebuild: bool = False) -> dict:
    """Build (or reuse) the province store at ``path``; returns its metadata and build times.

    A cached store is reused when its metadata (size, seed, generator version) matches.
    """
    meta_path = path.with_suffix(".json")
    wanted = {"communities": n_communities, "seed": seed, "generator": GENERATOR_VERSION}
    if not rebuild and path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()):
            return {**meta, "cached": True}
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    rng = np.random.default_rng(seed)
    province = build_tree(rng, n_communities)
    values = value_rows(rng, province)
    seconds["generate"] = time.perf_counter() - clock
    store = open_store(path)
    try:
        clock = time.perf_counter()
        with store.begin() as conn:
            write_versions(conn, province.versions, actor="bench")
        seconds["org_units"] = time.perf_counter() - clock
        clock = time.perf_counter()
        _insert_values(store, values)
        seconds["data_values"] = time.perf_counter() - clock
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            counts = {
                t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                for t in ("org_unit", "org_unit_path", "data_value")
            }
    finally:
        store.close()
    meta = {
        **wanted,
        "rows": counts,
        "build_seconds": seconds,
        "file_mb": path.stat().st_size / 2**20,
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    return {**meta, "cached": False}


def _insert_values(store: Store, values: pd.DataFrame) -> None:
    """Bulk insert in one transaction (SQLAlchemy core executemany, in chunks)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.begin() as conn:
        for start in range(0, len(values), CHUNK):
            chunk = values.iloc[start : start + CHUNK]
            records = chunk.assign(updated_by="bench", updated_at=now).to_dict("records")
            conn.execute(insert(DataValue), records)
        ensure_periods(conn, [str(y) for y in YEARS])
