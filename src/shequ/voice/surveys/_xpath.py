"""The XPath 1.0 parser of `elementpath`, taught the functions ODK XForms adds.

Why `elementpath`: it is a complete, maintained XPath 1.0/2.0 parser in pure Python with no
dependencies, installed from PyPI (pinned in pyproject). pyxform's own "expression parser"
is a lexer (it splits a string into tokens to find ``${name}``; it does not check the
grammar), and its real check is ODK Validate, a Java program run outside Python. With
`elementpath` a garbage expression is refused by the XPath grammar itself and the parse tree
tells exactly which functions, operators and paths an expression uses.

We only parse here (no elementpath evaluation, which works on XML trees): `expressions`
walks the tree and evaluates it on answers with XForms' rules. The ODK functions are
registered with their arity so that ``if(a, b)`` is refused by the parser; those that shequ
cannot evaluate are registered too (`UNSUPPORTED`) so that they are refused by name rather
than reported as unknown.
"""

from __future__ import annotations

from typing import Any, ClassVar

from elementpath import XPath1Parser
from elementpath.tdop import Parser as _TdopParser

JR = "http://openrosa.org/javarosa"

# ODK functions shequ evaluates, with (min, max) arguments (max None: any number).
SUPPORTED_ODK: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "selected-at": (2, 2),
    "if": (3, 3),
    "coalesce": (2, 2),
    "regex": (2, 2),
    "int": (1, 1),
    "ends-with": (2, 2),
    "substr": (2, 3),
    "today": (0, 0),
    "now": (0, 0),
    "date": (1, 1),
    "date-time": (1, 1),
    "decimal-date-time": (1, 1),
    "decimal-time": (1, 1),
    "format-date": (2, 2),
    "format-date-time": (2, 2),
    "pow": (2, 2),
    "abs": (1, 1),
    "sqrt": (1, 1),
    "exp": (1, 1),
    "exp10": (1, 1),
    "log": (1, 1),
    "log10": (1, 1),
    "sin": (1, 1),
    "cos": (1, 1),
    "tan": (1, 1),
    "asin": (1, 1),
    "acos": (1, 1),
    "atan": (1, 1),
    "atan2": (2, 2),
    "pi": (0, 0),
    "min": (1, None),
    "max": (1, None),
    "boolean-from-string": (1, 1),
    "once": (1, 1),
    "uuid": (0, 1),
    "count-non-empty": (1, 1),
    "join": (2, None),
}
# ODK functions shequ cannot evaluate yet: parsed, then refused by name.
UNSUPPORTED: dict[str, tuple[int, int | None]] = {
    "pulldata": (4, 4),
    "indexed-repeat": (3, None),
    "random": (0, 0),
    "randomize": (1, 2),
    "instance": (1, 1),
    "version": (0, 0),
    "property": (1, 1),
    "digest": (2, 3),
    "base64-decode": (1, 1),
    "area": (1, 1),
    "distance": (1, None),
    "geofence": (2, 2),
    "checklist": (2, None),
    "weighted-checklist": (3, None),
    "encrypt-string": (2, 2),
    "extract-signed": (2, 2),
    "current": (0, 0),
}


class ODKParser(XPath1Parser):
    """XPath 1.0 with the ``jr`` namespace and the ODK function library (parse only)."""

    DEFAULT_NAMESPACES: ClassVar[dict[str, str]] = {**XPath1Parser.DEFAULT_NAMESPACES, "jr": JR}

    def parse(self, source: str) -> Any:
        # XPath1Parser.parse also evaluates statically with elementpath's own functions,
        # which the ODK ones are not: take the grammar only.
        if self.tokenizer is None:
            self.tokenizer = self.create_tokenizer(self.symbol_table)
        return _TdopParser.parse(self, source)


ODKParser.unregister("round")
ODKParser.function("round", nargs=(1, 2))
for _name, _nargs in {**SUPPORTED_ODK, **UNSUPPORTED}.items():
    ODKParser.function(_name, nargs=_nargs)
ODKParser.function("choice-name", prefix="jr", nargs=2)
ODKParser.build()
