"""The survey part of the web bench: a valid resident's answers and the stored count."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import httpx


def available(base: str, client: httpx.AsyncClient) -> bool:
    return httpx.get(f"{base}/survey").text.find('id="voice-pending"') < 0


def answers(rng: random.Random, communities: list[str], token: str) -> dict[str, str]:
    raise NotImplementedError("wired when the voice module is merged")


def count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT count(*) FROM survey_response").fetchone()[0])
