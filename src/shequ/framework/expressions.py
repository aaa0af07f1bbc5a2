"""Numerator and denominator expressions over data elements.

An expression is a small arithmetic formula written in the plan YAML, for example
``residential_floor_area_m2`` or ``service_centres >= 1``. It may use data-element codes
(an element's total, summed over its disaggregations), one category option combo of an
element written ``resident_population[age_60_plus]``,
numbers, ``+ - *``, unary minus, one comparison (which yields 1 or 0, so that
"communities having at least one centre" is a sum) and ``min(a, b)`` / ``max(a, b)``.
Division is not allowed: the indicator itself is the ratio of summed numerator to summed
denominator, and a division inside a term would not roll up (and divides by zero
differently on each engine).

Expressions are parsed with Python's own parser (no ``eval``) and built against any column
type that overloads arithmetic (Ibis columns, pandas Series) through a `Builder`.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.GtE: operator.ge,
    ast.Gt: operator.gt,
    ast.LtE: operator.le,
    ast.Lt: operator.lt,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS = ("min", "max")


class ExpressionError(ValueError):
    """An expression is not valid; the message says why in Chinese and English."""


class Builder(Protocol):
    """How to turn the pieces of an expression into engine columns."""

    def column(self, code: str) -> Any: ...
    def number(self, value: float) -> Any: ...
    def truth_as_number(self, condition: Any) -> Any: ...
    def least(self, args: list[Any]) -> Any: ...
    def greatest(self, args: list[Any]) -> Any: ...


@dataclass(frozen=True)
class Expression:
    """A parsed expression with the data elements it reads."""

    text: str
    tree: ast.expr = field(repr=False, compare=False)
    elements: tuple[str, ...]

    def build(self, builder: Builder) -> Any:
        """Build the expression with ``builder`` (an Ibis or pandas column factory)."""
        return _build(self.tree, builder)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """Evaluate on plain numbers: handy for checks and for worked examples in tests."""
        return float(self.build(_NumberBuilder(values)))


def element_code(reference: str) -> str:
    """The data element of a reference: ``resident_population[age_60_plus]`` → its code."""
    return reference.split("[", 1)[0]


def combo_of(reference: str) -> str | None:
    """The category option combo a reference selects, or None for the element's total."""
    return reference[reference.index("[") + 1 : -1] if "[" in reference else None


def parse_expression(text: str, known: set[str] | None = None) -> Expression:
    """Parse ``text``; if ``known`` is given, every element named must be one of those codes.

    ``elements`` of the result are references: a code, or ``code[combo]``."""
    source = str(text).strip()
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        msg = f"表达式“{source}”语法错误 / expression '{source}' is not valid: {exc.msg}"
        raise ExpressionError(msg) from None
    names: list[str] = []
    _check(tree, source, names)
    unknown = sorted({element_code(n) for n in names if known is not None} - set(known or ()))
    if unknown:
        msg = (
            f"表达式“{source}”引用了未定义的数据元素 {', '.join(unknown)} / expression "
            f"'{source}' names undefined data elements: {', '.join(unknown)}"
        )
        raise ExpressionError(msg)
    return Expression(source, tree, tuple(dict.fromkeys(names)))


def _check(node: ast.AST, source: str, names: list[str]) -> None:
    if isinstance(node, ast.Name):
        names.append(node.id)
    elif _is_combo(node):
        names.append(_reference(node))
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        pass
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check(node.left, source, names)
        _check(node.right, source, names)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        _check(node.operand, source, names)
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        _check(node.left, source, names)
        _check(node.comparators[0], source, names)
    elif _is_function_call(node):
        for arg in node.args:  # type: ignore[attr-defined]
            _check(arg, source, names)
    else:
        part = ast.get_source_segment(source, node) or type(node).__name__
        msg = (
            f"表达式“{source}”中不允许“{part}”：只能使用数据元素（或 元素[分类组合]）、数字、"
            f"+ - *、一个比较和 min/max（不允许除法）/ '{part}' is not allowed in '{source}': use "
            "data elements (or element[combo]), numbers, + - *, one comparison and min/max "
            "(no division)"
        )
        raise ExpressionError(msg)


def _is_combo(node: ast.AST) -> bool:
    """``element[combo]``: a data element subscripted by one category option combo name."""
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and isinstance(node.slice, ast.Name)
    )


def _reference(node: ast.Subscript) -> str:
    return f"{node.value.id}[{node.slice.id}]"  # type: ignore[attr-defined]


def _is_function_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
        and len(node.args) >= 2
        and not node.keywords
    )


def _build(node: ast.expr, b: Builder) -> Any:
    if isinstance(node, ast.Name):
        return b.column(node.id)
    if isinstance(node, ast.Subscript):
        return b.column(_reference(node))
    if isinstance(node, ast.Constant):
        return b.number(float(node.value))
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_build(node.left, b), _build(node.right, b))
    if isinstance(node, ast.UnaryOp):
        return -_build(node.operand, b)
    if isinstance(node, ast.Compare):
        compare = _COMPARE[type(node.ops[0])]
        return b.truth_as_number(compare(_build(node.left, b), _build(node.comparators[0], b)))
    args = [_build(a, b) for a in node.args]  # type: ignore[attr-defined]
    return b.least(args) if node.func.id == "min" else b.greatest(args)  # type: ignore[attr-defined]


class _NumberBuilder:
    def __init__(self, values: Mapping[str, float]) -> None:
        self.values = values

    def column(self, code: str) -> float:
        return float(self.values[code])

    def number(self, value: float) -> float:
        return value

    def truth_as_number(self, condition: bool) -> float:
        return 1.0 if condition else 0.0

    def least(self, args: list[float]) -> float:
        return min(args)

    def greatest(self, args: list[float]) -> float:
        return max(args)
