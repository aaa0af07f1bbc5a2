"""XPath 1.0 values and the ODK function library, for `expressions` (see its docstring for
the rules). Values are ``str`` (text and answers), ``float``, ``bool``, `Day` / `Moment`
(dates and times) and `NodeSet` (the answers of a question inside a repeat)."""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
import uuid

EPOCH = dt.date(1970, 1, 1)
NAN = float("nan")


class NodeSet(list):
    """The answers of one question in every instance of a repeat."""


class Day(dt.date):
    """A date value (``today()``, ``date()``)."""


class Moment(dt.datetime):
    """A date-time value (``now()``)."""


def _date_of(value: object) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value):
        try:
            if len(value) > 10:
                return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _days(value: dt.date) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return (value - dt.datetime(1970, 1, 1)).total_seconds() / 86400
    return float((value - EPOCH).days)


def _first(value: object) -> object:
    if isinstance(value, NodeSet):
        return value[0] if value else ""
    return value


def number(value: object) -> float:
    value = _first(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date):
        return _days(value)
    text = str(value).strip()
    try:
        return float(text) if text and not text.lower().startswith(("nan", "inf")) else NAN
    except ValueError:
        found = _date_of(text)
        return _days(found) if found is not None else NAN


def string(value: object) -> str:
    value = _first(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def boolean(value: object) -> bool:
    if isinstance(value, NodeSet):
        return bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    return bool(string(value))


_ORDER = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def compare(op: str, a: object, b: object) -> bool:
    """XPath 1.0 comparison; a node-set compares true if any of its answers does."""
    if isinstance(a, NodeSet):
        return any(compare(op, x, b) for x in a)
    if isinstance(b, NodeSet):
        return any(compare(op, a, y) for y in b)
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            return _ORDER[op](boolean(a), boolean(b))
        if isinstance(a, dt.date) or isinstance(b, dt.date):
            da, db = _date_of(a), _date_of(b)
            if da is not None and db is not None:
                return _ORDER[op](_days(da), _days(db))
        if isinstance(a, float | int) or isinstance(b, float | int):
            return _ORDER[op](number(a), number(b))
        return _ORDER[op](string(a), string(b))
    da, db = _date_of(a), _date_of(b)
    if da is not None and db is not None:
        return _ORDER[op](_days(da), _days(db))
    return _ORDER[op](number(a), number(b))


def _div(a: float, b: float) -> float:
    if b == 0:
        return NAN if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b


def _mod(a: float, b: float) -> float:
    return NAN if b == 0 or math.isinf(a) else math.fmod(a, b)


ARITHMETIC = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "div": _div,
    "mod": _mod,
}


def _math(f):
    def call(x):
        try:
            return float(f(number(x)))
        except (ValueError, OverflowError):
            return NAN

    return call


def _chosen(value: object) -> list[str]:
    return string(value).split()


def _round(x: object, digits: object = 0.0) -> float:
    n, d = number(x), number(digits)
    if math.isnan(n) or math.isinf(n) or math.isnan(d):
        return n
    factor = 10 ** int(d)
    return math.floor(n * factor + 0.5) / factor


def _int(x: object) -> float:
    n = number(x)
    return n if math.isnan(n) or math.isinf(n) else float(math.trunc(n))


def _substring(s: object, start: object, length: object = None) -> str:
    text, first = string(s), _round(start)
    last = math.inf if length is None else first + _round(length)
    return "".join(c for i, c in enumerate(text, start=1) if first <= i < last)


def _substr(s: object, start: object, end: object = None) -> str:
    text = string(s)
    a = int(number(start))
    b = len(text) if end is None else int(number(end))
    return text[a:b]


def _date(x: object) -> object:
    found = _date_of(string(x)) if not isinstance(x, int | float) else None
    if found is not None:
        return Day(found.year, found.month, found.day)
    n = number(x)
    return "" if math.isnan(n) else Day.fromordinal(EPOCH.toordinal() + math.floor(n))


def _format(value: object, pattern: object) -> str:
    found = value if isinstance(value, dt.date) else _date_of(string(value))
    if found is None:
        n = number(value)
        if math.isnan(n):
            return ""
        found = dt.datetime(1970, 1, 1) + dt.timedelta(days=n)
    codes = {
        "%Y": "%Y",
        "%y": "%y",
        "%m": "%m",
        "%n": str(found.month),
        "%b": "%b",
        "%d": "%d",
        "%e": str(found.day),
        "%a": "%a",
        "%H": "%H",
        "%h": "%H",
        "%M": "%M",
        "%S": "%S",
        "%3": "000",
    }
    out = re.sub(r"%[A-Za-z3]", lambda m: codes.get(m[0], m[0]), string(pattern))
    return found.strftime(out) if isinstance(found, dt.date) else out


def _values(args: tuple) -> list[float]:
    out: list[float] = []
    for a in args:
        out += [number(x) for x in a] if isinstance(a, NodeSet) else [number(a)]
    return out


def _extreme(pick):
    def call(*args):
        values = _values(args)
        return NAN if not values or any(math.isnan(v) for v in values) else pick(values)

    return call


def _sum(nodes: object) -> float:
    return math.fsum(_values((nodes,))) if nodes != "" else 0.0


def _count(nodes: object) -> float:
    if isinstance(nodes, NodeSet):
        return float(len(nodes))
    return 1.0


def _join(sep: object, *args: object) -> str:
    parts: list[str] = []
    for a in args:
        parts += [string(x) for x in a] if isinstance(a, NodeSet) else [string(a)]
    return string(sep).join(parts)


FUNCTIONS = {
    "true": lambda: True,
    "false": lambda: False,
    "not": lambda x: not boolean(x),
    "boolean": boolean,
    "number": number,
    "string": string,
    "concat": lambda *xs: "".join(string(x) for x in xs),
    "contains": lambda a, b: string(b) in string(a),
    "starts-with": lambda a, b: string(a).startswith(string(b)),
    "ends-with": lambda a, b: string(a).endswith(string(b)),
    "substring": _substring,
    "substr": _substr,
    "substring-before": lambda a, b: (
        string(a).partition(string(b))[0] if string(b) in string(a) else ""
    ),
    "substring-after": lambda a, b: string(a).partition(string(b))[2],
    "string-length": lambda x="": float(len(string(x))),
    "normalize-space": lambda x="": " ".join(string(x).split()),
    "translate": lambda s, a, b: string(s).translate(
        {
            ord(c): (string(b)[i] if i < len(string(b)) else None)
            for i, c in reversed(list(enumerate(string(a))))
        }
    ),
    "round": _round,
    "floor": _math(math.floor),
    "ceiling": _math(math.ceil),
    "sum": _sum,
    "count": _count,
    "selected": lambda a, b: string(b).strip() in _chosen(a),
    "count-selected": lambda a: float(len(_chosen(a))),
    "selected-at": lambda a, n: (lambda c, i: c[i] if 0 <= i < len(c) else "")(
        _chosen(a), int(number(n)) if not math.isnan(number(n)) else -1
    ),
    "coalesce": lambda a, b: a if string(a) else b,
    "regex": lambda s, p: re.search(string(p), string(s)) is not None,
    "int": _int,
    "today": lambda: Day.today(),
    "now": lambda: Moment.now().astimezone(),
    "date": _date,
    "date-time": lambda x: _date_of(string(x)) or "",
    "decimal-date-time": number,
    "decimal-time": lambda x: (number("1970-01-01T" + string(x)) % 1.0) if string(x) else NAN,
    "format-date": _format,
    "format-date-time": _format,
    "pow": lambda a, b: _math(lambda x: x ** number(b))(a),
    "abs": _math(abs),
    "sqrt": _math(math.sqrt),
    "exp": _math(math.exp),
    "exp10": _math(lambda x: 10**x),
    "log": _math(math.log),
    "log10": _math(math.log10),
    "sin": _math(math.sin),
    "cos": _math(math.cos),
    "tan": _math(math.tan),
    "asin": _math(math.asin),
    "acos": _math(math.acos),
    "atan": _math(math.atan),
    "atan2": lambda a, b: math.atan2(number(a), number(b)),
    "pi": lambda: math.pi,
    "min": _extreme(min),
    "max": _extreme(max),
    "boolean-from-string": lambda x: string(x).strip().lower() in ("true", "1"),
    "once": lambda x: x,
    "uuid": lambda n=None: uuid.uuid4().hex if n is None else uuid.uuid4().hex[: int(number(n))],
    "count-non-empty": lambda a: float(
        sum(1 for x in (a if isinstance(a, NodeSet) else [a]) if string(x))
    ),
    "join": _join,
}
