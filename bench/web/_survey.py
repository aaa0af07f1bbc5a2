"""The survey part of the web bench: a valid resident's answers and the stored count."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import httpx

LEVELS = ("1", "2", "3", "4", "5")
ASKED = (
    "overall_satisfaction",
    "public_service_satisfaction",
    "safety_feeling",
    "happiness",
    "gain",
)


def available(base: str, client: httpx.AsyncClient) -> bool:
    return 'id="voice-pending"' not in httpx.get(f"{base}/survey", timeout=30).text


def answers(rng: random.Random, communities: list[str], token: str) -> dict[str, str]:
    """One complete answer sheet (culture_reason only when culture satisfaction is 1–2)."""
    out = {q: rng.choice(LEVELS) for q in ASKED}
    out["culture_satisfaction"] = culture = rng.choice(LEVELS)
    if int(culture) <= 2:
        out["culture_reason"] = rng.choice(["活动太少", "场地太远", "时间不合适"])
    out["age_group"] = rng.choice(["18_34", "35_59", "60_plus"])
    out["org_unit"] = rng.choice(communities)
    out["csrf_token"] = token
    return out


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM survey_response").fetchone()[0])
