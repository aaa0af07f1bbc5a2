"""XLSForm expressions (``relevant``, ``constraint``, ``calculation``, ``choice_filter``,
``required``): parsed as XPath 1.0 once, evaluated on answers with XForms' rules, no ``eval``.

Parsing: ``${name}`` references are rewritten to XPath variables (``$name``, padded to keep
every column where it was) and the text is parsed by `elementpath`'s XPath 1.0 grammar
extended with the ODK function library (see `_xpath` for why `elementpath` and not
pyxform). The tree is then compiled to Python closures; anything shequ cannot evaluate is
refused *by name* with a bilingual message: XPath paths (``/data/x``, ``../x``, ``@a``,
predicates), bare element names outside ``choice_filter``, and the functions in
`_xpath.UNSUPPORTED` (``pulldata``, ``indexed-repeat``, ``random`` …).

Evaluation follows XPath 1.0 / JavaRosa: an answer is the text of its node (``''`` when
unanswered or not relevant); ``=`` and ``!=`` compare as numbers when either side is a
number, as booleans when either is a boolean, else as text; ``<`` ``>`` compare numbers,
or dates when both sides are dates (``today()``, a date answer, ``'2025-01-31'``); a date
used as a number is its day count since 1970-01-01; a multiple choice is its names joined by
spaces (``selected()`` looks inside). ``.`` is the question's own answer (in ``constraint``);
a bare name in ``choice_filter`` is a column of the choice being filtered. A reference from
outside a repeat to a question inside it is the list of its answers (for ``count``,
``sum``, ``max`` …).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from elementpath.exceptions import ElementPathError

from . import _functions as fn
from ._functions import NodeSet, boolean, compare, number, string
from ._xpath import SUPPORTED_ODK, UNSUPPORTED, ODKParser

_REF = re.compile(r"\$\{\s*([^}\s]*)\s*\}")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_PATH_SYMBOLS = {"/", "//", "..", "[", "@", "|", "::", "*"}
_XPATH1 = {
    "true",
    "false",
    "not",
    "boolean",
    "number",
    "string",
    "concat",
    "contains",
    "starts-with",
    "substring",
    "substring-before",
    "substring-after",
    "string-length",
    "normalize-space",
    "translate",
    "round",
    "floor",
    "ceiling",
    "sum",
    "count",
}
SUPPORTED_FUNCTIONS = tuple(sorted(_XPATH1 | set(SUPPORTED_ODK) | {"jr:choice-name"}))


class ExpressionError(ValueError):
    """The expression cannot be parsed, names an unknown question, or uses something shequ
    cannot evaluate (named in the message)."""


@dataclass
class Scope:
    """What an expression sees: answers by question name, the question's own answer
    (``.``), the choice being filtered, and a choice-label look-up for ``jr:choice-name``."""

    answers: Mapping[str, object]
    current: object = ""
    choice: Mapping[str, str] = field(default_factory=dict)
    choice_label: Callable[[str, str], str] = lambda question, value: value


@dataclass(frozen=True)
class Expression:
    source: str
    refs: tuple[str, ...]
    _fn: Callable[[Scope], object] = field(repr=False, compare=False)

    def value(self, scope: Scope) -> object:
        return self._fn(scope)

    def truth(self, scope: Scope) -> bool:
        return boolean(self._fn(scope))

    def text(self, scope: Scope) -> str:
        return string(self._fn(scope))


def references(source: str) -> list[str]:
    """The ``${name}`` references of ``source`` outside quoted text, in order."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m[0]), source)
    return [m[1] for m in _REF.finditer(unquoted)]


def parse(source: str, known: set[str] | None = None, *, choice_filter: bool = False) -> Expression:
    """Parse ``source``; ``known`` (if given) lists the questions it may refer to.
    Raises `ExpressionError` with a Chinese / English message."""
    text = _variables(source)
    if not text.strip():
        raise ExpressionError("表达式为空 / empty expression")
    try:
        tree = ODKParser().parse(text)
    except ElementPathError as exc:
        reason = re.sub(r"\s*\[err:\w+\]", "", str(exc))
        raise ExpressionError(
            f"不是有效的 XPath 表达式 / not a valid XPath expression: {reason}"
        ) from None
    compiler = _Compiler(choice_filter)
    body = compiler.compile(tree)
    unknown = [r for r in compiler.refs if known is not None and r not in known]
    if unknown:
        names = ", ".join(f"${{{r}}}" for r in dict.fromkeys(unknown))
        raise ExpressionError(
            f"引用了问卷中没有的题目 {names} / refers to questions not in the form {names}"
        )
    return Expression(source, tuple(dict.fromkeys(compiler.refs)), body)


def tree(source: str) -> dict:
    """The parsed expression as plain data, for the web form's own evaluator (app.js):
    ``{"t": "op" | "fn" | "ref" | "self" | "str" | "num" | "name", "v": ..., "a": [...]}``.
    Call it on an expression `parse` accepted."""
    return _tree(ODKParser().parse(_variables(source)))


def _tree(t) -> dict:
    kids = list(t)
    if t.symbol == "(string)":
        return {"t": "str", "v": str(t.value)}
    if t.symbol in ("(integer)", "(decimal)", "(float)"):
        return {"t": "num", "v": float(t.value)}
    if t.symbol == "$":
        return {"t": "ref", "v": kids[0].value}
    if t.symbol == ".":
        return {"t": "self"}
    if t.symbol == "(name)":
        return {"t": "name", "v": str(t.value)}
    if t.symbol == "(" and len(kids) == 1:
        return _tree(kids[0])
    if t.symbol == ":" and len(kids) == 2:
        return {"t": "fn", "v": "jr:" + kids[1].symbol, "a": [_tree(k) for k in kids[1]]}
    kind = "fn" if str(t.label).endswith("function") else "op"
    return {"t": kind, "v": t.symbol, "a": [_tree(k) for k in kids]}


def _variables(source: str) -> str:
    """``${name}`` → ``$name`` padded to the same width, outside quoted text."""
    out, pos = [], 0
    for quoted in [*_QUOTED.finditer(source), None]:
        end = quoted.start() if quoted else len(source)
        chunk = source[pos:end]
        for ref in _REF.finditer(chunk):
            if not _NAME.match(ref[1]):
                raise ExpressionError(
                    f"“{ref[0]}”不是题目引用 / '{ref[0]}' is no question reference"
                )
        chunk = _REF.sub(lambda m: ("$" + m[1]).ljust(len(m[0])), chunk)
        if "${" in chunk:
            raise ExpressionError("“${” 没有闭合 / unclosed '${'")
        out.append(chunk)
        if quoted:
            out.append(quoted[0])
            pos = quoted.end()
    return "".join(out)


def _refused(what_zh: str, what_en: str) -> ExpressionError:
    return ExpressionError(f"shequ 不支持{what_zh} / {what_en} is not supported by shequ")


class _Compiler:
    def __init__(self, choice_filter: bool):
        self.choice_filter, self.refs = choice_filter, []

    def compile(self, t) -> Callable[[Scope], object]:  # noqa: C901 - one branch per symbol
        symbol, label = t.symbol, str(t.label)
        kids = list(t)
        if symbol == "(string)":
            value = str(t.value)
            return lambda s: value
        if symbol in ("(integer)", "(decimal)", "(float)"):
            value = float(t.value)
            return lambda s: value
        if symbol == "$":
            name = kids[0].value
            self.refs.append(name)
            return lambda s: s.answers.get(name, "")
        if symbol == ".":
            return lambda s: s.current
        if symbol == "(name)":
            name = str(t.value)
            if not self.choice_filter:
                raise _refused(
                    f"路径或元素名“{name}”（请写 ${{{name}}}）",
                    f"the bare name or path '{name}' (write ${{{name}}})",
                )
            return lambda s: s.choice.get(name, "")
        if symbol == "(" and len(kids) == 1:
            return self.compile(kids[0])
        if symbol == ":" and len(kids) == 2 and kids[1].symbol == "choice-name":
            return self._choice_name(list(kids[1]))
        if label == "function" or label.endswith("function"):
            return self._function(symbol, kids)
        if symbol in ("and", "or"):
            a, b = self.compile(kids[0]), self.compile(kids[1])
            if symbol == "and":
                return lambda s: boolean(a(s)) and boolean(b(s))
            return lambda s: boolean(a(s)) or boolean(b(s))
        if symbol in ("=", "!=", "<", "<=", ">", ">="):
            a, b = self.compile(kids[0]), self.compile(kids[1])
            return lambda s: compare(symbol, a(s), b(s))
        if symbol in ("+", "-", "*", "div", "mod") and label == "operator":
            args = [self.compile(k) for k in kids]
            if len(args) == 1:
                only = args[0]
                return lambda s: -number(only(s)) if symbol == "-" else number(only(s))
            a, b = args
            op = fn.ARITHMETIC[symbol]
            return lambda s: op(number(a(s)), number(b(s)))
        if symbol in _PATH_SYMBOLS or label in ("axis", "attribute reference", "kind test"):
            raise _refused(
                f" XPath 路径（“{symbol}”）；请用 ${{题目名}} 引用题目",
                f"the XPath path step '{symbol}' (refer to questions as ${{name}})",
            )
        raise _refused(f"“{symbol}”", f"'{symbol}'")

    def _function(self, name: str, kids: list) -> Callable[[Scope], object]:
        if name in UNSUPPORTED or name not in SUPPORTED_FUNCTIONS:
            raise ExpressionError(
                f"shequ 不支持函数 {name}() / the function {name}() is not supported by "
                f"shequ; supported functions: {', '.join(SUPPORTED_FUNCTIONS)}"
            )
        args = [self.compile(k) for k in kids]
        if name == "if":
            c, a, b = args
            return lambda s: a(s) if boolean(c(s)) else b(s)
        if name == "regex" and kids[1].symbol == "(string)":
            try:
                re.compile(str(kids[1].value))
            except re.error as exc:
                raise ExpressionError(
                    f"regex() 的正则表达式无效 / bad regular expression in regex(): {exc}"
                ) from None
        impl = fn.FUNCTIONS[name]
        return lambda s: impl(*(a(s) for a in args))

    def _choice_name(self, kids: list) -> Callable[[Scope], object]:
        value = self.compile(kids[0])
        if kids[1].symbol != "(string)":
            raise ExpressionError(
                "jr:choice-name() 的第二个参数应为 '${题目}' / jr:choice-name() needs "
                "'${question}' as its second argument"
            )
        names = _REF.findall(str(kids[1].value))
        if len(names) != 1:
            raise ExpressionError(
                "jr:choice-name() 的第二个参数应为 '${题目}' / jr:choice-name() needs "
                "'${question}' as its second argument"
            )
        question = names[0]
        self.refs.append(question)
        return lambda s: s.choice_label(question, string(value(s)))


__all__ = ["Expression", "ExpressionError", "NodeSet", "Scope", "parse", "references"]
