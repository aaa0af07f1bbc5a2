"""An answer converted to its question's type (numbers, dates, times, locations …), for
`_answers`."""

from __future__ import annotations

import datetime as dt
import math
import re

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


def plain(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def convert(q, raw, bounds) -> tuple[object, tuple[str, str] | None]:  # noqa: C901
    """``raw`` as the value of a question that is no select (``bounds``: a range's start,
    end, step), or the reason it is not, in Chinese and English."""
    kind = q.type
    if kind in ("integer", "decimal", "range"):
        try:
            value = float(plain(raw))
        except ValueError:
            return None, (f"“{plain(raw)}”不是数值", f"'{plain(raw)}' is not a number")
        if math.isnan(value) or math.isinf(value):
            return None, (f"“{plain(raw)}”不是数值", f"'{plain(raw)}' is not a number")
        if kind == "range":
            return _range(value, bounds)
        if kind == "integer":
            if not value.is_integer():
                return None, (
                    f"“{plain(raw)}”应为整数",
                    f"'{plain(raw)}' should be a whole number",
                )
            return int(value), None
        return value, None
    if kind in ("date", "today"):
        value = raw if isinstance(raw, dt.date) else _date(plain(raw))
        if value is None:
            return None, (f"“{plain(raw)}”不是日期", f"'{plain(raw)}' is not a date")
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat(), None
    if kind in ("datetime", "start", "end"):
        value = raw if isinstance(raw, dt.datetime) else _moment(plain(raw))
        if value is None:
            return None, (
                f"“{plain(raw)}”不是日期时间",
                f"'{plain(raw)}' is not a date and time",
            )
        return value.isoformat(), None
    if kind == "time":
        text = raw.isoformat() if isinstance(raw, dt.time) else plain(raw)
        found = _TIME.match(text)
        if not found or int(found[1]) > 23 or int(found[2]) > 59:
            return None, (f"“{text}”不是时间", f"'{text}' is not a time")
        return text, None
    if kind == "geopoint":
        return _geopoint(plain(raw))
    if kind == "acknowledge":
        if plain(raw).lower() in ("ok", "yes", "true", "1", "是"):
            return "OK", None
        return None, (f"“{plain(raw)}”应为 OK", f"'{plain(raw)}' should be OK")
    return plain(raw), None


def _range(value: float, bounds: tuple[float, float, float]):
    start, end, step = bounds
    low, high = min(start, end), max(start, end)
    steps = (value - start) / step
    if not low <= value <= high or abs(steps - round(steps)) > 1e-9:
        return None, (
            f"“{plain(value)}”不在 {plain(start)}–{plain(end)}（步长 {plain(step)}）内",
            f"'{plain(value)}' is not in {plain(start)}–{plain(end)} step {plain(step)}",
        )
    whole = all(float(x).is_integer() for x in (start, end, step))
    return (int(value) if whole else value), None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _geopoint(text: str):
    parts = text.replace(",", " ").split()
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if not 2 <= len(values) <= 4 or not (-90 <= values[0] <= 90 and -180 <= values[1] <= 180):
        return None, (
            f"“{text}”不是坐标（纬度 经度 [高程 精度]）",
            f"'{text}' is not a location (latitude longitude [altitude accuracy])",
        )
    return " ".join(plain(v) for v in values), None
