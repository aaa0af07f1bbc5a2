"""The reproducible sample city (示范市) used by ``make run``, the tests and the docs.

:func:`generate_city` writes three files in exactly the formats a user would import:

* ``org_units.csv`` -- the organisation tree (市 > 区 > 街道 > 社区), UTF-8 with BOM,
  Chinese headers, with one street split in two on 1 January of the reorganisation year;
* ``values_<first>_<last-1>.csv`` -- community values for all but the last year, long
  form, GBK-encoded with ``\\r\\n`` line endings (as Excel on Chinese Windows writes it);
* ``values_<last>.xlsx`` -- the last year, wide form, one column per data element.

Everything is drawn from ``numpy.random.default_rng(seed)`` in a fixed order, so the same
arguments give byte-identical CSV files.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from ._draws import count, facilities, ramp, sigmoid
from ._tree import Tree, build_tree

ORG_HEADER = ("编码", "名称", "上级编码", "层级", "启用日期", "停用日期")
#: the history file is what a street office sends: Chinese headers and element names, GBK
VALUES_HEADER = ("数据元素", "单位编码", "期间", "数值")

#: Data element codes, in the column order of the wide file.
ELEMENTS: tuple[str, ...] = (
    "resident_population",
    "adult_population",
    "residential_floor_area_m2",
    "land_area_m2",
    "green_area_m2",
    "public_green_area_m2",
    "service_centres",
    "culture_centres",
    "sports_centres",
    "service_centres_opened",
    "residents_within_500m_service_centre",
    "participants",
    "culture_answered",
    "culture_satisfied",
    "safety_answered",
    "feel_safe",
    "criminal_cases",
    "public_security_cases",
    # monitored without numeric targets: education, income, social services, fire, food
    "education_activities",
    "disposable_income_yuan",
    "volunteer_service_hours",
    "people_served_home_help",
    "people_served_elderly_care",
    "people_served_medical",
    "fire_incidents",
    "food_safety_incidents",
)
#: Elements written with one decimal; all others are integers.
AREA_ELEMENTS = frozenset(
    {"residential_floor_area_m2", "land_area_m2", "green_area_m2", "public_green_area_m2"}
)
SURVEY_ELEMENTS = ("culture_answered", "culture_satisfied", "safety_answered", "feel_safe")
#: (part, whole) pairs: the part never exceeds the whole in the same community and year.
PART_WHOLE: tuple[tuple[str, str], ...] = (
    ("adult_population", "resident_population"),
    ("residents_within_500m_service_centre", "resident_population"),
    ("participants", "adult_population"),
    ("green_area_m2", "land_area_m2"),
    ("public_green_area_m2", "green_area_m2"),
    ("culture_satisfied", "culture_answered"),
    ("feel_safe", "safety_answered"),
    ("criminal_cases", "resident_population"),
    ("public_security_cases", "resident_population"),
)
EMPTY_SHARE = 0.02
NO_SURVEY_COMMUNITIES = 3


@dataclass(frozen=True)
class DemoFiles:
    """Paths of the generated sample-city files and what they contain.

    Attributes
    ----------
    org_units : Path
        Organisation tree, CSV, UTF-8 with BOM, Chinese headers.
    values_history : Path
        Long-form values for ``first_year`` to ``last_year - 1``, CSV, GBK, CRLF.
    values_latest : Path
        Wide-form values for ``last_year``, XLSX.
    summary : dict
        Counts: districts, streets, communities, values written, cells left empty, ...
    """

    org_units: Path
    values_history: Path
    values_latest: Path
    summary: dict


def _simulate(rng: np.random.Generator, tree: Tree, n_years: int) -> np.ndarray:
    """Draw every element for every community and year: array (element, community, year)."""
    n = len(tree.communities)
    q = tree.street_effect[tree.street_of] + rng.normal(0.0, 0.5, n)
    back = np.arange(n_years)[::-1].astype(float)  # years before the last year
    u = np.arange(n_years) / max(n_years - 1, 1)  # progress from first to last year
    v: dict[str, np.ndarray] = {}

    p0 = np.clip(np.exp(rng.normal(math.log(6000), 0.5, n)), 2000, 14500)
    growth = np.clip(
        rng.uniform(0, 0.02, n)[:, None] + rng.normal(0, 0.003, (n, n_years)), 0, 0.025
    )
    growth[:, 0] = 0.0
    pop = np.minimum(np.round(p0[:, None] * np.cumprod(1 + growth, axis=1)), 16000)
    v["resident_population"] = pop
    adult_share = np.clip(
        rng.uniform(0.78, 0.86, n)[:, None] + rng.normal(0, 0.003, (n, n_years)), 0.78, 0.86
    )
    v["adult_population"] = np.round(pop * adult_share)
    floor_pc = ramp(rng, np.clip(rng.normal(43.0 + 2.5 * q, 4.5), 28, 52), back, 0.2, 0.6, 28, 52)
    v["residential_floor_area_m2"] = np.round(pop * floor_pc, 1)
    land = np.clip(p0 * rng.uniform(70, 200, n), 150_000, 2_500_000)
    v["land_area_m2"] = np.round(np.repeat(land[:, None], n_years, axis=1), 1)
    cover = ramp(rng, np.clip(rng.normal(38 + 2.2 * q, 4.5), 24, 46), back, 0.5, 1.0, 22, 46)
    v["green_area_m2"] = np.round(v["land_area_m2"] * cover / 100, 1)
    pg_pc = ramp(rng, np.clip(rng.normal(14 + 2.5 * q, 3.5), 6, 22), back, 0.1, 0.4, 6, 22)
    v["public_green_area_m2"] = np.round(np.minimum(pop * pg_pc, 0.9 * v["green_area_m2"]), 1)

    # Service centres: ~93 % in the last year; a few open during the plan period (from the
    # second year) and a couple in the first year, which the plan's count must leave out.
    n_open = round(n * rng.uniform(0.03, 0.045))
    service, opened = facilities(rng, sigmoid(3.4 + 1.3 * q), n_years, n_open, n_first=2)
    v["service_centres"] = service
    v["culture_centres"] = facilities(rng, sigmoid(2.5 + 1.3 * q), n_years, round(0.06 * n))[0]
    v["sports_centres"] = facilities(rng, sigmoid(1.3 + 1.3 * q), n_years, round(0.10 * n))[0]
    v["service_centres_opened"] = opened
    near_with = ramp(
        rng, np.clip(rng.normal(0.88 + 0.05 * q, 0.08), 0.7, 1.0), back, 0.0, 0.01, 0.7, 1.0
    )
    near_without = rng.uniform(0.0, 0.4, n)[:, None]
    v["residents_within_500m_service_centre"] = np.round(
        pop * np.where(service >= 1, near_with, near_without)
    )
    part = ramp(rng, np.clip(rng.normal(74 + 7 * q, 8), 45, 95), back, 1.0, 3.0, 45, 95)
    v["participants"] = np.round(v["adult_population"] * part / 100)

    for answered, yes, mean, sd, lo, hi, step in (
        ("culture_answered", "culture_satisfied", 90.5, 2.5, 80.0, 98.0, (0.2, 0.8)),
        ("safety_answered", "feel_safe", 97.3, 0.9, 90.0, 99.8, (0.1, 0.4)),
    ):
        ans = np.clip(np.round(pop / 40 * rng.uniform(0.6, 1.4, (n, n_years))), 80, 400)
        rate = ramp(rng, np.clip(rng.normal(mean + sd * q, sd * 1.2), lo, hi), back, *step, lo, hi)
        yes_count = rng.binomial(ans.astype(np.int64), rate / 100)
        v[answered] = ans
        v[yes] = np.clip(yes_count, np.ceil(ans * lo / 100), np.floor(ans * hi / 100))

    crime0 = np.clip(16 * np.exp(-0.35 * q) * rng.lognormal(0, 0.45, n), 3, 40)
    drop = np.where(rng.random(n) < 0.85, rng.uniform(0.22, 0.43, n), rng.uniform(-0.1, 0.12, n))
    crime = crime0[:, None] * (1 - drop[:, None] * u) * rng.lognormal(0, 0.03, (n, n_years))
    v["criminal_cases"] = count(pop, crime / 10_000, 3 / 10_000, 40 / 10_000)
    ps0 = np.clip(0.55 * np.exp(-0.3 * q) * rng.lognormal(0, 0.3, n), 0.15, 0.9)
    ps = np.clip(
        ps0[:, None]
        * (1 - rng.uniform(0.05, 0.35, n)[:, None] * u)
        * rng.lognormal(0, 0.04, (n, n_years)),
        0.15,
        0.9,
    )
    v["public_security_cases"] = count(pop, ps / 100, 0.0015, 0.009)

    _monitored(rng, v, pop, q, u)
    data = np.stack([v[e].astype(float) for e in ELEMENTS])
    empty = rng.random(data.shape) < EMPTY_SHARE
    empty[ELEMENTS.index("resident_population"), :, n_years - 1] = False
    empty[ELEMENTS.index("service_centres_opened")] &= opened == 0  # keep every opening
    no_survey = rng.choice(n, min(NO_SURVEY_COMMUNITIES, n), replace=False)
    for e in SURVEY_ELEMENTS:
        empty[ELEMENTS.index(e), no_survey, n_years - 1] = True
    data[empty] = np.nan
    return data


def _monitored(
    rng: np.random.Generator,
    v: dict[str, np.ndarray],
    pop: np.ndarray,
    q: np.ndarray,
    u: np.ndarray,
) -> None:
    """The outline's concerns without numeric targets, so that every one has data."""
    n, n_years = pop.shape
    per_10k = pop / 10_000
    v["education_activities"] = rng.poisson(per_10k * np.clip(30 + 8 * q, 8, 60)[:, None])
    income_pc = np.clip(52_000 + 7_000 * q + rng.normal(0, 6_000, n), 32_000, 90_000)
    v["disposable_income_yuan"] = np.round(pop * income_pc[:, None] * (1.05 ** (u * (n_years - 1))))
    hours_pc = np.clip(1.2 + 0.4 * q + rng.normal(0, 0.4, n), 0.2, 3.5)
    v["volunteer_service_hours"] = np.round(pop * hours_pc[:, None] * (1 + 0.5 * u))
    for element, rate in (
        ("people_served_home_help", 60),
        ("people_served_elderly_care", 140),
        ("people_served_medical", 90),
    ):
        per_1000 = np.clip(rate * (1 + 0.25 * q) * rng.lognormal(0, 0.3, n), 5, 4 * rate)
        v[element] = rng.poisson(pop / 1000 * per_1000[:, None] * (1 + 0.3 * u))
    v["fire_incidents"] = rng.poisson(
        per_10k * np.clip(1.2 - 0.3 * q, 0.1, 3)[:, None], (n, n_years)
    )
    v["food_safety_incidents"] = rng.poisson(per_10k * 0.4, (n, n_years))


def _cell(element: str, value: float) -> int | float:
    return round(float(value), 1) if element in AREA_ELEMENTS else int(value)


def element_names() -> dict[str, str]:
    """Chinese names of the data elements, as the default plan spells them."""
    from ..framework.loader import load_plan

    return {e.code: e.name for e in load_plan("national").data_elements}


def _write_csv(path: Path, rows: list[tuple], encoding: str, newline: str) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def generate_city(
    out_dir: Path,
    *,
    seed: int = 2025,
    n_districts: int = 6,
    n_streets: int = 40,
    n_communities: int = 300,
    first_year: int = 2020,
    last_year: int = 2025,
    measured: tuple[str, ...] = (),
    blank_latest: dict[str, str] | None = None,
) -> DemoFiles:
    """Write the sample city's org-unit and value files into ``out_dir``.

    Parameters
    ----------
    out_dir : Path
        Directory to write into; created if missing. Existing files are overwritten.
    seed : int, default 2025
        Seed of ``numpy.random.default_rng``; equal arguments give byte-identical CSVs.
    n_districts, n_streets, n_communities : int
        Size of the city before the street split (the file holds ``n_streets + 2`` streets).
        The name lists allow up to 98 districts, 495 streets and about 2 380 communities.
    first_year, last_year : int
        Years with values; ``last_year`` goes to the XLSX file, the others to the CSV.
        The street split takes effect on 1 January of the middle year (2023 by default).
    measured : tuple of str
        Data elements measured elsewhere for ``last_year`` (the demo's walking coverage):
        left empty in the XLSX so that the measurement supplies them.
    blank_latest : dict, optional
        ``{data element: community-code prefix}`` left empty in ``last_year`` because another
        source supplies them (the residents'-voice demo computes them from its records).

    Returns
    -------
    DemoFiles
        Paths of the three files and a ``summary`` dict of counts.

    Raises
    ------
    ValueError
        If the sizes or years are inconsistent.
    """
    if not (1 <= n_districts <= 98 and n_districts <= n_streets <= n_communities):
        raise ValueError(
            "规模参数无效 / need 1 <= n_districts <= 98 and "
            "n_districts <= n_streets <= n_communities"
        )
    if last_year <= first_year:
        raise ValueError("年份无效 / last_year must be after first_year")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    years = list(range(first_year, last_year + 1))
    n_years = len(years)
    reorg_date = f"{first_year + n_years // 2}-01-01"
    tree = build_tree(rng, n_districts, n_streets, n_communities, reorg_date)
    data = _simulate(rng, tree, n_years)
    data[[ELEMENTS.index(e) for e in measured], :, n_years - 1] = np.nan
    for element, prefix in (blank_latest or {}).items():
        rows = [c for c, code in enumerate(tree.communities) if code.startswith(prefix)]
        data[ELEMENTS.index(element), rows, n_years - 1] = np.nan

    org_path = out_dir / "org_units.csv"
    _write_csv(org_path, [ORG_HEADER, *tree.rows], "utf-8-sig", "\n")

    hist_path = out_dir / f"values_{first_year}_{last_year - 1}.csv"
    long_rows: list[tuple] = [VALUES_HEADER]
    names = element_names()
    for t, year in enumerate(years[:-1]):
        for c, code in enumerate(tree.communities):
            for e, element in enumerate(ELEMENTS):
                x = data[e, c, t]
                if not np.isnan(x):
                    value = _cell(element, x)
                    text = f"{value:.1f}" if element in AREA_ELEMENTS else str(value)
                    long_rows.append((names[element], code, str(year), text))
    _write_csv(hist_path, long_rows, "gbk", "\r\n")

    xlsx_path = out_dir / f"values_{last_year}.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = f"{last_year}年数据"
    ws.append(["org_unit", "period", *ELEMENTS])
    for c, code in enumerate(tree.communities):
        ws.append(
            [
                code,
                last_year,
                *(
                    None
                    if np.isnan(data[e, c, n_years - 1])
                    else _cell(el, data[e, c, n_years - 1])
                    for e, el in enumerate(ELEMENTS)
                ),
            ]
        )
    ws.column_dimensions["A"].width = 15
    wb.properties.creator = "shequ demo"
    wb.properties.created = wb.properties.modified = datetime(last_year, 1, 1)
    wb.save(xlsx_path)

    n_empty = int(np.isnan(data).sum())
    summary = {
        "seed": seed,
        "districts": n_districts,
        "streets": tree.n_streets_in_file,
        "streets_closed": 1,
        "communities": len(tree.communities),
        "communities_moved": tree.n_moved,
        "org_unit_rows": len(tree.rows),
        "data_elements": len(ELEMENTS),
        "years": n_years,
        "reorganisation_date": reorg_date,
        "values_written": int(data.size - n_empty),
        "values_history": len(long_rows) - 1,
        "values_latest": int((~np.isnan(data[:, :, n_years - 1])).sum()),
        "cells_empty": n_empty,
        "cells_empty_no_survey": min(NO_SURVEY_COMMUNITIES, n_communities) * len(SURVEY_ELEMENTS),
        "service_centres_opened_in_plan": int(
            np.nansum(data[ELEMENTS.index("service_centres_opened"), :, 1:])
        ),
    }
    return DemoFiles(org_path, hist_path, xlsx_path, summary)
