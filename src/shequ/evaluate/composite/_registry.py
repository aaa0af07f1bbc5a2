"""Name → function registries for the method families (normalisers, weightings, aggregators).

Each family keeps a plain ``dict[str, Callable]``; a built-in method registers itself with
the decorator that `registrar` makes for that dict, and callers pick a method by name with
`lookup`, which fails with a bilingual message listing the known names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


def registrar(table: dict[str, Callable[..., object]]) -> Callable[[str], Callable[[F], F]]:
    """Make the ``@register("name")`` decorator that adds a function to ``table``.

    The decorated function is returned unchanged, so it stays callable by its own name.
    Registering a name twice is a programming error and raises `ValueError`.
    """

    def register(name: str) -> Callable[[F], F]:
        def decorate(func: F) -> F:
            if name in table:
                raise ValueError(f"方法名重复：{name} / method registered twice: {name}")
            table[name] = func
            return func

        return decorate

    return register


def lookup(
    table: dict[str, Callable[..., object]], name: str, kind: tuple[str, str]
) -> Callable[..., object]:
    """The function registered under ``name``; ``kind`` = (Chinese, English) family name.

    Raises `ValueError` naming the family and the known methods when ``name`` is unknown.
    """
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table))
        zh, en = kind
        raise ValueError(
            f"未知的{zh}方法 {name!r}（可选：{known}）/ unknown {en} method {name!r} (choose from: {known})"
        ) from None
