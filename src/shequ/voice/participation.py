"""Participation in governance, counted through keyed pseudonyms.

A resident is known only by ``pseudonym(id_or_phone)``: HMAC-SHA256 of the normalised ID or
mobile number under a secret key kept outside the database, in ``$SHEQU_PSEUDONYM_KEY``
(the key itself) or in a key file (``$SHEQU_PSEUDONYM_KEY_FILE``, default
``~/.config/shequ/pseudonym.key``). The same person gets the same pseudonym under the same
key, an unrelated one under another key, and the raw number is never stored or logged. A key shorter than 16 bytes (``MIN_KEY_BYTES``;
an empty one included) is refused wherever it comes from: ID and mobile numbers are few
enough (about 10^11 mobiles) that a guessable key would let anyone re-identify residents.
`keygen` writes 64 hex characters (256 bits).

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
import shutil
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, select

from ..errors import VoiceError
from ..framework.periods import parse_period
from ..store.tables.voice import Activity, Attendance

KEY_ENV, KEY_FILE_ENV = "SHEQU_PSEUDONYM_KEY", "SHEQU_PSEUDONYM_KEY_FILE"
MIN_KEY_BYTES = 16
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


def config_dir() -> Path:
    """The per-user folder of shequ's secrets, ``~/.config/shequ``: never a store's folder."""
    return Path("~/.config/shequ").expanduser()


def default_key_file() -> Path:
    """``$SHEQU_PSEUDONYM_KEY_FILE``, else ``pseudonym.key`` in `config_dir`."""
    return Path(os.environ.get(KEY_FILE_ENV) or config_dir() / "pseudonym.key").expanduser()


def check_key(key: bytes, *, source: str = "") -> bytes:
    """``key`` itself when it has at least `MIN_KEY_BYTES` bytes; else a `VoiceError`."""
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        size = len(key) if isinstance(key, bytes | str) else 0
        where = f"（{source}）" if source else ""
        where_en = f" ({source})" if source else ""
        msg = (
            f"化名密钥太短{where}：{size} 字节，至少需要 {MIN_KEY_BYTES} 字节；请用 "
            f"`shequ voice keygen` 生成随机密钥 / the pseudonym key{where_en} is too short: "
            f"{size} bytes, at least {MIN_KEY_BYTES} are needed; create a random one with "
            "`shequ voice keygen`"
        )
        raise VoiceError(msg, field="key")
    return key


def load_key(path: str | os.PathLike[str] | None = None) -> bytes:
    """The pseudonym key: ``$SHEQU_PSEUDONYM_KEY`` (when set, even empty), else the key file
    (``path``, or `default_key_file`); refused when shorter than `MIN_KEY_BYTES`."""
    if path is None and KEY_ENV in os.environ:
        return check_key(os.environ[KEY_ENV].encode(), source=f"${KEY_ENV}")
    chosen = Path(path).expanduser() if path else default_key_file()
    if not chosen.is_file():
        msg = (
            f"找不到化名密钥：请设置 {KEY_ENV}，或用 `shequ voice keygen` 生成密钥文件 {chosen} / "
            f"no pseudonym key: set {KEY_ENV} or create the key file {chosen} with "
            "`shequ voice keygen` (keep it outside the database and back it up)"
        )
        raise VoiceError(msg, field="key")
    return check_key(chosen.read_bytes().strip(), source=str(chosen))


def create_key_file(path: str | os.PathLike[str]) -> Path:
    """Write a new random key (256 bits, hex) to ``path``, readable by its owner only.

    An existing file is left as it is: a new key would give every resident a new pseudonym.
    """
    path = Path(path).expanduser()
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never world-readable
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path


def demo_key(*beside: str | os.PathLike[str]) -> bytes:
    """The sample city's key: ``$SHEQU_PSEUDONYM_KEY``, else the key file
    ``$SHEQU_PSEUDONYM_KEY_FILE`` or ``demo-pseudonym.key`` in `config_dir` (created once,
    so a re-run gives the same pseudonyms). A key file inside one of the folders ``beside``
    (the demo's output, the store's folder) is refused: a key kept with the data it
    pseudonymises protects nothing. A ``pseudonym.key`` that an earlier demo left in the
    first of them is moved to the key file (when there is none yet), so a re-run keeps its
    pseudonyms.
    """
    if KEY_ENV in os.environ:
        return load_key()
    path = Path(os.environ.get(KEY_FILE_ENV) or config_dir() / "demo-pseudonym.key").expanduser()
    for folder in beside:
        if path.resolve().is_relative_to(Path(folder).expanduser().resolve()):
            msg = (
                f"化名密钥文件 {path} 不能放在数据所在的文件夹 {folder} 中，请放到别处（例如 "
                f"~/.config/shequ/）或用 {KEY_ENV} 传入 / the pseudonym key file {path} must not "
                f"be kept in the data's folder {folder}: put it elsewhere (e.g. ~/.config/shequ/) "
                f"or pass the key in {KEY_ENV}"
            )
            raise VoiceError(msg, field="key")
    legacy = Path(beside[0]).expanduser() / "pseudonym.key" if beside else None
    if legacy is not None and legacy.is_file() and not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.move(legacy, path)
        path.chmod(0o600)
    return load_key(create_key_file(path))


def pseudonym(raw: object, key: bytes) -> str:
    """The keyed pseudonym (32 hex characters) of an ID or mobile number."""
    check_key(key)
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
