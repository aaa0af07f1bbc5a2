"""Questionnaires defined in a spreadsheet as XLSForm (the spec at xlsform.org, as pyxform
reads it) defines them; `.xlsx`, `.xlsm` and `.xls` files.

Sheet ``survey``: ``type``, ``name``, ``label`` and ``hint`` (plain, or per language:
``label::English (en)``, ``label::中文 (zh)``, ``label::zh``; shequ shows Chinese, else the
default language, and English), ``required`` (yes/no or an expression) with
``required_message``, ``relevant``, ``constraint`` with ``constraint_message``,
``calculation``, ``choice_filter``, ``default``, ``appearance``, ``parameters`` (for
``range``), ``repeat_count``. Types: see `_types.SUPPORTED` — answered questions,
``note``, ``calculate``, ``hidden``, metadata (``start``, ``end``, ``today``,
``deviceid``, ``username`` …), ``select_one LIST [or_other]``, groups and repeats (begin /
end). Sheet ``choices`` (optional when no select needs it): ``list_name``, ``name``,
``label``…, and any other column for ``choice_filter``. Sheet ``settings``: ``form_id``,
``version``, ``form_title``, ``default_language``. The old shequ column ``relevance`` is
read as ``relevant`` with a deprecation note.

`load_instrument` checks the whole form and raises one `InstrumentError` listing every
problem with its sheet and cell (``survey!F7``); whatever shequ cannot honour is refused by
name (a type, a column, a function, an XPath path), never dropped. Columns with no effect
on the data (unknown to XLSForm) are listed in `Instrument.notes`.

`Instrument.validate` checks one set of answers against the form's logic (relevance,
required, choices and their filter, types, constraints, calculations, repeats) and raises
`SurveyAnswerError` with every problem (question, reason in Chinese and English).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path

from ...errors import ShequError, VoiceError
from . import _types
from ._parts import Choice, Group, Question

TYPES = _types.SUPPORTED
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


@dataclass
class Instrument:
    """A questionnaire: settings, questions in order, choice lists, groups and repeats."""

    code: str
    version: str
    title: str
    title_en: str
    questions: list[Question]
    choices: dict[str, list[Choice]]
    groups: list[Group] = field(default_factory=list)
    default_language: str = ""
    notes: list[str] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        from ._answers import Logic

        self._logic = Logic(self)

    @property
    def answerable(self) -> list[Question]:
        """The questions a person answers (not notes, calculations or metadata)."""
        return [q for q in self.questions if q.type in _types.ANSWERED]

    @property
    def importable(self) -> list[Question]:
        """Every question that can carry a value in a file of responses."""
        return [q for q in self.questions if q.type != "note"]

    def question(self, name: str) -> Question:
        return {q.name: q for q in self.questions}[name]

    def choice_names(self, question: Question) -> dict[str, str]:
        """Choice name by name, Chinese label and English label (for files that use labels)."""
        out: dict[str, str] = {}
        for c in self.choices_of(question):
            for key in (c.name, c.label, c.label_en):
                out.setdefault(key.strip().lower(), c.name)
        return out

    def choices_of(self, question: Question) -> list[Choice]:
        """The choices of a select question, with ``other`` when it says ``or_other``."""
        found = list(self.choices.get(question.list_name or "", []))
        if question.or_other and not any(c.name == "other" for c in found):
            found.append(Choice("other", "其他", "Other"))
        return found

    def validate(self, answers: dict[str, object]) -> dict[str, object]:
        """Clean ``answers`` (question name → value; a repeat's name → a list of such
        dicts) against the form, or raise `SurveyAnswerError` listing every problem.
        Empty values count as unanswered; calculations are computed and stored."""
        clean, problems = self._logic.check(answers)
        if problems:
            raise SurveyAnswerError(problems)
        return clean

    def logic_json(self, question: Question) -> str:
        """What the web form evaluates as the person types (`expressions.tree` data):
        the question's and its groups' ``relevant``, its ``constraint`` and message."""
        from .expressions import tree

        groups = {g.path: g for g in self.groups}
        parts = question.group.split("/") if question.group else []
        rules = [groups["/".join(parts[: i + 1])].relevant for i in range(len(parts))]
        relevant = [tree(r) for r in [*rules, question.relevant] if r]
        data = {
            "relevant": relevant,
            "constraint": tree(question.constraint) if question.constraint else None,
            "message": [
                question.constraint_message or f"不满足约束条件 {question.constraint}",
                question.constraint_message_en
                or question.constraint_message
                or f"does not satisfy the constraint {question.constraint}",
            ],
            "type": question.type,
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    def to_json(self) -> str:
        """The definition as canonical JSON (computed once: forms are not changed after parsing)."""
        cached = self.__dict__.get("_json")
        if cached is None:
            data = {k: v for k, v in asdict(self).items() if not k.startswith("_") and k != "notes"}
            cached = self.__dict__["_json"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
        return cached

    def same_definition(self, stored: str) -> bool:
        """Whether a stored JSON definition (maybe written by an older shequ) is this form."""
        return stored == self.to_json() or Instrument.from_json(stored).to_json() == self.to_json()

    @classmethod
    def from_json(cls, text: str) -> Instrument:
        data = json.loads(text)
        data["questions"] = [Question(**_known(Question, _renamed(q))) for q in data["questions"]]
        data["choices"] = {
            k: [Choice(**_known(Choice, c)) for c in v] for k, v in data["choices"].items()
        }
        data["groups"] = [Group(**_known(Group, g)) for g in data.get("groups", [])]
        return cls(**_known(cls, data))


def _renamed(question: dict) -> dict:
    """Definitions stored before shequ read ``relevant`` called it ``relevance``."""
    if "relevance" in question:
        question = {**question, "relevant": question.get("relevant") or question["relevance"]}
    return question


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def default_instrument_path() -> Path:
    """The shipped resident-satisfaction questionnaire (XLSX)."""
    return Path(str(resources.files("shequ.voice.surveys") / DEFAULT_FILE))


def default_instrument() -> Instrument:
    return load_instrument(default_instrument_path())


def load_instrument(path: str | Path) -> Instrument:
    """Read and check an XLSForm workbook; raise `InstrumentError` naming each cell.

    Costs one pass over the cells that hold values (a sheet declaring a million empty rows
    reads in milliseconds)."""
    from ._build import build
    from ._sheets import read_sheets

    path = Path(path)
    try:
        sheets = read_sheets(path)
    except Exception as exc:  # openpyxl / xlrd raise many kinds for a broken file
        kind = "xls" if path.suffix.lower() == ".xls" else "xlsx"
        raise InstrumentError(
            f"{path.name}：无法作为 {kind} 工作簿打开 / cannot open the form as an {kind} "
            f"workbook: {type(exc).__name__}: {exc}"
        ) from None
    built = build(sheets, path.name, InstrumentError)
    data = built.fields
    title = data["title"] or path.stem
    return Instrument(
        code=data["code"] or path.stem,
        version=data["version"] or "1",
        title=title,
        title_en=data["title_en"] or title,
        questions=data["questions"],
        choices=data["choices"],
        groups=data["groups"],
        default_language=data["default_language"],
        notes=built.notes,
    )
