"""What residents see without an account: their community's scorecard in plain language
(approved periods only) and the progress of their own suggestion.

A suggestion is followed by its number (the reference printed at submission) and a short
tracking code printed with it; only the code's SHA-256 digest is stored. A wrong code and
an unknown number get the same answer, and the answer names no resident and quotes no
resident's text: status, dates, the community, and the staff's replies.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

import pandas as pd
from sqlalchemy import select

from ..framework import labels
from ..report.rows import indicator_rows
from ..store import approvals, orgunits
from ..store.db import Store
from ..store.tables.core import EvaluationRun

#: tracking-code letters: no 0/O, 1/I/L, so a code read aloud or copied by hand survives
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6  # 31⁶ ≈ 8.9 × 10⁸ codes, behind the public rate limit
#: how many of the newest runs are looked through for an approved period
RUNS_LOOKED_AT = 50
STATUS_WORDS = {
    "received": ("已受理", "received"),
    "assigned": ("已转办", "handed to the responsible unit"),
    "responded": ("已答复", "answered"),
    "resolved": ("已解决", "resolved"),
    "closed": ("已办结", "closed"),
}


def new_code() -> str:
    """A fresh tracking code of `CODE_LENGTH` letters from `ALPHABET`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def digest(code: str) -> str:
    """The stored form of a tracking code (case and spaces as typed do not matter)."""
    plain = "".join(code.split()).upper()
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def track(store: Store, number: str, code: str) -> dict[str, Any] | None:
    """The progress of suggestion ``number`` if ``code`` is its tracking code, else None
    (the same for an unknown number, a wrong code and a suggestion without a code)."""
    from ..store.tables.voice import Suggestion, SuggestionEvent

    number = number.strip()
    if not number or not code.strip():
        return None
    with store.begin() as conn:
        row = (
            conn.execute(select(Suggestion.__table__).where(Suggestion.ref == number))
            .mappings()
            .first()
        )
        stored = (row or {}).get("track_digest") or ""
        if row is None or not hmac.compare_digest(stored, digest(code)):
            return None
        events = conn.execute(
            select(SuggestionEvent.at, SuggestionEvent.action, SuggestionEvent.text)
            .where(SuggestionEvent.suggestion_id == row["id"])
            .order_by(SuggestionEvent.at, SuggestionEvent.id)
        ).all()
        name = orgunits.names(conn).get(row["org_unit"], row["org_unit"])
    replies = [
        {"at": e.at, "text": e.text}
        for e in events
        if e.action in ("responded", "replied", "resolved") and e.text
    ]
    return {
        "number": number,
        "community": name,
        "status": row["status"],
        "status_words": STATUS_WORDS.get(row["status"], (row["status"], row["status"])),
        "received_at": row["received_at"],
        "responded_at": row["responded_at"],
        "resolved_at": row["resolved_at"],
        "closed_at": row["closed_at"],
        "replies": replies,
    }


def approved_run(store: Store, unit: str) -> tuple[int, str] | None:
    """(run id, period) of the newest run whose period is approved for ``unit`` (the unit
    or an ancestor approved it), or None: residents see approved data only."""
    with store.begin() as conn:
        found = conn.execute(
            select(EvaluationRun.id, EvaluationRun.periods)
            .order_by(EvaluationRun.id.desc())
            .limit(RUNS_LOOKED_AT)
        ).all()
        candidates = [(int(i), periods.split(",")[-1]) for i, periods in found]
        if not candidates:
            return None
        pairs = pd.DataFrame({"org_unit": unit, "period": sorted({p for _, p in candidates})})
        ok = set(approvals.locked(conn, pairs)["period"])
    return next(((i, p) for i, p in candidates if p in ok), None)


def plain_lines(rows: list[dict[str, Any]], lang: str) -> list[str]:
    """The scorecard in sentences a resident reads on a phone: what is met, what is not,
    one line per indicator with a target, then those monitored without one."""
    zh = lang == "zh"
    lines = []
    for r in rows:
        shown = f"{r['value']} {r['unit']}".strip()
        if r["status"] == "met":
            lines.append(
                f"✓ {r['name']}：{shown}，达到目标（{r['target']}）"
                if zh
                else f"✓ {r['name']}: {shown}, target met ({r['target']})"
            )
        elif r["status"] == "not_met":
            lines.append(
                f"✗ {r['name']}：{shown}，尚未达到目标（{r['target']}）"
                if zh
                else f"✗ {r['name']}: {shown}, target not yet met ({r['target']})"
            )
        elif r["status"] == "no_data":
            lines.append(f"… {r['name']}：暂无数据" if zh else f"… {r['name']}: no data yet")
    return lines


def community_card(context, lang: str) -> dict[str, Any]:
    """What the public page shows of a unit's context: counts and plain lines."""
    mine = context.indicators[context.indicators["org_unit"] == context.unit]
    rows = indicator_rows(mine, lang)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("met", "not_met", "no_data")}
    monitored = [r for r in rows if r["status"] == "no_target" and r["value"] != "—"]
    return {
        "name": context.unit_name,
        "level": labels.pick(labels.LEVEL.get(context.level, ("", "")), lang),
        "period": context.period,
        "counts": counts,
        "lines": plain_lines(rows, lang),
        "monitored": [f"{r['name']}：{r['value']} {r['unit']}".strip() for r in monitored],
    }
