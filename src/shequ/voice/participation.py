"""Participation in governance, counted through keyed pseudonyms.

A resident is known only by ``pseudonym(id_or_phone)``: HMAC-SHA256 of the normalised ID or
mobile number under a secret key kept outside the database, in ``$SHEQU_PSEUDONYM_KEY``
(the key itself) or in a key file (``$SHEQU_PSEUDONYM_KEY_FILE``, default
``~/.config/shequ/pseudonym.key``). The same person gets the same pseudonym under the same
key, an unrelated one under another key, and the raw number is never stored or logged.

Participation rate = distinct adult participants / adult residents, per unit and period.
A person who attends activities of several communities in a period is counted once, in the
community where they attended most (earliest activity breaks ties), so sums over a
street or district still count each person once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, select

from ..errors import VoiceError
from ..framework.periods import parse_period
from ..store.tables.voice import Activity, Attendance

KEY_ENV, KEY_FILE_ENV = "SHEQU_PSEUDONYM_KEY", "SHEQU_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/shequ/pseudonym.key")
ACTIVITY_KINDS = ("meeting", "hearing", "consultation", "vote", "volunteer")
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
ADULT_AGE = 18


def normalise_identifier(raw: object) -> str | None:
    """An ID number (18 characters, upper-case X) or an 11-digit mobile, or None."""
    text = re.sub(r"[\s\-]", "", str(raw or "")).upper()
    if text.endswith(".0"):  # Excel turned a phone number into a float
        text = text[:-2]
    if _ID_RE.match(text) or _MOBILE_RE.match(text):
        return text
    return None


def load_key(path: str | os.PathLike[str] | None = None) -> bytes:
    """The pseudonym key: ``$SHEQU_PSEUDONYM_KEY``, else the key file (``path``,
    ``$SHEQU_PSEUDONYM_KEY_FILE`` or ``~/.config/shequ/pseudonym.key``)."""
    if path is None and os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode()
    chosen = Path(path or os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser()
    if not chosen.is_file():
        msg = (
            f"找不到化名密钥：请设置 {KEY_ENV}，或用 `shequ voice keygen` 生成密钥文件 {chosen} / "
            f"no pseudonym key: set {KEY_ENV} or create the key file {chosen} with "
            "`shequ voice keygen` (keep it outside the database and back it up)"
        )
        raise VoiceError(msg, field="key")
    return chosen.read_bytes().strip()


def create_key_file(path: str | os.PathLike[str]) -> Path:
    """Write a new random key (256 bits, hex) to ``path``, readable by its owner only.

    An existing file is left as it is: a new key would give every resident a new pseudonym.
    """
    path = Path(path).expanduser()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path


def pseudonym(raw: object, key: bytes) -> str:
    """The keyed pseudonym (32 hex characters) of an ID or mobile number."""
    normalised = normalise_identifier(raw)
    if normalised is None:
        msg = (
            "不是有效的身份证号或手机号 / not a valid ID number (18 characters) or mobile number "
            "(11 digits)"
        )
        raise VoiceError(msg, field="identifier")
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()[:32]


def adult_on(identifier: str, day: dt.date) -> bool | None:
    """Whether the holder of an 18-character ID number is 18 or older on ``day``
    (None for a mobile number: the ID is the only place a birth date can come from)."""
    if len(identifier) != 18:
        return None
    try:
        born = dt.date(int(identifier[6:10]), int(identifier[10:12]), int(identifier[12:14]))
    except ValueError:
        return None
    age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    return age >= ADULT_AGE


def participants(conn: Connection, period: str) -> pd.DataFrame:
    """Distinct adult participants per community in ``period``: columns org_unit, participants.

    Each person counts once, in the community where they attended most in the period.
    """
    p = parse_period(period)
    query = (
        select(Attendance.person, Activity.org_unit, Activity.held_on)
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(Attendance.adult.is_(True), Activity.held_on.between(p.start, p.end))
    )
    rows = pd.read_sql(query, conn)
    if rows.empty:
        return pd.DataFrame(
            {"org_unit": pd.Series([], dtype=object), "participants": pd.Series([], dtype="int64")}
        )
    visits = rows.groupby(["person", "org_unit"]).agg(
        n=("held_on", "size"), first=("held_on", "min")
    )
    visits = visits.reset_index().sort_values(
        ["person", "n", "first"], ascending=[True, False, True]
    )
    home = visits.drop_duplicates("person")
    counts = home.groupby("org_unit").size().rename("participants").reset_index()
    return counts.sort_values("org_unit").reset_index(drop=True)
