"""The analyst's Excel workbook: every unit's indicator values, one sheet per level.

Sheets: 说明 (cover: unit, period, plan, run, status counts, sections left out and why),
one sheet per level of the subtree (the unit's own level first; a row per unit, a column
per indicator, values as numbers filled with their status colour), 达标状态 (the same grid
for every unit, holding status labels, so that filtering by status works), 综合排名 (the
direct sub-units' composite ranking) and 指标说明 (definitions and targets).

A missing value is an empty cell — never 0, never a dash — so that Excel's sums, averages
and charts skip it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .. import sheets
from ..framework import labels
from ..framework.levels import LEVEL_ORDER
from ..framework.models import Indicator, Plan, Target
from .context import ReportContext

TEXT = labels.by_language("xlsx")
SECTIONS = labels.section("xlsx_sections")
FILLS = {s: PatternFill("solid", fgColor="FF" + c) for s, c in labels.STATUS_COLOUR.items()}
HEADER_FILL = PatternFill("solid", fgColor="FFDDEBF7")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def write_xlsx(context: ReportContext, path: str | Path, *, lang: str = "zh") -> Path:
    """Write the workbook of ``context`` to ``path`` (Chinese, or English with lang="en")."""
    t = TEXT[lang]
    rows = pd.concat([context.indicators, context.subunits], ignore_index=True)
    book = Workbook()
    _cover(book.active, context, t, lang)
    for level, frame in _by_level(rows, context.level):
        sheet = book.create_sheet(level_name(level, lang))
        _grid(sheet, frame, context.plan, t, lang)
    _grid(book.create_sheet(t["status_sheet"]), rows, context.plan, t, lang, statuses=True)
    _rankings(book.create_sheet(t["ranking_sheet"]), context, t, lang)
    _definitions(book.create_sheet(t["definitions_sheet"]), context.plan, t, lang)
    sheets.safe_workbook(book)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def level_name(level: str, lang: str) -> str:
    """A level's sheet name: 市, 区（县）, ... or City, District, ..."""
    name = labels.pick(labels.LEVEL.get(level, (level, level)), lang)
    return name[:1].upper() + name[1:]


def indicator_header(indicator: Indicator, lang: str) -> str:
    """An indicator's column header: its name with its unit, e.g. 人均居住面积 (m²/人)."""
    name = indicator.name if lang == "zh" else indicator.name_en
    unit = indicator.unit if lang == "zh" else indicator.unit_en
    return f"{name} ({unit})" if unit else name


def number_format(decimals: int) -> str:
    return "#,##0" if decimals <= 0 else "#,##0." + "0" * decimals


def _by_level(rows: pd.DataFrame, own: str) -> list[tuple[str, pd.DataFrame]]:
    """The rows of each level, the unit's own level first, then down the tree."""
    depth = rows.groupby("level")["depth"].min()
    order = sorted(depth.index, key=lambda lv: (lv != own, depth[lv], LEVEL_ORDER.get(lv, 99)))
    return [(level, rows[rows["level"] == level]) for level in order]


def _grid(
    sheet: Worksheet,
    rows: pd.DataFrame,
    plan: Plan,
    t: dict[str, str],
    lang: str,
    *,
    statuses: bool = False,
) -> None:
    """A row per unit, a column per indicator: values (or, with statuses, status labels)."""
    fixed = [t["code"], t["name"], t["parent"]] + ([t["level"]] if statuses else [])
    _header(sheet, fixed + [indicator_header(i, lang) for i in plan.indicators])
    units = rows.drop_duplicates("org_unit")
    cells = {
        (u, i): (v, s)
        for u, i, v, s in zip(
            rows["org_unit"], rows["indicator"], rows["value"], rows["status"], strict=True
        )
    }
    for r, unit in enumerate(units.itertuples(index=False), start=2):
        sheet.cell(r, 1, str(unit.org_unit))
        sheet.cell(r, 2, str(unit.org_unit_name))
        sheet.cell(r, 3, _text(unit.parent_code))
        if statuses:
            sheet.cell(r, 4, level_name(unit.level, lang))
        for c, indicator in enumerate(plan.indicators, start=len(fixed) + 1):
            found = cells.get((unit.org_unit, indicator.code))
            if found is None:
                continue  # no result row at all: an empty cell
            value, status = found
            cell = sheet.cell(r, c)
            if statuses:
                cell.value = labels.pick(labels.STATUS.get(status, (status, status)), lang)
            elif _number(value) is not None:
                cell.value = _number(value)
                cell.number_format = number_format(indicator.decimals)
            if status in FILLS:
                cell.fill = FILLS[status]
    names = [_display_width(str(n)) for n in units["org_unit_name"]]
    widths = [14, max([8, *names]) + 2, 14] + ([12] if statuses else [])
    for indicator in plan.indicators:  # headers wrap onto two or three lines
        widths.append(min(max(_display_width(indicator_header(indicator, lang)) / 2, 10), 20) + 2)
    _finish(sheet, widths, freeze="C2", header_height=48)


def _rankings(sheet: Worksheet, context: ReportContext, t: dict[str, str], lang: str) -> None:
    """The direct sub-units' composite ranking, or why there is none."""
    frame = context.rankings
    if not context.has("rankings") or frame.empty:
        reason = context.missing.get("rankings", ("无排名", "no ranking"))
        sheet["A1"] = labels.pick(reason, lang)
        sheet.column_dimensions["A"].width = 80
        return
    keys = ["rank", "code", "name", "score", "low", "high", "coordination", "coordination_class"]
    _header(sheet, [t[k] for k in keys])
    formats = {1: "0", 4: "0.0", 5: "0", 6: "0", 7: "0.000"}
    for r, row in enumerate(frame.itertuples(index=False), start=2):
        klass = row.coordination_class
        values = [
            _number(row.rank, whole=True),
            str(row.org_unit),
            _text(row.org_unit_name),
            _number(row.score),
            _number(row.rank_low, whole=True),
            _number(row.rank_high, whole=True),
            _number(row.coordination),
            labels.pick(labels.COORDINATION[klass], lang)
            if klass in labels.COORDINATION
            else _text(klass),
        ]
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(r, c, value)
            if c in formats and value is not None:
                cell.number_format = formats[c]
    _finish(sheet, [8, 14, 16, 12, 14, 14, 14, 22], freeze="D2", header_height=32)


def _definitions(sheet: Worksheet, plan: Plan, t: dict[str, str], lang: str) -> None:
    """Every indicator with its definition; a row per target (one row when it has none)."""
    keys = ["code", "indicator", "dimension", "unit_label", "direction", "definition"]
    keys += ["target", "target_value", "target_period", "applies_to", "source"]
    _header(sheet, [t[k] for k in keys])
    zh = lang == "zh"
    r = 2
    for indicator in plan.indicators:
        dimension = plan.dimension(indicator.dimension)
        common = [
            indicator.code,
            indicator.name if zh else indicator.name_en,
            dimension.name if zh else dimension.name_en,
            indicator.unit if zh else indicator.unit_en,
            t[indicator.direction],
            indicator.definition if zh else indicator.definition_en,
        ]
        targets = [x for x in plan.targets if x.indicator == indicator.code] or [None]
        for target in targets:
            extra = [None] * 5
            if target is not None:
                extra = [
                    _target_text(target, indicator, t, lang),
                    target.value,
                    target.period,
                    _applies_to(target, t, lang),
                    target.source or None,
                ]
            for c, value in enumerate(common + extra, start=1):
                cell = sheet.cell(r, c, value)
                cell.alignment = WRAP
            r += 1
    _finish(sheet, [28, 22, 12, 12, 12, 60, 22, 10, 10, 16, 50], freeze="C2", header_height=20)


def _cover(sheet: Worksheet, context: ReportContext, t: dict[str, str], lang: str) -> None:
    """What the workbook covers, how many targets are met, and what is left out and why."""
    sheet.title = t["cover"]
    plan = context.plan
    sheet["A1"] = t["title"].format(name=context.unit_name, period=context.period)
    sheet["A1"].font = Font(bold=True, size=14)
    created = context.run_created
    run = f"#{context.run_id}" + (f" ({created:%Y-%m-%d %H:%M})" if created else "")
    facts: list[tuple[str, object]] = [
        (t["unit"], f"{context.unit_name} ({context.unit})"),
        (t["level"], level_name(context.level, lang)),
        (t["period"], context.period),
        (t["plan"], plan.name if lang == "zh" else plan.name_en),
        (t["run"], run),
        (t["generated"], context.generated),
    ]
    r = 3
    for key, value in facts:
        sheet.cell(r, 1, key).font = BOLD
        cell = sheet.cell(r, 2, value)
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"
        cell.alignment = Alignment(horizontal="left")
        r += 1
    r += 1
    for status, count in context.status_counts().items():
        label = labels.pick(labels.STATUS[status], lang)
        key = sheet.cell(r, 1, t["count"].format(status=label))
        key.font, key.fill = BOLD, FILLS[status]  # the counts double as the colour legend
        sheet.cell(r, 2, count).alignment = Alignment(horizontal="left")
        r += 1
    sheet.cell(r, 1, t["blank"])
    r += 2
    if context.missing:
        sheet.cell(r, 1, t["left_out"]).font = BOLD
        r += 1
        for section, reason in context.missing.items():
            sheet.cell(r, 1, labels.pick(SECTIONS.get(section, (section, section)), lang))
            sheet.cell(r, 2, labels.pick(reason, lang)).alignment = WRAP
            r += 1
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90


def _target_text(target: Target, indicator: Indicator, t: dict[str, str], lang: str) -> str:
    if target.comparator == "reduce_by":
        value = labels.number(target.value, 0 if target.value.is_integer() else 1)
        return t["reduce_by"].format(value=value, baseline=target.baseline_period)
    shown = labels.target_text(target.comparator, target.value, indicator.decimals)
    unit = indicator.unit if lang == "zh" else indicator.unit_en
    return f"{shown} {unit}".strip()


def _applies_to(target: Target, t: dict[str, str], lang: str) -> str:
    parts = []
    if target.scope:
        parts.append(t["scope"].format(scope=target.scope))
    if target.level:
        parts.append(level_name(target.level, lang))
    return ", ".join(parts) or t["all_units"]


def _header(sheet: Worksheet, names: list[str]) -> None:
    for c, name in enumerate(names, start=1):
        cell = sheet.cell(1, c, name)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _finish(sheet: Worksheet, widths: list[float], *, freeze: str, header_height: float) -> None:
    """Column widths, frozen header row and key columns, and an auto filter."""
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    sheet.row_dimensions[1].height = header_height
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"


def _number(value: object, *, whole: bool = False) -> float | int | None:
    """A numeric cell value; None (an empty cell) for a missing one, never 0."""
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return int(number) if whole and number.is_integer() else number


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _display_width(text: str) -> int:
    """Approximate column characters: CJK and full-width characters count twice."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)
