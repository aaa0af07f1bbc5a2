"""XLSForm as the spec defines it, on a KoboToolbox-style form written here: language
columns, relevant, constraint (+ message), required (+ message), calculation,
choice_filter, or_other, groups, repeats, metadata, settings; refusals by name with the
cell; the used range only; `survey check` exit codes; imports reporting row, column and
reason. Every expected value is worked out by hand in the comments."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from shequ.cli import app
from shequ.voice.surveys.xlsform import InstrumentError, SurveyAnswerError, load_instrument
from tests._city import ORG_UNITS
from tests._files import write

HEAD = (
    "type",
    "name",
    "label::English (en)",
    "label::中文 (zh)",
    "hint::English (en)",
    "required",
    "required_message::English (en)",
    "required_message::中文 (zh)",
    "relevant",
    "constraint",
    "constraint_message::English (en)",
    "constraint_message::中文 (zh)",
    "calculation",
    "choice_filter",
    "repeat_count",
)
SURVEY = [
    ("start", "start"),
    ("end", "end"),
    ("today", "today"),
    ("deviceid", "deviceid"),
    ("username", "username"),
    ("begin group", "household", "Household", "住户"),
    (
        "integer",
        "members",
        "Members",
        "家庭人数",
        "Everyone who sleeps here",
        "yes",
        "",
        "",
        "",
        ". >= 1 and . <= 20",
        "1 to 20 people",
        "人数应为1–20",
    ),
    ("select_one yesno", "has_children", "Children?", "有孩子吗", "", "yes"),
    (
        "integer",
        "children",
        "Children",
        "孩子人数",
        "",
        "yes",
        "How many children?",
        "请填孩子人数",
        "${has_children} = 'yes'",
        ". < ${members}",
        "fewer than members",
        "孩子应少于家庭人数",
    ),
    (
        "calculate",
        "adults",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "${members} - coalesce(${children}, 0)",
    ),
    ("end group",),
    ("select_one city", "city", "City", "城市"),
    (
        "select_one district",
        "district",
        "District",
        "区",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "city = ${city}",
    ),
    ("select_multiple services or_other", "services", "Services used", "用过的服务"),
    ("note", "thanks", "Thanks ${adults}", "谢谢"),
    (
        "begin repeat",
        "person",
        "Person",
        "成员",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "${members}",
    ),
    ("integer", "age", "Age", "年龄", "", "yes", "", "", "", ". <= 120"),
    ("end repeat",),
    ("calculate", "oldest", "", "", "", "", "", "", "", "", "", "", "max(${age})"),
]
CHOICES = [
    ("list_name", "name", "label::English (en)", "label::中文 (zh)", "city"),
    ("yesno", "yes", "Yes", "是", ""),
    ("yesno", "no", "No", "否", ""),
    ("city", "sh", "Shanghai", "上海", ""),
    ("city", "cd", "Chengdu", "成都", ""),
    ("district", "pudong", "Pudong", "浦东", "sh"),
    ("district", "jinjiang", "Jinjiang", "锦江", "cd"),
    ("services", "elderly", "Elderly care", "养老", ""),
    ("services", "clinic", "Clinic", "医疗", ""),
]
SETTINGS = [
    ("form_id", "version", "form_title", "default_language"),
    ("kobo_household", "2025.3", "住户调查", "中文 (zh)"),
]
GOOD = {
    "start": "2025-06-01T09:00:00+08:00",
    "deviceid": "enketo.example:abc",
    "members": "4",
    "has_children": "yes",
    "children": "1",
    "city": "sh",
    "district": "pudong",
    "services": "elderly other",
    "services_other": "library",
    "person": [{"age": "40"}, {"age": "38"}, {"age": "9"}, {"age": "70"}],
}


def _book(path: Path, sheets: dict[str, list[tuple]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def kobo(tmp_path: Path) -> Path:
    return _book(
        tmp_path / "kobo.xlsx",
        {"survey": [HEAD, *SURVEY], "choices": CHOICES, "settings": SETTINGS},
    )


def test_the_form_is_read_as_the_spec_says(kobo: Path) -> None:
    form = load_instrument(kobo)
    assert (form.code, form.version, form.title, form.default_language) == (
        "kobo_household",
        "2025.3",
        "住户调查",
        "zh",
    )
    assert form.notes == []
    q = {x.name: x for x in form.questions}
    # languages: 中文 is shown as the label, English as label_en (never the column name)
    assert (q["members"].label, q["members"].label_en) == ("家庭人数", "Members")
    assert q["members"].hint_en == "Everyone who sleeps here"
    assert q["children"].required_message == "请填孩子人数"
    assert q["children"].constraint_message_en == "fewer than members"
    # metadata are known types, not answered on the phone
    assert [x.type for x in form.questions[:5]] == ["start", "end", "today", "deviceid", "username"]
    assert "start" not in {x.name for x in form.answerable}
    # or_other: the list is "services" (not "services or_other"), a text question follows
    assert q["services"].list_name == "services" and q["services"].or_other
    assert q["services_other"].relevant == "selected(${services}, 'other')"
    assert q["children"].group == "household" and q["age"].group == "person"
    assert [(g.name, g.repeat) for g in form.groups] == [("household", False), ("person", True)]


def test_good_answers_are_cleaned_and_calculated(kobo: Path) -> None:
    clean = load_instrument(kobo).validate(GOOD)
    # adults = members 4 - children 1 = 3; oldest = max(40, 38, 9, 70) = 70
    assert clean["adults"] == "3" and clean["oldest"] == "70"
    assert clean["members"] == 4 and clean["services"] == ["elderly", "other"]
    assert clean["person"] == [{"age": 40}, {"age": 38}, {"age": 9}, {"age": 70}]
    assert clean["start"] == "2025-06-01T09:00:00+08:00"
    # no children: children is not relevant, coalesce('', 0) makes adults = members
    answers = {**GOOD, "has_children": "no"}
    del answers["children"]
    assert load_instrument(kobo).validate(answers)["adults"] == "4"


def _problems(form, answers) -> dict[str, tuple[str, str]]:
    with pytest.raises(SurveyAnswerError) as caught:
        form.validate(answers)
    return {q: (zh, en) for q, zh, en in caught.value.problems}


def test_relevance_required_constraint_filter_and_repeats_are_enforced(kobo: Path) -> None:
    form = load_instrument(kobo)
    # children answered although has_children = no
    found = _problems(form, {**GOOD, "has_children": "no"})
    assert found == {"children": ("按跳题逻辑本题不应作答", "answered although not relevant")}
    # required with its own message
    answers = dict(GOOD)
    del answers["children"]
    assert _problems(form, answers) == {"children": ("请填孩子人数", "How many children?")}
    # constraint ". < ${members}": 4 children in a household of 4 -> refused with its message
    assert _problems(form, {**GOOD, "children": "4"}) == {
        "children": ("孩子应少于家庭人数", "fewer than members")
    }
    # constraint ". >= 1 and . <= 20" on members = 25 (and the repeat count no longer fits)
    found = _problems(form, {**GOOD, "members": "25"})
    assert found["members"] == ("人数应为1–20", "1 to 20 people")
    assert found["person"][1] == "expected 25 instances, got 4"
    # choice_filter city = ${city}: Jinjiang is in Chengdu, not Shanghai
    assert "district" in _problems(form, {**GOOD, "district": "jinjiang"})
    # or_other text without choosing other
    assert _problems(form, {**GOOD, "services": "clinic"}) == {
        "services_other": ("按跳题逻辑本题不应作答", "answered although not relevant")
    }
    # an age of 130 in the second instance is named with its instance
    persons = [{"age": "40"}, {"age": "130"}, {"age": "9"}, {"age": "70"}]
    found = _problems(form, {**GOOD, "person": persons})
    assert list(found) == ["person[2]/age"]


def test_a_form_without_selects_needs_no_choices_sheet(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "f.xlsx",
        {"survey": [("type", "name", "label"), ("text", "name", "Name"), ("today", "today")]},
    )
    form = load_instrument(path)
    assert [q.name for q in form.questions] == ["name", "today"]


def test_what_shequ_cannot_do_is_refused_by_name_with_the_cell(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "f.xlsx",
        {
            "survey": [
                ("type", "name", "label", "relevant", "calculation", "bind::jr:preload"),
                ("select_one_from_file towns.csv", "town", "Town"),
                ("text", "a", "A", "${b} >> 3"),
                ("calculate", "b", "", "", "pulldata('f', 'c', 'k', ${a})"),
                ("geotrace", "path", "Path"),
                ("text", "c", "C", "../a = 'x'", "", "uid"),
            ]
        },
    )
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    text = str(caught.value)
    assert "survey!A2: shequ 不支持题型“select_one_from_file”" in text
    assert "`select_one_from_file` is not supported by shequ" in text
    assert "supported types: text, integer" in text
    assert "survey!D3: relevant 无效" in text and "not a valid XPath expression" in text
    assert "survey!E4" in text and "the function pulldata() is not supported by shequ" in text
    assert "survey!A5" in text and "`geotrace` is not supported" in text
    assert "survey!D6" in text and "path step" in text
    assert "survey!F6" in text and "'bind::jr:preload' is not supported by shequ" in text


def test_the_old_relevance_column_is_read_with_a_note(tmp_path: Path) -> None:
    path = _book(
        tmp_path / "f.xlsx",
        {
            "survey": [
                ("type", "name", "label", "relevance"),
                ("integer", "a", "A"),
                ("text", "b", "B", "${a} > 1"),
            ]
        },
    )
    form = load_instrument(path)
    assert form.question("b").relevant == "${a} > 1"
    assert any("relevance" in n and "deprecated" in n for n in form.notes)


def test_a_sheet_declaring_a_million_rows_is_checked_at_once(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    ws.title = "survey"
    for row in [("type", "name", "label"), ("text", "a", "A"), ("integer", "b", "B")]:
        ws.append(list(row))
    ws.cell(row=1_048_576, column=1_024).style = "Normal"  # an empty styled last cell
    ws.cell(row=1_048_576, column=1_024).number_format = "0.00"
    path = tmp_path / "big.xlsx"
    book.save(path)
    started = time.perf_counter()
    form = load_instrument(path)
    assert time.perf_counter() - started < 0.5
    assert [q.name for q in form.questions] == ["a", "b"]


runner = CliRunner()


def test_survey_check_exit_codes_and_import_problems(kobo: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["survey", "check", str(kobo)])
    assert result.exit_code == 0 and "kobo_household v2025.3" in result.output
    bad = _book(tmp_path / "bad.xlsx", {"survey": [("type", "name", "label"), ("rank", "r", "R")]})
    result = runner.invoke(app, ["survey", "check", str(bad)])
    assert result.exit_code == 2 and "`rank` is not supported by shequ" in result.output
    # an import reports row, column and reason for each constraint and required answer
    form = _book(
        tmp_path / "flat.xlsx",
        {
            "survey": [
                ("type", "name", "label", "required", "relevant", "constraint"),
                ("integer", "members", "Members", "yes", "", ". >= 1"),
                ("integer", "children", "Children", "yes", "${members} > 1", ". < ${members}"),
                ("start", "start"),
            ]
        },
    )
    db = tmp_path / "s.db"
    runner.invoke(
        app, ["import", "orgunits", str(write(tmp_path / "u.csv", ORG_UNITS)), "--db", str(db)]
    )
    answers = write(
        tmp_path / "r.csv",
        """
    编号,社区编码,填写日期,members,children,start
    r1,A,2025-06-01,3,1,2025-06-01T09:00:00
    r2,A,2025-06-01,0,,
    r3,A,2025-06-01,3,,
    r4,A,2025-06-01,3,5,
    """,
    )
    result = runner.invoke(
        app,
        [
            "import",
            "responses",
            str(answers),
            "--instrument",
            str(form),
            "--db",
            str(db),
            "--lang",
            "en",
        ],
    )
    out = " ".join(result.output.split())
    assert result.exit_code == 1, out
    assert "3 [members]" in out and "does not satisfy the constraint . >= 1" in out
    assert "4 [children]" in out and "required but not answered" in out
    assert "5 [children]" in out and "does not satisfy the constraint . < ${members}" in out


def test_the_web_form_gets_its_rules_as_data_and_old_definitions_still_match() -> None:
    import json

    from shequ.voice.surveys.xlsform import default_instrument

    form = default_instrument()
    logic = json.loads(form.logic_json(form.question("culture_reason")))
    assert logic["relevant"] == [
        {
            "t": "op",
            "v": "<=",
            "a": [{"t": "ref", "v": "culture_satisfaction"}, {"t": "num", "v": 2.0}],
        }
    ]
    logic = json.loads(form.logic_json(form.question("comments")))
    assert logic["constraint"]["a"][0] == {"t": "fn", "v": "string-length", "a": [{"t": "self"}]}
    assert logic["message"] == ["请控制在200字以内", "200 characters at most"]
    # a definition stored by the shequ that called relevant "relevance" is the same form
    old = json.loads(form.to_json())
    old.pop("groups")
    for q in old["questions"]:
        q["relevance"] = q.pop("relevant")
        for key in [k for k, v in q.items() if v in ("", False, {})]:  # fields added since
            if key not in ("name", "type", "label", "label_en", "required", "relevance", "cell"):
                q.pop(key)
    assert form.same_definition(json.dumps(old, ensure_ascii=False))
