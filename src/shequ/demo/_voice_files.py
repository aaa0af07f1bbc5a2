"""The files of the residents'-voice demo, written as a city would have them (see
`shequ.demo.voice`): suggestions (XLSX), survey answers (CSV), sign-in sheets (GBK CSV),
service records (CSV). Everything is drawn from the generator handed in, in a fixed order."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from ._voice_texts import PROBLEMS, compose, reword

YEAR = 2025
VOICE_STREET = "990102001"  # community-code prefix of 长青街道, whose sign-in sheets we hold
N_SUGGESTIONS = 6_000
CHANNELS = ("form", "hotline", "forum", "questionnaire", "visit")
UNITS = (
    "物业公司",
    "街道城管科",
    "社区居委会",
    "区住建局",
    "派出所",
    "社区卫生服务中心",
    "区市场监管局",
)
_END = dt.datetime(YEAR, 12, 31, 23, 59)


def write_files(
    rng: np.random.Generator, out_dir: Path, communities: list[str], adults: dict[str, float]
) -> dict[str, Path]:
    out = {
        "suggestions": out_dir / f"suggestions_{YEAR}.xlsx",
        "survey": out_dir / f"survey_{YEAR}.csv",
        "signin": out_dir / f"signin_{YEAR}.csv",
        "services": out_dir / f"services_{YEAR}.csv",
    }
    _xlsx(out["suggestions"], _suggestions(rng, communities))
    _csv(out["survey"], _survey(rng, communities), "utf-8-sig")
    street = [c for c in communities if c.startswith(VOICE_STREET)]
    _csv(out["signin"], _signin(rng, street, adults, communities), "gbk")
    _csv(out["services"], _services(rng, street), "utf-8-sig")
    return out


def _suggestions(rng: np.random.Generator, communities: list[str]) -> list[list]:
    categories = list(PROBLEMS)
    names = dict(zip(categories, _category_names(), strict=True))
    rows: list[list] = [
        [
            "编号",
            "内容",
            "渠道",
            "社区编码",
            "楼栋",
            "受理时间",
            "责任单位",
            "转办时间",
            "答复时间",
            "答复内容",
            "办结时间",
            "关闭时间",
            "满意度评价",
            "类别",
        ]
    ]
    kept: list[tuple[str, str, str, str]] = []
    for i in range(N_SUGGESTIONS):
        if kept and rng.random() < 0.2:
            unit, text, place, category = kept[int(rng.integers(len(kept)))]
            text = reword(rng, text)
        else:
            unit = communities[int(rng.integers(len(communities)))]
            category = categories[int(rng.integers(len(categories)))]
            text, place = compose(rng, category)
            kept.append((unit, text, place, category))
        received = dt.datetime(YEAR, 1, 1, 8) + dt.timedelta(
            days=int(rng.integers(0, 365)), minutes=int(rng.integers(0, 12 * 60))
        )
        rows.append(
            [
                f"S{YEAR}{i:05d}",
                text,
                CHANNELS[int(rng.choice(5, p=[0.35, 0.3, 0.1, 0.1, 0.15]))],
                unit,
                place,
                *_workflow(rng, received),
                names[category] if rng.random() < 0.15 else "",
            ]
        )
    return rows


def _category_names() -> list[str]:
    from ..framework.loader import load_plan

    return [c.name for c in load_plan("national").voice.taxonomy]


def _workflow(rng: np.random.Generator, received: dt.datetime) -> list:
    def later(start: dt.datetime, hours: float) -> dt.datetime | None:
        moment = start + dt.timedelta(hours=hours)
        return moment if moment <= _END else None

    unit = UNITS[int(rng.integers(len(UNITS)))] if rng.random() < 0.6 else ""
    assigned = later(received, rng.uniform(1, 20)) if unit else None
    responded = later(received, rng.lognormal(3.2, 0.8)) if rng.random() < 0.93 else None
    resolved = (
        later(responded, rng.exponential(24 * 8)) if responded and rng.random() < 0.82 else None
    )
    closed = later(resolved, rng.uniform(24, 72)) if resolved and rng.random() < 0.85 else None
    rating = (
        int(rng.choice([5, 4, 3, 2, 1], p=[0.5, 0.28, 0.12, 0.06, 0.04]))
        if closed and rng.random() < 0.75
        else ""
    )

    def fmt(t: dt.datetime | None) -> str:
        return t.strftime("%Y-%m-%d %H:%M") if t else ""

    return [
        fmt(received),
        unit if assigned else "",
        fmt(assigned),
        fmt(responded),
        "已收到，正在协调处理" if responded else "",
        fmt(resolved),
        fmt(closed),
        rating,
    ]


def _survey(rng: np.random.Generator, communities: list[str]) -> list[list]:
    from ..voice.surveys.xlsform import default_instrument

    form = default_instrument()
    labels = {
        q.name: [c.label for c in form.choices[q.list_name]] for q in form.answerable if q.list_name
    }
    ages, weights = ("18_34", "35_59", "60_plus"), {"18_34": 1.4, "35_59": 1.0, "60_plus": 0.7}
    header = ["编号", "社区编码", "填写日期", "权重", *[q.name for q in form.answerable]]
    rows: list[list] = [header]
    none = set(communities[5::97][:2])
    few = set(communities[7::61][:4])
    for unit in communities:
        if unit in none:
            continue
        n = int(rng.integers(12, 25)) if unit in few else int(rng.poisson(60))
        p_culture, p_safe = rng.beta(46, 4.5), rng.beta(120, 3)
        for j in range(n):
            age = ages[int(rng.choice(3, p=[0.25, 0.4, 0.35]))]
            culture = int(rng.choice([4, 5]) if rng.random() < p_culture else rng.choice([1, 2, 3]))
            safe = int(rng.choice([4, 5]) if rng.random() < p_safe else rng.choice([2, 3]))
            level = {
                "overall_satisfaction": int(rng.choice([3, 4, 5], p=[0.15, 0.45, 0.4])),
                "public_service_satisfaction": int(
                    rng.choice([2, 3, 4, 5], p=[0.05, 0.15, 0.45, 0.35])
                ),
                "culture_satisfaction": culture,
                "safety_feeling": safe,
                "happiness": int(rng.choice([3, 4, 5], p=[0.2, 0.45, 0.35])),
                "gain": int(rng.choice([2, 3, 4, 5], p=[0.05, 0.25, 0.4, 0.3])),
            }
            answers = {
                "age_group": dict(zip(ages, labels["age_group"], strict=True))[age],
                **{k: labels[k][v - 1] for k, v in level.items()},
                "culture_reason": "活动太少" if culture <= 2 and rng.random() < 0.5 else "",
                "comments": "",
            }
            day = dt.date(YEAR, 1, 1) + dt.timedelta(days=int(rng.integers(150, 330)))
            rows.append(
                [
                    f"Q{unit}{j:04d}",
                    unit,
                    day.isoformat(),
                    weights[age],
                    *[answers[q.name] for q in form.answerable],
                ]
            )
    return rows


def _id_number(rng: np.random.Generator, born: dt.date) -> str:
    body = f"990102{born:%Y%m%d}{int(rng.integers(0, 1000)):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _signin(
    rng: np.random.Generator, street: list[str], adults: dict[str, float], communities: list[str]
) -> list[list]:
    kinds = ("居民会议", "听证会", "协商议事", "投票表决", "志愿服务")
    rows: list[list] = [
        ["活动编号", "活动类型", "活动名称", "社区编码", "活动日期", "姓名", "身份证号/手机号"]
    ]
    for unit in street:
        acts = [
            (
                f"A{unit}{k:02d}",
                kinds[k % 5],
                f"{kinds[k % 5]}（第{k + 1}次）",
                (
                    dt.date(YEAR, 1, 10) + dt.timedelta(days=30 * k + int(rng.integers(0, 20)))
                ).isoformat(),
            )
            for k in range(11)
        ]
        people = int(adults.get(unit, 4000) * rng.uniform(0.66, 0.86))
        for _ in range(people):
            person = (
                _id_number(
                    rng,
                    dt.date(
                        int(rng.integers(1940, 2006)),
                        int(rng.integers(1, 13)),
                        int(rng.integers(1, 29)),
                    ),
                )
                if rng.random() < 0.8
                else f"1{int(rng.choice([38, 39, 86, 57]))}{int(rng.integers(10**7, 10**8))}"
            )
            for a in rng.choice(len(acts), 1 + min(int(rng.poisson(0.6)), 4), replace=False):
                rows.append([*acts[int(a)][:3], unit, acts[int(a)][3], "居民", person])
        for _ in range(int(people * 0.04)):  # children at a volunteer event: not counted
            kid = _id_number(rng, dt.date(2012, int(rng.integers(1, 13)), 15))
            rows.append([*acts[4][:3], unit, acts[4][3], "学生", kid])
    return rows


def _services(rng: np.random.Generator, street: list[str]) -> list[list]:
    rows: list[list] = [
        ["编号", "社区编码", "服务主体", "主体类型", "服务类型", "服务日期", "服务时长", "服务人次"]
    ]
    providers = (
        ("夕阳红志愿服务队", "志愿者"),
        ("邻里帮社工服务中心", "社会组织"),
        ("仁心义诊队", "志愿者"),
        ("安居家政公益站", "社会组织"),
    )
    for unit in street:
        for j in range(1200):
            provider, kind = providers[int(rng.integers(len(providers)))]
            service = ("家政", "养老", "医疗", "其他")[
                int(rng.choice(4, p=[0.25, 0.45, 0.25, 0.05]))
            ]
            day = dt.date(YEAR, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
            rows.append(
                [
                    f"V{unit}{j:05d}",
                    unit,
                    provider,
                    kind,
                    service,
                    day.isoformat(),
                    round(float(rng.uniform(2, 10)), 1),
                    1 + int(rng.poisson(1)),
                ]
            )
    return rows


def _xlsx(path: Path, rows: list[list]) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(path.stem)
    for row in rows:
        sheet.append(row)
    book.save(path)


def _csv(path: Path, rows: list[list], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if encoding == "gbk" else "\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
