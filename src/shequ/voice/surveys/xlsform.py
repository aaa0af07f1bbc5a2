"""Questionnaires defined in a spreadsheet the way XLSForm does.

Sheet ``survey``: ``type`` (``select_one LIST``, ``select_multiple LIST``, ``integer``,
``decimal``, ``text``, ``date``, ``note``; ``begin group``/``end group`` are accepted and
ignored), ``name``, ``label::zh`` and ``label::en`` (``label`` alone is read as Chinese),
``required`` (yes/no) and ``relevance`` (an XLSForm expression, `relevance`). Sheet
``choices``: ``list_name``, ``name``, ``label::zh``, ``label::en``. Optional sheet
``settings``: ``form_id``, ``version``, ``form_title``, ``form_title::en``.

`load_instrument` checks the whole form and raises one `InstrumentError` listing every
problem with its sheet and cell (``survey!F7``): an unknown type, a repeated name, a
``select_one`` whose list is missing from ``choices``, a relevance expression that cannot
be parsed or names a question not asked before it.

`Instrument.validate` checks one set of answers (required, relevance, choices, numbers)
and raises `SurveyAnswerError` with every problem (question, reason in Chinese and English).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from ...errors import ShequError, VoiceError
from .relevance import Relevance, RelevanceError, parse

TYPES = ("select_one", "select_multiple", "integer", "decimal", "text", "date", "note")
GROUP_TYPES = ("begin group", "end group", "begin_group", "end_group")
DEFAULT_FILE = "resident_satisfaction.xlsx"


class InstrumentError(ShequError, ValueError):
    """A questionnaire definition is invalid; the message names each sheet and cell."""


class SurveyAnswerError(VoiceError):
    """Answers do not fit the questionnaire; ``problems`` lists (question, zh, en)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        text = (
            "；".join(f"{q}：{zh}" for q, zh, _ in problems)
            + " / "
            + "; ".join(f"{q}: {en}" for q, _, en in problems)
        )
        super().__init__(text, field=problems[0][0])


@dataclass(frozen=True)
class Choice:
    name: str
    label: str
    label_en: str


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: str
    label_en: str
    list_name: str | None = None
    required: bool = False
    relevance: str = ""
    cell: str = ""


@dataclass
class Instrument:
    """A questionnaire: settings, questions in order, and choice lists."""

    code: str
    version: str
    title: str
    title_en: str
    questions: list[Question]
    choices: dict[str, list[Choice]]
    _relevance: dict[str, Relevance] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        known: set[str] = set()
        for q in self.questions:
            if q.relevance:
                self._relevance[q.name] = parse(q.relevance, known)
            known.add(q.name)

    @property
    def answerable(self) -> list[Question]:
        return [q for q in self.questions if q.type != "note"]

    def question(self, name: str) -> Question:
        return {q.name: q for q in self.questions}[name]

    def choice_names(self, question: Question) -> dict[str, str]:
        """Choice name by name, Chinese label and English label (for files that use labels)."""
        out: dict[str, str] = {}
        for c in self.choices.get(question.list_name or "", []):
            for key in (c.name, c.label, c.label_en):
                out.setdefault(key.strip().lower(), c.name)
        return out

    def validate(self, answers: dict[str, object]) -> dict[str, object]:
        """Clean ``answers`` (question name → value) against the form, or raise
        `SurveyAnswerError` listing every problem. Empty values count as unanswered."""
        problems: list[tuple[str, str, str]] = []
        names = {q.name for q in self.answerable}
        for key in answers:
            if key not in names:
                problems.append((key, "问卷中没有这道题", "no such question in the form"))
        clean: dict[str, object] = {}
        for q in self.answerable:
            raw = answers.get(q.name)
            given = raw not in (None, "") and raw != []
            relevant = q.name not in self._relevance or self._relevance[q.name](clean)
            if not relevant:
                if given:
                    problems.append(
                        (q.name, "按跳题逻辑本题不应作答", "answered although not relevant")
                    )
                continue
            if not given:
                if q.required:
                    problems.append((q.name, "必答题未作答", "required but not answered"))
                continue
            value, problem = self._convert(q, raw)
            if problem:
                problems.append((q.name, *problem))
            else:
                clean[q.name] = value
        if problems:
            raise SurveyAnswerError(problems)
        return clean

    def _convert(self, q: Question, raw: object) -> tuple[object, tuple[str, str] | None]:
        if q.type in ("select_one", "select_multiple"):
            lookup = self.choice_names(q)
            parts = (
                raw
                if isinstance(raw, list | tuple)
                else (str(raw).split() if q.type == "select_multiple" else [raw])
            )
            names = [lookup.get(_text(p).lower()) for p in parts]
            if None in names:
                return None, (f"“{raw}”不是可选项", f"'{raw}' is not one of the choices")
            return (names[0] if q.type == "select_one" else names), None
        if q.type in ("integer", "decimal"):
            try:
                number = float(_text(raw))
            except ValueError:
                return None, (f"“{raw}”不是数值", f"'{raw}' is not a number")
            if q.type == "integer":
                if not number.is_integer():
                    return None, (f"“{raw}”应为整数", f"'{raw}' should be a whole number")
                return int(number), None
            return number, None
        if q.type == "date":
            value = raw if isinstance(raw, dt.date) else _date(_text(raw))
            if value is None:
                return None, (f"“{raw}”不是日期", f"'{raw}' is not a date")
            return value.isoformat(), None
        return _text(raw), None

    def to_json(self) -> str:
        """The definition as canonical JSON (computed once: forms are not changed after parsing)."""
        cached = self.__dict__.get("_json")
        if cached is None:
            data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
            cached = self.__dict__["_json"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return cached

    @classmethod
    def from_json(cls, text: str) -> Instrument:
        data = json.loads(text)
        data["questions"] = [Question(**q) for q in data["questions"]]
        data["choices"] = {k: [Choice(**c) for c in v] for k, v in data["choices"].items()}
        return cls(**data)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def default_instrument_path() -> Path:
    """The shipped resident-satisfaction questionnaire (XLSX)."""
    return Path(str(resources.files("shequ.voice.surveys") / DEFAULT_FILE))


def default_instrument() -> Instrument:
    return load_instrument(default_instrument_path())


# --- reading the workbook ------------------------------------------------------------------


def load_instrument(path: str | Path) -> Instrument:
    """Read and check an XLSForm-like workbook; raise `InstrumentError` naming each cell."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InstrumentError(
            f"{path.name}：无法打开问卷文件 / cannot open the form: {exc}"
        ) from None
    problems: list[str] = []
    sheets = {name.lower(): name for name in book.sheetnames}
    for needed in ("survey", "choices"):
        if needed not in sheets:
            problems.append(f"{path.name}: 缺少工作表“{needed}” / missing sheet '{needed}'")
    if problems:
        raise InstrumentError("\n".join(problems))

    def rows(sheet: str) -> list[dict[str, tuple[object, str]]]:
        ws = book[sheets[sheet]]
        data = list(ws.iter_rows(values_only=True))
        if not data:
            return []
        header = [_header(h) for h in data[0]]
        out = []
        for r, values in enumerate(data[1:], start=2):
            row = {
                h: (v, f"{sheets[sheet]}!{get_column_letter(c + 1)}{r}")
                for c, (h, v) in enumerate(zip(header, values, strict=False))
                if h
            }
            if any(_text(v) for v, _ in row.values() if v is not None):
                out.append(row)
        return out

    survey, choices_rows = rows("survey"), rows("choices")
    settings = rows("settings")[0] if "settings" in sheets and rows("settings") else {}
    book.close()
    choices = _choices(choices_rows, problems)
    questions = _questions(survey, choices, problems)
    if problems:
        raise InstrumentError(f"{path.name}:\n" + "\n".join(problems))

    def setting(key: str, default: str) -> str:
        value = settings.get(key, (None, ""))[0]
        return _text(value) if value not in (None, "") else default

    title = setting("form_title", path.stem)
    return Instrument(
        code=setting("form_id", path.stem),
        version=setting("version", "1"),
        title=title,
        title_en=setting("form_title::en", title),
        questions=questions,
        choices=choices,
    )


def _header(value: object) -> str:
    text = str(value or "").strip().lower().replace(" ", "")
    return {
        "label": "label::zh",
        "label::chinese": "label::zh",
        "label::中文": "label::zh",
        "label::english": "label::en",
        "list name": "list_name",
        "listname": "list_name",
    }.get(text, text)


def _cell(row: dict, key: str) -> tuple[str, str]:
    value, where = row.get(key, (None, ""))
    return ("" if value is None else _text(value)), where


def _choices(rows: list[dict], problems: list[str]) -> dict[str, list[Choice]]:
    out: dict[str, list[Choice]] = {}
    for row in rows:
        (list_name, where), (name, name_at) = _cell(row, "list_name"), _cell(row, "name")
        if not list_name or not name:
            problems.append(
                f"{where or name_at}: 选项缺少 list_name 或 name / a choice needs "
                "list_name and name"
            )
            continue
        label, _ = _cell(row, "label::zh")
        label_en, _ = _cell(row, "label::en")
        if any(c.name == name for c in out.get(list_name, [])):
            problems.append(
                f"{name_at}: 选项“{name}”在列表 {list_name} 中重复 / choice '{name}' "
                f"repeated in list {list_name}"
            )
        out.setdefault(list_name, []).append(Choice(name, label or name, label_en or label or name))
    return out


def _questions(rows: list[dict], choices: dict, problems: list[str]) -> list[Question]:
    out: list[Question] = []
    seen: set[str] = set()
    for row in rows:
        (kind, type_at), (name, name_at) = _cell(row, "type"), _cell(row, "name")
        if kind.lower() in GROUP_TYPES:
            continue
        base, _, list_name = kind.partition(" ")
        list_name = list_name.strip() or None
        if base not in TYPES:
            problems.append(f"{type_at}: 未知题型“{kind}” / unknown type '{kind}'")
            continue
        if base.startswith("select") and (list_name is None or list_name not in choices):
            problems.append(
                f"{type_at}: 选项列表“{list_name or ''}”在 choices 表中不存在 / "
                f"choice list '{list_name or ''}' is missing from the choices sheet"
            )
        if not name or name in seen:
            problems.append(
                f"{name_at or type_at}: 题目名为空或重复“{name}” / empty or repeated name '{name}'"
            )
        relevance, relevance_at = _cell(row, "relevance")
        if relevance:
            try:
                parse(relevance, seen)
            except RelevanceError as exc:
                problems.append(f"{relevance_at}: 跳题条件无效 / bad relevance: {exc}")
        required, _ = _cell(row, "required")
        label, _ = _cell(row, "label::zh")
        label_en, _ = _cell(row, "label::en")
        seen.add(name)
        out.append(
            Question(
                name,
                base,
                label or name,
                label_en or label or name,
                list_name,
                required.lower() in ("yes", "true", "1", "是"),
                relevance,
                name_at,
            )
        )
    return out
