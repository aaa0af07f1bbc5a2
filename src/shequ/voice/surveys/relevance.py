"""XLSForm relevance expressions, parsed once and evaluated safely (no ``eval``).

Grammar (a subset of XPath as XLSForm writes it)::

    expr   := or
    or     := and ("or" and)*
    and    := not ("and" not)*
    not    := "not" "(" expr ")" | cmp
    cmp    := value (("=" | "!=" | ">" | ">=" | "<" | "<=") value)?
    value  := "${name}" | number | 'text' | "text" | "selected(" ${name} "," text ")"
            | "(" expr ")"

Comparisons are numeric when both sides read as numbers, else textual; an unanswered
question is the empty text ``''``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Answers = Mapping[str, object]
_TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[A-Za-z_][A-Za-z0-9_]*\})|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<str>'[^']*'|\"[^\"]*\")|(?P<op>!=|>=|<=|=|>|<|\(|\)|,)"
    r"|(?P<word>[A-Za-z_\-]+))"
)
_COMPARE = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


class RelevanceError(ValueError):
    """The expression cannot be parsed, or names an unknown question."""


@dataclass(frozen=True)
class Relevance:
    source: str
    refs: tuple[str, ...]
    _fn: Callable[[Answers], object]

    def __call__(self, answers: Answers) -> bool:
        return bool(self._fn(answers))


def parse(source: str, known: set[str] | None = None) -> Relevance:
    """Parse ``source``; ``known`` (if given) lists the questions it may refer to."""
    tokens = _tokens(source)
    parser = _Parser(tokens)
    fn = parser.expr()
    if parser.pos != len(tokens):
        raise RelevanceError(
            f"多余的内容“{tokens[parser.pos][1]}” / unexpected '{tokens[parser.pos][1]}'"
        )
    unknown = [r for r in parser.refs if known is not None and r not in known]
    if unknown:
        raise RelevanceError(
            f"引用了未定义（或在其后）的题目 {unknown} / refers to unknown or "
            f"later questions {unknown}"
        )
    return Relevance(source, tuple(parser.refs), fn)


def _tokens(source: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, source.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise RelevanceError(f"无法识别“{text[pos:]}” / cannot read '{text[pos:]}'")
        kind = match.lastgroup or ""
        out.append((kind, match[kind]))
        pos = match.end()
    if not out:
        raise RelevanceError("表达式为空 / empty expression")
    return out


def _value(answers: Answers, name: str) -> object:
    value = answers.get(name)
    return "" if value is None else value


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _compare(op: str, a: object, b: object) -> bool:
    x, y = _number(a), _number(b)
    if x is not None and y is not None:
        return _COMPARE[op](x, y)
    if op in ("=", "!="):
        return _COMPARE[op](str(a), str(b))
    return False


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos, self.refs = tokens, 0, []

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (value is not None and token[1] != value):
            found = token[1] or "表达式结尾 end"
            raise RelevanceError(
                f"应为“{value or '值'}”，却是“{found}” / expected "
                f"'{value or 'a value'}', found '{found}'"
            )
        self.pos += 1
        return token

    def expr(self) -> Callable[[Answers], object]:
        left = self.conj()
        while self.peek() == ("word", "or"):
            self.take()
            a, b = left, self.conj()
            left = lambda x, a=a, b=b: a(x) or b(x)  # noqa: E731
        return left

    def conj(self) -> Callable[[Answers], object]:
        left = self.negation()
        while self.peek() == ("word", "and"):
            self.take()
            a, b = left, self.negation()
            left = lambda x, a=a, b=b: a(x) and b(x)  # noqa: E731
        return left

    def negation(self) -> Callable[[Answers], object]:
        if self.peek() == ("word", "not"):
            self.take()
            self.take("(")
            inner = self.expr()
            self.take(")")
            return lambda x: not inner(x)
        return self.comparison()

    def comparison(self) -> Callable[[Answers], object]:
        left = self.value()
        kind, op = self.peek()
        if kind == "op" and op in _COMPARE:
            self.take()
            right = self.value()
            return lambda x: _compare(op, left(x), right(x))
        return left

    def value(self) -> Callable[[Answers], object]:
        kind, text = self.take()
        if kind == "ref":
            name = text[2:-1]
            self.refs.append(name)
            return lambda x: _value(x, name)
        if kind == "num":
            number = float(text)
            return lambda x: number
        if kind == "str":
            literal = text[1:-1]
            return lambda x: literal
        if (kind, text) == ("op", "("):
            inner = self.expr()
            self.take(")")
            return inner
        if (kind, text) == ("word", "selected"):
            return self.selected()
        raise RelevanceError(f"无法识别“{text}” / unexpected '{text}'")

    def selected(self) -> Callable[[Answers], object]:
        self.take("(")
        kind, ref = self.take()
        if kind != "ref":
            raise RelevanceError(
                "selected() 的第一个参数应为 ${题目} / selected() needs ${question}"
            )
        name = ref[2:-1]
        self.refs.append(name)
        self.take(",")
        kind, choice = self.take()
        if kind not in ("str", "num"):
            raise RelevanceError("selected() 的第二个参数应为选项 / selected() needs a choice")
        self.take(")")
        wanted = choice.strip("'\"")

        def check(x: Answers) -> bool:
            value = x.get(name)
            chosen = value if isinstance(value, list | tuple) else str(value or "").split()
            return wanted in {str(v) for v in chosen}

        return check
