"""Build a form from its sheets: every row checked, every problem listed with its cell.

`build` turns the ``survey`` / ``choices`` / ``settings`` sheets into the keyword arguments
of `xlsform.Instrument` and a list of notes (what was read but has no effect, and
deprecations), or raises `xlsform.InstrumentError` listing every problem at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import _types as vocab
from ._columns import TRANSLATED, YES, Columns, binding, choices, settings, texts
from ._parts import Group, Question, range_parameters
from .expressions import ExpressionError, parse, references

_NAME = re.compile(r"^[^\W\d][\w.\-]*$")
SUPPORTED_TEXT = ", ".join(vocab.SUPPORTED)


@dataclass
class _Job:
    """An expression to check once every name is known."""

    cell: str
    source: str
    column: str
    known: set[str] | None
    choice_filter: bool = False


@dataclass
class Built:
    fields: dict
    notes: list[str] = field(default_factory=list)


def build(sheets: dict, file_name: str, error) -> Built:
    """Read the sheets (from `_sheets.read_sheets`); ``error`` is the exception class."""
    problems: list[str] = []
    notes: list[str] = []
    if "survey" not in sheets:
        raise error(f"{file_name}: 缺少工作表“survey” / missing sheet 'survey'")
    for name, sheet in sheets.items():
        if name in ("external_choices", "entities") and sheet.rows:
            problems.append(
                f"{sheet.title}: shequ 不支持工作表“{name}” / the '{name}' sheet is not "
                "supported by shequ"
            )
        elif name not in ("survey", "choices", "settings", "external_choices", "entities"):
            notes.append(
                f"{sheet.title}: 不是 XLSForm 工作表，已忽略 / not an XLSForm sheet: ignored"
            )
    form_settings = settings(sheets.get("settings"), problems, notes)
    default_language = (
        vocab.language(form_settings.get("default_language", ""))
        if form_settings.get("default_language")
        else ""
    )
    lists = choices(sheets.get("choices"), default_language, form_settings, problems, notes)
    reader = _Survey(sheets["survey"], default_language, lists, problems, notes)
    reader.read()
    for job in reader.jobs:
        try:
            parse(job.source, job.known, choice_filter=job.choice_filter)
        except ExpressionError as exc:
            problems.append(f"{job.cell}: {job.column} 无效 / bad {job.column}: {exc}")
    if problems:
        raise error(f"{file_name}:\n" + "\n".join(problems))
    fields = {
        "code": form_settings.get("form_id") or form_settings.get("id_string") or "",
        "version": form_settings.get("version", ""),
        "title": form_settings.get("form_title") or form_settings.get("title") or "",
        "title_en": form_settings.get("form_title::en", ""),
        "questions": reader.questions,
        "choices": dict(lists),
        "groups": reader.groups,
        "default_language": default_language,
    }
    return Built(fields, notes)


class _Survey:
    def __init__(self, sheet, default_language, choices, problems, notes):
        self.sheet, self.choices, self.problems, self.notes = sheet, choices, problems, notes
        self.columns = Columns(sheet, default_language, notes, problems)
        self.questions: list = []
        self.groups: list = []
        self.jobs: list[_Job] = []
        self.names: set[str] = set()
        self.seen: set[str] = set()
        self.stack: list = []
        self._check_columns()

    def _check_columns(self) -> None:
        used: dict[str, str] = {}
        for raw in self.sheet.rows:
            for header, (_, cell) in raw.items():
                if header != "__row__":
                    used.setdefault(header, cell)
        for header, (base, _) in self.columns.keys.items():
            cell = used.get(header)
            if cell is None:
                continue
            root = base.partition("::")[0]
            if root in vocab.REFUSED_COLUMNS:
                zh, en = vocab.REFUSED_COLUMNS[root]
                self.problems.append(
                    f"{cell}: shequ 不支持列“{header}”（{zh}） / the column "
                    f"'{header}' is not supported by shequ ({en})"
                )
            elif base == "relevance":
                self.notes.append(
                    f"{cell}: 列“relevance”已过时，请改为“relevant” / the "
                    "column 'relevance' is deprecated: call it 'relevant'"
                )
            elif base not in vocab.SURVEY_COLUMNS and base not in TRANSLATED:
                self.notes.append(
                    f"{cell}: 列“{header}”不是 XLSForm 列，已忽略 / column "
                    f"'{header}' is not an XLSForm column: ignored"
                )

    @property
    def path(self) -> str:
        return "/".join(g.name for g in self.stack)

    def read(self) -> None:
        rows = [(self.columns.row(raw), raw["__row__"][1]) for raw in self.sheet.rows]
        for row, row_at in rows:
            self._row(row, row_at)
        for group in reversed(self.stack):
            self.problems.append(
                f"{group.cell}: 组“{group.name}”没有结束（缺 end group / end "
                f"repeat） / group '{group.name}' is never ended"
            )
        every = self.names
        for job in self.jobs:
            if job.known is None:
                job.known = every

    def _row(self, row: dict, row_at: str) -> None:

        kind, type_at = row.get("type", ("", row_at))
        name, name_at = row.get("name", ("", type_at))
        kind_key = " ".join(kind.lower().split())
        if not kind_key:
            if name or any(k.startswith("label") for k in row):
                self.problems.append(f"{type_at}: 缺少题型 / missing type")
            return
        if kind_key in vocab.GROUPS:
            self._group(vocab.GROUPS[kind_key], row, name, name_at or type_at, Group)
            return
        base, list_name, or_other = self._type(kind, kind_key, type_at)
        if base is None:
            return
        if base == "note" and not name:  # pyxform names unnamed notes
            name = "generated_note_name_" + re.sub(r"\D", "", type_at.rpartition("!")[2])
        if not self._name(name, name_at or type_at):
            return
        label, label_en, others = texts(row, "label", name)
        hint, hint_en, hint_others = texts(row, "hint")
        c_msg, c_msg_en, c_others = texts(row, "constraint_message")
        r_msg, r_msg_en, r_others = texts(row, "required_message")
        logic = self._logic(row, base, name, list_name, type_at)
        parameters = row.get("parameters", ("", ""))[0]
        if base == "range":
            self._range(parameters, row.get("parameters", ("", type_at))[1])
        question = Question(
            name,
            base,
            label,
            label_en,
            list_name,
            logic.pop("required"),
            logic.pop("relevant"),
            name_at,
            hint=hint,
            hint_en=hint_en,
            constraint_message=c_msg,
            constraint_message_en=c_msg_en,
            required_message=r_msg,
            required_message_en=r_msg_en,
            **logic,
            default=row.get("default", ("", ""))[0],
            appearance=row.get("appearance", ("", ""))[0],
            group=self.path,
            parameters=parameters,
            or_other=or_other,
            texts={**others, **hint_others, **c_others, **r_others},
        )
        self.questions.append(question)
        self.seen.add(name)
        if or_other:
            other = f"{name}_other"
            if self._name(other, name_at):
                self.questions.append(
                    Question(
                        other,
                        "text",
                        "请注明其他",
                        "Specify other",
                        None,
                        False,
                        f"selected(${{{name}}}, 'other')",
                        name_at,
                        group=self.path,
                    )
                )
                self.seen.add(other)

    def _logic(self, row: dict, base: str, name: str, list_name, type_at: str) -> dict:
        """The bind columns of a question, each expression queued for checking."""
        required_text, required_at = row.get("required", ("", ""))
        required = YES.get(required_text.lower())
        required_if = ""
        if required is None:
            required, required_if = False, required_text
            self._job(required_at, required_text, "required", None)
        relevant, relevant_at = binding(row.get("relevant", row.get("relevance", ("", ""))))
        self._job(relevant_at, relevant, "relevant", None)
        constraint, constraint_at = row.get("constraint", ("", ""))
        self._job(constraint_at, constraint, "constraint", None)
        calculation, calculation_at = row.get("calculation", ("", ""))
        if base == "calculate" and not calculation:
            self.problems.append(
                f"{type_at}: 计算题缺少 calculation / a calculate question needs a calculation"
            )
        if calculation and name in references(calculation):
            self.problems.append(
                f"{calculation_at}: 计算引用了本题自身 / the calculation refers to its own question"
            )
        self._job(calculation_at, calculation, "calculation", None)
        choice_filter, filter_at = row.get("choice_filter", ("", ""))
        if choice_filter and not list_name:
            self.problems.append(
                f"{filter_at}: 只有选择题可用 choice_filter / choice_filter needs a select question"
            )
        self._job(filter_at, choice_filter, "choice_filter", None, choice_filter=True)
        for key, (value, cell) in row.items():
            if key.partition("::")[0] in ("label", "hint") and "${" in value:
                self._job(cell, f"concat({_quoted_refs(value)})", key, None)
        return {
            "required": bool(required),
            "relevant": relevant,
            "required_if": required_if,
            "constraint": constraint,
            "calculation": calculation,
            "choice_filter": choice_filter,
        }

    def _type(self, kind: str, kind_key: str, at: str) -> tuple[str | None, str | None, bool]:
        legacy_other = kind_key.endswith(" or specify other")  # pyxform's old spelling
        if legacy_other:
            kind = kind.strip()[: -len(" or specify other")] + " or_other"
            kind_key = " ".join(kind.lower().split())
        words = kind_key.split(" ")
        for n in range(len(words), 0, -1):
            head = " ".join(words[:n])
            if head in vocab.REFUSED_TYPES:
                zh, en = vocab.REFUSED_TYPES[head]
                self.problems.append(
                    f"{at}: shequ 不支持题型“{head}”（{zh}） / `{head}` is not supported by "
                    f"shequ ({en}); supported types: {SUPPORTED_TEXT}"
                )
                return None, None, False
            if head in vocab.SELECT_ALIASES and n < len(words):
                rest = kind.split()[n:]
                or_other = len(rest) > 1 and rest[-1].lower() == "or_other"
                rest = rest[:-1] if or_other else rest
                if len(rest) != 1:
                    break
                list_name = rest[0]
                if list_name not in self.choices:
                    self.problems.append(
                        f"{at}: 选项列表“{list_name}”在 choices 表中不存在 / choice list "
                        f"'{list_name}' is missing from the choices sheet"
                    )
                return vocab.SELECT_ALIASES[head], list_name, or_other
        if kind_key in vocab.TYPE_ALIASES and kind_key not in vocab.SELECT_ALIASES:
            return vocab.TYPE_ALIASES[kind_key], None, False
        self.problems.append(
            f"{at}: 未知题型“{kind}” / unknown type '{kind}'; supported types: {SUPPORTED_TEXT}"
        )
        return None, None, False

    def _name(self, name: str, at: str) -> bool:
        if not name or name in self.names:
            self.problems.append(
                f"{at}: 题目名为空或重复“{name}” / empty or repeated name '{name}'"
            )
            return False
        if not _NAME.match(name):
            self.problems.append(
                f"{at}: 题目名“{name}”不是有效的名称（字母或下划线开头，只含"
                f"字母、数字、_ - .） / '{name}' is not a valid name"
            )
            return False
        self.names.add(name)
        return True

    def _group(self, kind: str, row: dict, name: str, at: str, group_class) -> None:
        if kind.startswith("end"):
            wanted = kind.split()[1]
            if not self.stack or self.stack[-1].repeat != (wanted == "repeat"):
                self.problems.append(f"{at}: 多余的 {kind} / {kind} without a matching begin")
                return
            self.stack.pop()
            return
        if not self._name(name, at):
            name = ""  # reported; still opened, so that its end matches
        label, label_en, _ = texts(row, "label", name)
        relevant, relevant_at = binding(row.get("relevant", row.get("relevance", ("", ""))))
        self._job(relevant_at, relevant, "relevant", None)
        count, count_at = row.get("repeat_count", ("", ""))
        self._job(count_at, count, "repeat_count", None)
        group = group_class(
            name,
            label,
            label_en,
            f"{self.path}/{name}".strip("/"),
            kind == "begin repeat",
            relevant,
            count,
            row.get("appearance", ("", ""))[0],
            at,
        )
        self.groups.append(group)
        self.stack.append(group)

    def _job(self, cell: str, source: str, column: str, known, *, choice_filter=False) -> None:
        if source:
            self.jobs.append(_Job(cell, source, column, known, choice_filter))

    def _range(self, parameters: str, at: str) -> None:

        try:
            range_parameters(parameters)
        except ValueError as exc:
            self.problems.append(f"{at}: {exc}")


def _quoted_refs(text: str) -> str:
    """A label's ``${name}`` references as an expression that names each of them."""
    names = re.findall(r"\$\{([^}]*)\}", text)
    return ", ".join([*(f"${{{name}}}" for name in names), "''"])
