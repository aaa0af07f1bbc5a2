"""``shequ voice …``, ``shequ survey …`` and the voice imports: exit codes (0 ok, 1 some rows quarantined, 2 nothing done) and output."""

from __future__ import annotations

from pathlib import Path

from tests._city import ORG_UNITS
from tests._files import write
from tests.cli._invoke import invoke


def test_import_classify_group_rates_and_feed(tmp_path: Path) -> None:
    db = tmp_path / "city.db"
    assert (
        invoke("import", "orgunits", write(tmp_path / "u.csv", ORG_UNITS), "--db", db).exit_code
        == 0
    )
    good = write(
        tmp_path / "s.csv",
        """
    编号,内容,渠道,社区编码,受理时间,答复时间
    c1,3号楼路灯不亮,热线,A,2025-03-03 09:00,2025-03-04 09:00
    c2,3号楼的路灯不亮！,表单,A,2025-03-03 10:00,
    c3,,表单,A,2025-03-03 10:00,
    """,
    )
    result = invoke("import", "suggestions", good, "--db", db)
    assert result.exit_code == 1 and "第4行 [text]" in result.output  # c3 quarantined
    result = invoke("voice", "classify", "--db", db)
    assert result.exit_code == 0 and "规则 rule 2" in result.output
    result = invoke("voice", "group", "--db", db)
    # c1 and c2: same block (3号楼), same problem -> one group of 2
    assert result.exit_code == 0 and "2 件 suggestions → 1 组 groups" in result.output
    result = invoke(
        "voice", "rates", "--period", "2025", "--level", "community", "--db", db, "--lang", "en"
    )
    # A: 2 received, c1 answered next day -> 50.0 %
    assert result.exit_code == 0 and "50.0%" in result.output
    assert invoke("voice", "feed", "--period", "2025", "--db", db).exit_code == 0
    assert invoke("voice", "rates", "--period", "20x5", "--db", db).exit_code == 2
    result = invoke("voice", "categories", "--period", "2025", "--db", db, "--lang", "en")
    assert result.exit_code == 0 and "lighting" in result.output


def test_survey_template_check_and_a_bad_form(tmp_path: Path) -> None:
    form = tmp_path / "form.xlsx"
    assert invoke("survey", "template", form).exit_code == 0
    result = invoke("survey", "check", form)
    assert result.exit_code == 0 and "resident_satisfaction" in result.output
    db = tmp_path / "s.db"
    invoke("import", "orgunits", write(tmp_path / "u.csv", ORG_UNITS), "--db", db)
    answers = write(
        tmp_path / "r.csv",
        """
    编号,社区编码,填写日期,age_group,overall_satisfaction,public_service_satisfaction,culture_satisfaction,safety_feeling,happiness,gain
    r1,A,2025-06-01,35_59,4,4,5,5,4,4
    r2,A,2025-06-01,35_59,4,4,2,3,4,4
    """,
    )
    assert invoke("import", "responses", answers, "--db", db).exit_code == 0
    result = invoke("survey", "rates", "--period", "2025", "--level", "community", "--db", db)
    # A: 1 of 2 satisfied = 50.0 %, flagged for fewer than 30 answers
    assert result.exit_code == 0 and "50.0%" in result.output and "少于30份" in result.output
    broken = write(tmp_path / "broken.xlsx", "not a workbook")
    assert invoke("survey", "check", broken).exit_code == 2


def test_attendance_without_a_key_does_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SHEQU_PSEUDONYM_KEY", raising=False)
    monkeypatch.setenv("SHEQU_PSEUDONYM_KEY_FILE", str(tmp_path / "absent.key"))
    sheet = write(tmp_path / "a.csv", "活动编号,活动类型,社区编码,活动日期,身份证号/手机号\n")
    result = invoke("import", "attendance", sheet, "--db", tmp_path / "x.db")
    assert result.exit_code == 2 and "keygen" in result.output
    key = tmp_path / "k.key"
    assert invoke("voice", "keygen", "--key-file", key).exit_code == 0 and key.exists()
