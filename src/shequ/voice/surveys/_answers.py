"""One response checked against a form's logic, for `xlsform.Instrument.validate`.

Order of work, per section (the form, or one instance of a repeat), in form order: a
question inside a non-relevant group, or whose own ``relevant`` is false, takes no answer
(given one: refused by name) and counts as empty for the expressions after it; a
calculation is computed (a given value that differs is refused); an unanswered question is
checked against ``required``; an answer is converted to its type (choices limited by
``choice_filter``); then, with every answer of the section known, the calculations that
refer forward are computed and each ``constraint`` is checked with ``.`` = the answer.
"""

from __future__ import annotations

import json
import math
from collections import ChainMap

from ._convert import convert, plain
from ._functions import NodeSet, number, string
from ._parts import range_parameters
from .expressions import Scope, parse

Problem = tuple[str, str, str]


def _given(raw: object) -> bool:
    if raw is None or raw == "" or raw == []:
        return False
    return not (isinstance(raw, float) and math.isnan(raw))


def _node(value: object) -> object:
    """A clean value as XForms holds it: text (a list of choices joined by spaces)."""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return string(value)


class Logic:
    """The parsed expressions and the section layout of one form."""

    def __init__(self, form):

        self.form = form
        self.groups = {g.path: g for g in form.groups}
        self.expr = {}
        order = {q.name: i for i, q in enumerate(form.questions)}
        self.forward: set[str] = set()
        for q in form.questions:
            for column in ("relevant", "constraint", "calculation", "choice_filter", "required_if"):
                source = getattr(q, column)
                if source:
                    found = parse(source, choice_filter=column == "choice_filter")
                    self.expr[(q.name, column)] = found
                    if column == "calculation" and any(
                        order.get(r, -1) > order[q.name] for r in found.refs
                    ):
                        self.forward.add(q.name)
        for g in form.groups:
            for column in ("relevant", "repeat_count"):
                if getattr(g, column):
                    self.expr[(g.path, column)] = parse(getattr(g, column))
        self.ranges = {
            q.name: range_parameters(q.parameters) for q in form.questions if q.type == "range"
        }
        self.items: dict[str, list] = {}
        placed: set[str] = set()
        for q in form.questions:
            for g in self._chain(q.group):
                if g.repeat and g.path not in placed:
                    placed.add(g.path)
                    self.items.setdefault(self._section_of(_parent(g.path)), []).append(g)
            self.items.setdefault(self._section_of(q.group), []).append(q)
        self.lookups: dict[str, dict[str, str]] = {}
        self.names = {q.name for q in form.importable} | {g.name for g in form.groups if g.repeat}

    def _chain(self, path: str) -> list:
        parts = path.split("/") if path else []
        return [self.groups["/".join(parts[: i + 1])] for i in range(len(parts))]

    def _section_of(self, path: str) -> str:
        repeats = [g.path for g in self._chain(path) if g.repeat]
        return repeats[-1] if repeats else ""

    def _groups_ok(self, path: str, section: str, env) -> bool:
        for g in self._chain(path):
            rule = self.expr.get((g.path, "relevant")) if len(g.path) > len(section) else None
            if rule is not None and not rule.truth(self._scope(env)):
                return False
        return True

    def _scope(self, env, current: object = "", choice=None) -> Scope:
        return Scope(env, current, choice or {}, self._label)

    def _label(self, question: str, value: str) -> str:
        q = {x.name: x for x in self.form.questions}.get(question)
        if q is None:
            return value
        for c in self.form.choices_of(q):
            if c.name == value:
                return c.label
        return value

    def check(self, answers: dict) -> tuple[dict, list[Problem]]:
        problems: list[Problem] = []
        for key in answers:
            if key not in self.names:
                problems.append((key, "问卷中没有这道题", "no such question in the form"))
        clean: dict = {}
        self._section("", answers, ChainMap(), clean, problems, "")
        return clean, problems

    def _section(self, section, given, outer, clean, problems, prefix) -> None:
        local: dict = {}
        # answers not yet checked, as given: what a relevance referring forward sees
        provisional = {
            k: _node(v)
            for k, v in given.items()
            if _given(v)
            and not isinstance(v, dict)
            and not (isinstance(v, list) and v and isinstance(v[0], dict))
        }
        env = ChainMap(local, provisional, outer)
        later: list = []
        for item in self.items.get(section, []):
            if hasattr(item, "repeat"):
                self._repeat(item, given, env, local, clean, problems, prefix)
            else:
                self._question(item, section, given, env, local, clean, problems, prefix, later)
        for q in later:
            name = prefix + q.name
            if q.name in self.forward:
                value = self.expr[(q.name, "calculation")].text(self._scope(env))
                local[q.name] = value
                if value:
                    clean[q.name] = value
                else:
                    clean.pop(q.name, None)
                continue
            scope = self._scope(env, local.get(q.name, ""))
            if not self.expr[(q.name, "constraint")].truth(scope):
                problems.append(
                    (
                        name,
                        q.constraint_message or f"不满足约束条件 {q.constraint}",
                        q.constraint_message_en
                        or q.constraint_message
                        or f"does not satisfy the constraint {q.constraint}",
                    )
                )

    def _repeat(self, g, given, env, local, clean, problems, prefix) -> None:
        raw = given.get(g.name)
        instances = raw
        if isinstance(raw, str):
            try:
                instances = json.loads(raw) if raw.strip() else []
            except ValueError:
                instances = None
        if not _given(raw):
            instances = []
        if not isinstance(instances, list) or not all(isinstance(i, dict) for i in instances):
            problems.append(
                (
                    prefix + g.name,
                    "重复组的答案应为列表（每次一组答案）",
                    "a repeat takes a list of answer sets, one per instance",
                )
            )
            return
        section = self._section_of(_parent(g.path))
        if not self._groups_ok(g.path, section, env):
            if instances:
                problems.append(
                    (prefix + g.name, "按跳题逻辑本组不应作答", "answered although not relevant")
                )
            return
        if (g.path, "repeat_count") in self.expr:
            wanted = number(self.expr[(g.path, "repeat_count")].value(self._scope(env)))
            if not math.isnan(wanted) and len(instances) != int(wanted):
                problems.append(
                    (
                        prefix + g.name,
                        f"应填 {int(wanted)} 次，实际 {len(instances)} 次",
                        f"expected {int(wanted)} instances, got {len(instances)}",
                    )
                )
        inside = {i.name for i in self.items.get(g.path, [])}
        done = []
        for n, instance in enumerate(instances, start=1):
            where = f"{prefix}{g.name}[{n}]/"
            for key in instance:
                if key not in inside:
                    problems.append(
                        (where + key, "本重复组中没有这道题", "no such question in this repeat")
                    )
            out: dict = {}
            self._section(g.path, instance, env, out, problems, where)
            done.append(out)
        if done:
            clean[g.name] = done
        for name in inside:
            local[name] = NodeSet(_node(d[name]) for d in done if name in d)

    def _question(self, q, section, given, env, local, clean, problems, prefix, later) -> None:
        name = prefix + q.name
        raw = given.get(q.name)
        is_given = _given(raw)
        if q.type == "note":
            if is_given:
                problems.append((name, "本题为说明，不作答", "a note takes no answer"))
            return
        relevant = self._groups_ok(q.group, section, env) and (
            (q.name, "relevant") not in self.expr
            or self.expr[(q.name, "relevant")].truth(self._scope(env))
        )
        if not relevant:
            local[q.name] = ""
            if is_given:
                problems.append((name, "按跳题逻辑本题不应作答", "answered although not relevant"))
            return
        if q.calculation and (q.type == "calculate" or not is_given):
            value = self.expr[(q.name, "calculation")].text(self._scope(env))
            if q.type == "calculate":
                if q.name in self.forward:
                    later.append(q)
                elif is_given and not _same(raw, value):
                    problems.append(
                        (
                            name,
                            f"给出的“{plain(raw)}”与计算结果“{value}”不同",
                            f"given '{plain(raw)}' but the form calculates '{value}'",
                        )
                    )
                if value and q.name not in self.forward:
                    clean[q.name] = local[q.name] = value
                return
            raw, is_given = value, value != ""
        if not is_given:
            local[q.name] = ""
            required = q.required or (
                (q.name, "required_if") in self.expr
                and self.expr[(q.name, "required_if")].truth(self._scope(env))
            )
            if required:
                problems.append(
                    (
                        name,
                        q.required_message or "必答题未作答",
                        q.required_message_en or q.required_message or "required but not answered",
                    )
                )
            return
        value, problem = self._convert(q, raw, env)
        if problem:
            local[q.name] = ""
            problems.append((name, *problem))
            return
        clean[q.name] = value
        local[q.name] = _node(value)
        if q.constraint:
            later.append(q)

    def _convert(self, q, raw, env) -> tuple[object, tuple[str, str] | None]:
        kind = q.type
        if kind in ("select_one", "select_multiple"):
            lookup = self.lookups.get(q.name)
            if lookup is None:
                lookup = self._lookup(q, env)
            parts = (
                raw
                if isinstance(raw, list | tuple)
                else (str(plain(raw)).split() if kind == "select_multiple" else [raw])
            )
            names = [lookup.get(plain(p).lower()) for p in parts]
            if None in names or not names:
                return None, (
                    f"“{plain(raw)}”不是可选项",
                    f"'{plain(raw)}' is not one of the choices",
                )
            return (names[0] if kind == "select_one" else names), None
        return convert(q, raw, self.ranges.get(q.name))

    def _lookup(self, q, env) -> dict[str, str]:
        """Choice name by name or label (lower case), after the choice filter; kept when
        the question has no filter."""
        allowed = self.form.choices_of(q)
        rule = self.expr.get((q.name, "choice_filter"))
        if rule is not None:
            allowed = [
                c
                for c in allowed
                if (c.name == "other" and q.or_other)
                or rule.truth(
                    self._scope(env, choice={"name": c.name, "label": c.label, **c.columns})
                )
            ]
        lookup: dict[str, str] = {}
        for c in allowed:
            for key in (c.name, c.label, c.label_en):
                lookup.setdefault(key.strip().lower(), c.name)
        if rule is None:
            self.lookups[q.name] = lookup
        return lookup


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def _same(raw: object, value: str) -> bool:
    a, b = plain(raw), value
    if a == b:
        return True
    x, y = number(a), number(b)
    return not (math.isnan(x) or math.isnan(y)) and abs(x - y) <= 1e-9 * max(1, abs(y))
