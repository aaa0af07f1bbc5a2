"""Conformance: `shequ survey check` over the 57 forms of pyxform's own test suite
(tests/voice/forms/pyxform, copied under pyxform's BSD licence).

Every form has a hand-worked expectation: ACCEPTED with checks that its features are
honoured (labels, logic, evaluation of its expressions on answers), REFUSED naming the
unsupported feature, or INVALID (the form is wrong for pyxform / ODK too) naming the cell.
Anything else is counted as wrong; the counts are printed and no form may be wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shequ.cli import app
from shequ.voice.surveys.xlsform import Instrument, SurveyAnswerError, load_instrument

CORPUS = Path(__file__).with_name("forms") / "pyxform"
runner = CliRunner()


def _q(form: Instrument, name: str):
    return form.question(name)


def _refuses(form: Instrument, answers: dict, question: str) -> bool:
    try:
        form.validate(answers)
    except SurveyAnswerError as exc:
        return question in [q for q, _, _ in exc.problems]
    return False


def _calculate(f: Instrument) -> bool:
    clean = f.validate({})
    # 2+2 = 4; the note is '' on both sides of '=', so the if() says 'success'
    return clean == {"calculate_test": "4", "calculate_test_2": "success"}


def _cascading(f: Instrument) -> bool:
    clean = f.validate(
        {
            "mylga_zone": "zone_2",
            "mylga_state_in_zone_2": "state_3",
            "mylga_lga_in_state_3": "lga_5",
        }
    )
    return (
        clean["mylga_state"] == "state_3"
        and clean["mylga"] == "lga_5"
        and _refuses(
            f, {"mylga_zone": "zone_1", "mylga_state_in_zone_2": "state_3"}, "mylga_state_in_zone_2"
        )
    )


def _choice_filter(f: Instrument) -> bool:
    # king exists twice in counties (allow_choice_duplicates): once for washington, once texas
    ok = f.validate({"state": "texas", "county": "king", "city": "dumont"})
    return ok["county"] == "king" and _refuses(f, {"state": "texas", "county": "pierce"}, "county")


def _or_other(f: Instrument) -> bool:
    clean = f.validate({"fav_color": "other", "fav_color_other": "teal"})
    # choice_filter "pastel=yes": unquoted, yes is an element name (an empty node-set) in
    # XPath, so, as in ODK Collect, the filter keeps no choice at all
    return clean["fav_color_other"] == "teal" and _refuses(
        f, {"fav_color": "red", "fav_pastel": "mauve"}, "fav_pastel"
    )


def _specify_other(f: Instrument) -> bool:  # "select one from sexes or specify other"
    return (
        _q(f, "sex").or_other and f.validate({"sex": "other", "sex_other": "x"})["sex"] == "other"
    )


def _tutorial(f: Instrument) -> bool:
    member = {
        "name": "Li",
        "sex": "female",
        "older_than_five": "yes",
        "age_in_years": "30",
        "literate": "yes",
        "pregnant": "no",
    }
    f.validate({"member": [member]})
    young = {"name": "Wu", "older_than_five": "no", "age_in_months": "80"}  # . <= 72
    return _refuses(f, {"member": [member, young]}, "member[2]/age_in_months")


def _repeat_count(f: Instrument) -> bool:  # repeat_count = ${repeat_count} = 1
    f.validate({"repeat_test": [{"table_list_3": "yes"}]})
    return _refuses(f, {"repeat_test": [{}, {}]}, "repeat_test")


def _spaces(f: Instrument) -> bool:  # bind:constraint not(selected(., 'c') and selected(., 'd'))
    f.validate({"my_select_all": "a c"})
    return _refuses(f, {"my_select_all": "c d"}, "my_select_all")


def _gps(f: Instrument) -> bool:
    return f.validate({"location": "30.66 104.06 500 5"})["location"] == "30.66 104.06 500 5" and (
        _refuses(f, {"location": "north"}, "location")
    )


ACCEPTED: dict[str, Callable[[Instrument], bool]] = {
    "bug_example_xls/ODKValidateWarnings.xlsx": lambda f: (
        _q(f, "phone_number").type == "phonenumber"
        and _q(f, "family_name").label_en == "What's your family name?"
    ),
    "bug_example_xls/badly_named_choices_sheet.xls": lambda f: (
        _q(f, "name").relevant == "${age} >= 18" and _refuses(f, {"age": "10", "name": "x"}, "name")
    ),
    "bug_example_xls/blank_second_row.xls": lambda f: [q.name for q in f.questions] == ["value"],
    "bug_example_xls/ict_survey_fails.xls": lambda f: _q(f, "internet_teach").list_name == "yes_no",
    "bug_example_xls/spaces_in_choices_header.xls": _spaces,
    "bug_example_xls/xl_date_ambiguous_v1.xlsx": lambda f: (
        _q(f, "current_date").default == "1900-01-01 00:00:00"
    ),
    "example_xls/allow_comment_rows_test.xls": lambda f: (
        _q(f, "farmer_name").label_en == "First and last name of farmer"
    ),
    "example_xls/calculate.xls": _calculate,
    "example_xls/cascading_select_test_equivalent.xls": _cascading,
    "example_xls/choice_filter_test.xlsx": _choice_filter,
    "example_xls/choice_name_same_as_select_name.xls": lambda f: (
        f.validate({"zone": "zone"}) == {"zone": "zone"}
    ),
    "example_xls/default_time_demo.xls": lambda f: (
        f.validate({"start_time": "09:30"}) == {"start_time": "09:30"}
    ),
    "example_xls/extra_columns.xlsx": lambda f: [q.name for q in f.questions] == ["a"],
    "example_xls/extra_sheet_names.xlsx": lambda f: len(f.notes) == 2,
    "example_xls/field-list.xlsx": lambda f: _q(f, "table_list_question").group == "name",
    "example_xls/gps.xls": _gps,
    "example_xls/group.xls": lambda f: _q(f, "age").group == "father",
    "example_xls/group.xlsx": lambda f: _q(f, "age").group == "father",
    "example_xls/hidden.xls": lambda f: _q(f, "hidden_test").type == "hidden",
    "example_xls/or_other.xlsx": _or_other,
    "example_xls/repeat_date_test.xls": _repeat_count,
    "example_xls/specify_other.xls": _specify_other,
    "example_xls/specify_other.xlsx": _specify_other,
    "example_xls/style_settings.xls": lambda f: (f.code, f.title) == ("new_id", "My Survey"),
    "example_xls/table-list.xls": lambda f: (
        f.validate({"happy_sad_brian": "happy sad"}) == {"happy_sad_brian": ["happy", "sad"]}
    ),
    "example_xls/text_and_integer.xls": lambda f: _refuses(f, {"your_age": "1.5"}, "your_age"),
    "example_xls/text_and_integer.xlsx": lambda f: _refuses(f, {"your_age": "x"}, "your_age"),
    "example_xls/tutorial.xls": _tutorial,
    "example_xls/xml_escaping.xls": lambda f: f.validate({})["a"] == "2",
    "example_xls/yes_or_no_question.xls": lambda f: _q(f, "good_day").list_name == "yes_or_no",
    "example_xls/yes_or_no_question.xlsx": lambda f: _q(f, "good_day").list_name == "yes_or_no",
}
_ATTACH = ["`image` is not supported", "`audio` is not supported", "`video` is not supported"]
_KEY = "encrypted forms (public_key) is not supported"
REFUSED: dict[str, list[str]] = {
    "bug_example_xls/UCL_Biomass_Plot_Form.xlsx": [
        "survey!A16: shequ 不支持题型“select_one_from_file”",
        "survey!A23",
        "`image` is not supported",
        "survey!H9: relevant 无效",  # ${leader_name} = ‘other’: curly quotes are no XPath
    ],
    "bug_example_xls/calculate_without_calculation.xls": [*_ATTACH],  # and invalid: below
    "bug_example_xls/duplicate_columns.xlsx": [_KEY],  # and invalid: below
    "example_xls/attribute_columns_test.xlsx": [
        _KEY,
        "'bind::saveIncomplete' is not supported",
        "'instance::testAttribute'",
        "'body::bodyAttribute' is not supported",
        *_ATTACH,
    ],
    "example_xls/case_insensitivity.xls": [
        "the 'external_choices' sheet is not supported",
        "`select_one_external` is not supported",
        "`osm` is not supported",
    ],
    "example_xls/case_insensitivity.xlsx": [
        "the 'entities' sheet is not supported",
        "`select_one_external` is not supported",
    ],
    "example_xls/choice_name_as_type.xls": ["`select_one_external` is not supported"],
    "example_xls/flat_xlsform_test.xlsx": [_KEY, *_ATTACH],
    "example_xls/include.xls": ["unknown type 'include'"],
    "example_xls/include.xlsx": ["unknown type 'include'"],
    "example_xls/include_json.xls": ["unknown type 'include'"],
    "example_xls/include_json.xlsx": ["unknown type 'include'"],
    "example_xls/loop.xls": ["`begin loop` is not supported"],
    "example_xls/loop.xlsx": ["`begin loop` is not supported"],
    "example_xls/pull_data.xlsx": ["survey!D2", "the function pulldata() is not supported"],
    "example_xls/simple_loop.xls": ["`begin loop` is not supported"],
    "example_xls/sms_info.xls": ["`image` is not supported"],
    "example_xls/unknown_question_type.xls": [
        "unknown type 'set form title'",
        "`image` is not supported",
        "unknown type 'unknown'",
    ],
    "example_xls/widgets.xls": [*_ATTACH],
    "example_xls/xlsform_spec_test.xlsx": [_KEY, *_ATTACH],
}
# wrong for pyxform / ODK as well: refused with the cell and the reason
INVALID: dict[str, list[str]] = {
    "bug_example_xls/bad_calc.xlsx": ["survey!D2: calculation 无效", "not a valid XPath"],
    "example_xls/bad_calc.xlsx": ["survey!D2: calculation 无效", "not a valid XPath"],
    "bug_example_xls/calculate_without_calculation.xls": [
        "survey!A34: 计算题缺少 calculation"
    ],  # pyxform: "[row : 34] Missing calculation."
    "bug_example_xls/duplicate_columns.xlsx": ["survey!E1: 列名重复"],  # pyxform: duplicate
    "bug_example_xls/extra_columns.xls": ["survey!A19999", "unknown type 'party like it's 19999'"],
    "bug_example_xls/group_name_test.xls": ["survey!A3: 题目名为空"],  # pyxform: row 3, no name
    "bug_example_xls/xl_date_ambiguous.xlsx": ["survey!L5: choice_filter 无效"],  # label::x
    "example_xls/survey_no_name.xlsx": ["missing sheet 'survey'"],  # pyxform: invalid too
}


def _verdict(path: Path) -> tuple[str, str]:
    key = f"{path.parent.name}/{path.name}"
    result = runner.invoke(app, ["survey", "check", str(path)])
    output = " ".join(result.output.split())
    if key in ACCEPTED:
        if result.exit_code != 0:
            return "wrong", f"{key}: refused: {output[:300]}"
        if not ACCEPTED[key](load_instrument(path)):
            return "wrong", f"{key}: accepted but a feature is not honoured"
        return "accepted", key
    wanted = REFUSED.get(key, []) + INVALID.get(key, [])
    if not wanted:
        return "wrong", f"{key}: no expectation written for this form"
    missing = [w for w in wanted if " ".join(w.split()) not in output]
    if result.exit_code != 2 or missing:
        return "wrong", f"{key}: exit {result.exit_code}, not named: {missing}"
    return ("invalid" if key in INVALID else "refused"), key


def test_every_pyxform_form_is_accepted_honoured_or_refused_by_name(capsys) -> None:
    forms = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xls", ".xlsx"))
    assert len(forms) == 57
    verdicts = [_verdict(p) for p in forms]
    counts = {
        k: sum(1 for v, _ in verdicts if v == k)
        for k in ("accepted", "refused", "invalid", "wrong")
    }
    with capsys.disabled():
        print(
            f"\npyxform corpus: {len(forms)} forms — accepted {counts['accepted']}, refused by "
            f"name {counts['refused']}, refused as invalid {counts['invalid']}, wrong "
            f"{counts['wrong']}"
        )
    assert [why for v, why in verdicts if v == "wrong"] == []


@pytest.mark.parametrize("name", ["UCL_Biomass_Plot_Form.xlsx"])
def test_a_sheet_declaring_a_million_rows_checks_in_well_under_a_second(name: str) -> None:
    import time

    started = time.perf_counter()
    runner.invoke(app, ["survey", "check", str(CORPUS / "bug_example_xls" / name)])
    assert time.perf_counter() - started < 1.0
