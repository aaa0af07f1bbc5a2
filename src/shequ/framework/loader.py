"""Read plan YAML files into a `Plan`, with errors that name file, line and reason.

A plan file may extend another (``extends: national.yaml``, resolved next to the file or
among the built-in plans): its dimensions, data elements and indicators replace those of
the base with the same code, and its targets replace those with the same indicator,
scope and period. Built-in plans: ``national`` (the outline's national 2025 targets) and
``example_city`` (某市's targets over the national ones, the default for the demo).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import PlanError
from .expressions import ExpressionError, parse_expression
from .models import Plan

BUILTIN_PLANS = ("national", "example_city")
DEFAULT_PLAN = "example_city"
_KEYED_LISTS = {
    "dimensions": ("code",),
    "data_elements": ("code",),
    "indicators": ("code",),
    "targets": ("indicator", "scope", "period"),
    "actions": ("indicator", "dimension"),
    "facility_types": ("code",),
    "validation_rules": ("id",),
}


def load_plan(source: str | Path | None = None) -> Plan:
    """Load a plan from a YAML file path or a built-in name (default: ``example_city``)."""
    path = resolve_plan_path(source or DEFAULT_PLAN)
    data, lines = _read_with_bases(path, seen=())
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(_describe(exc, lines)) from None
    problems = list(_cross_reference_problems(plan, lines))
    if problems:
        raise PlanError("\n".join(problems))
    return plan


def plan_digest(plan: Plan) -> str:
    """A stable hash of a plan's content, recorded with every evaluation run."""
    return hashlib.sha256(plan.model_dump_json().encode()).hexdigest()[:16]


def resolve_plan_path(source: str | Path, *, relative_to: Path | None = None) -> Path:
    """Find a plan file: an existing path, a sibling of ``relative_to``, or a built-in."""
    candidate = Path(source)
    if relative_to is not None and not candidate.is_absolute():
        sibling = relative_to.parent / candidate
        if sibling.exists():
            return sibling
    if candidate.exists():
        return candidate
    name = candidate.name.removesuffix(".yaml")
    builtin = resources.files("shequ.framework") / "plans" / f"{name}.yaml"
    if builtin.is_file():
        return Path(str(builtin))
    msg = (
        f"找不到指标方案“{source}”（内置方案：{', '.join(BUILTIN_PLANS)}）/ plan '{source}' "
        f"not found (built-in plans: {', '.join(BUILTIN_PLANS)})"
    )
    raise PlanError(msg)


# --- reading YAML with line numbers -------------------------------------------------------

LineMap = dict[tuple[Any, ...], tuple[Path, int]]


def _read_with_bases(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], LineMap]:
    if path.resolve() in seen:
        raise PlanError(f"{path}: 方案循环继承 / plan extends itself in a cycle")
    data, lines = _read_yaml(path)
    base_name = data.pop("extends", None)
    if base_name is None:
        return data, lines
    base_path = resolve_plan_path(str(base_name), relative_to=path)
    base, base_lines = _read_with_bases(base_path, (*seen, path.resolve()))
    return _merge(base, base_lines, data, lines)


def _read_yaml(path: Path) -> tuple[dict[str, Any], LineMap]:
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise PlanError(f"{path}:{line}: YAML 语法错误 / YAML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError(f"{path}: 无法读取 / cannot read: {exc}") from None
    if not isinstance(node, yaml.MappingNode):
        raise PlanError(f"{path}:1: 方案文件应为映射 / a plan file must be a mapping")
    lines: LineMap = {}
    data = _to_python(node, (), path, lines, yaml.SafeLoader(""))
    problems = list(_duplicate_keys(data, lines))
    if problems:
        raise PlanError("\n".join(problems))
    return data, lines


def _to_python(
    node: yaml.Node, loc: tuple[Any, ...], path: Path, lines: LineMap, loader: yaml.SafeLoader
) -> Any:
    lines[loc] = (path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        return {
            key.value: _to_python(value, (*loc, key.value), path, lines, loader)
            for key, value in node.value
        }
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(v, (*loc, i), path, lines, loader) for i, v in enumerate(node.value)]
    return loader.construct_object(node)


def _duplicate_keys(data: dict[str, Any], lines: LineMap) -> Iterator[str]:
    for name, key_fields in _KEYED_LISTS.items():
        seen: set[tuple[str, ...]] = set()
        for i, item in enumerate(data.get(name) or []):
            if not isinstance(item, dict):
                continue
            key = tuple(str(item.get(f)) for f in key_fields)
            if key in seen:
                shown = "/".join(k for k in key if k != "None")
                yield f"{_where(lines, (name, i))}: {name} 重复 {shown} / duplicate {shown}"
            seen.add(key)


def _merge(
    base: dict[str, Any], base_lines: LineMap, over: dict[str, Any], over_lines: LineMap
) -> tuple[dict[str, Any], LineMap]:
    merged = {**base, **{k: v for k, v in over.items() if k not in _KEYED_LISTS}}
    lines: LineMap = {k: v for k, v in base_lines.items() if not k or k[0] not in _KEYED_LISTS}
    lines.update({k: v for k, v in over_lines.items() if not k or k[0] not in _KEYED_LISTS})
    for name, key_fields in _KEYED_LISTS.items():
        entries: dict[tuple[Any, ...], tuple[Any, LineMap, tuple[Any, ...]]] = {}
        for source, src_lines in ((base, base_lines), (over, over_lines)):
            for i, item in enumerate(source.get(name) or []):
                key = tuple(str(item.get(f)) if isinstance(item, dict) else i for f in key_fields)
                entries[key] = (item, src_lines, (name, i))
        merged[name] = [item for item, _, _ in entries.values()]
        for new_i, (_, src_lines, old_loc) in enumerate(entries.values()):
            for loc, where in src_lines.items():
                if loc[:2] == old_loc:
                    lines[(name, new_i, *loc[2:])] = where
    return merged, lines


# --- error messages -----------------------------------------------------------------------


def _where(lines: LineMap, loc: tuple[Any, ...]) -> str:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            path, line = lines[loc[:end]]
            return f"{path}:{line}"
    return "?"


def _describe(exc: ValidationError, lines: LineMap) -> str:
    out = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        field = ".".join(str(p) for p in loc)
        reason = error["msg"].removeprefix("Value error, ")
        out.append(f"{_where(lines, loc)}: {field}: {reason}")
    return "\n".join(out)


def _cross_reference_problems(plan: Plan, lines: LineMap) -> Iterator[str]:
    dimensions = {d.code for d in plan.dimensions}
    elements = {e.code for e in plan.data_elements}
    indicators = {i.code for i in plan.indicators}
    for i, ind in enumerate(plan.indicators):
        where = _where(lines, ("indicators", i))
        if ind.dimension not in dimensions:
            yield (
                f"{where}: 指标 {ind.code} 的维度“{ind.dimension}”未定义 / indicator {ind.code}: "
                f"unknown dimension '{ind.dimension}'"
            )
        for field in ("numerator", "denominator"):
            text = getattr(ind, field)
            try:
                if text is not None:
                    parse_expression(text, elements)
            except ExpressionError as exc:
                yield f"{_where(lines, ('indicators', i, field))}: 指标 {ind.code}.{field}: {exc}"
    yield from _composite_problems(plan, lines, dimensions, indicators)
    yield from _validation_problems(plan, lines, elements)
    for i, category in enumerate(plan.voice.taxonomy):
        if category.dimension not in dimensions:
            yield (
                f"{_where(lines, ('voice', 'taxonomy', i))}: 类别 {category.code} 的维度"
                f"“{category.dimension}”未定义 / category {category.code}: unknown dimension "
                f"'{category.dimension}'"
            )
    for i, target in enumerate(plan.targets):
        if target.indicator not in indicators:
            yield (
                f"{_where(lines, ('targets', i))}: 目标引用了未定义的指标“{target.indicator}” / "
                f"target names undefined indicator '{target.indicator}'"
            )


def _composite_problems(
    plan: Plan, lines: LineMap, dimensions: set[str], indicators: set[str]
) -> Iterator[str]:
    settings = plan.composite
    where = _where(lines, ("composite",))
    named = {
        "indicators": set(settings.indicators or ()) - indicators,
        "indicator_weights": set(settings.indicator_weights) - indicators,
        "dimension_weights": set(settings.dimension_weights) - dimensions,
        "ahp.items": set(settings.ahp.items if settings.ahp else ()) - dimensions,
        "peer_size/peer_area": {settings.peer_size, settings.peer_area}
        - {e.code for e in plan.data_elements},
    }
    for field, unknown in named.items():
        if unknown:
            shown = ", ".join(sorted(unknown))
            yield f"{where}: composite.{field}: 未定义的编码 {shown} / unknown codes {shown}"
    needs_ahp = settings.dimension_weighting in ("ahp", "combined")
    if needs_ahp and settings.ahp is None:
        yield f"{where}: composite.ahp: 需要 AHP 判断矩阵 / dimension weighting needs an ahp matrix"
    for i, rule in enumerate(plan.actions):
        if rule.indicator not in indicators | {None} or rule.dimension not in dimensions | {None}:
            yield f"{_where(lines, ('actions', i))}: 行动规则引用了未定义的指标或维度 / action names an unknown indicator or dimension"


def _validation_problems(plan: Plan, lines: LineMap, elements: set[str]) -> Iterator[str]:
    for i, rule in enumerate(plan.validation_rules):
        for field in ("left_side", "right_side"):
            try:
                parse_expression(getattr(rule, field), elements)
            except ExpressionError as exc:
                where = _where(lines, ("validation_rules", i, field))
                yield f"{where}: 校验规则 {rule.id}.{field}: {exc}"
    outliers = plan.outliers
    named = set(outliers.data_elements or ()) | {b.data_element for b in outliers.bounds}
    unknown = sorted(named - elements)
    if unknown:
        shown = ", ".join(unknown)
        yield (
            f"{_where(lines, ('outliers',))}: outliers: 未定义的数据元素 {shown} / unknown data "
            f"elements {shown}"
        )
