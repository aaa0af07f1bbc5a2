"""What every command shares: a domain error anywhere exits 2 with its message."""

from tests._files import write
from tests.cli._invoke import invoke


def test_bad_input_exits_2_with_a_message(tmp_path):
    db = tmp_path / "c.db"
    result = invoke("evaluate", "--period", "2025x", "--db", db)
    assert result.exit_code == 2 and "2025x" in result.output
    result = invoke("import", "values", tmp_path / "missing.csv", "--db", db)
    assert result.exit_code == 2 and "file not found" in result.output
    plan = write(tmp_path / "p.yaml", "code: [oops\n")
    result = invoke("plan", plan)
    assert result.exit_code == 2 and "p.yaml:2" in result.output


def test_a_domain_error_in_any_command_exits_2_with_its_message():
    import typer
    from typer.testing import CliRunner

    from shequ.cli._common import ShequGroup, command_group
    from shequ.errors import PlanError

    group = command_group("a group")

    @group.command("fails")
    def fails() -> None:
        raise PlanError("方案有误 / bad plan")

    @group.command("works")
    def works() -> None:
        print("ok")

    assert isinstance(typer.main.get_command(group), ShequGroup)
    result = CliRunner().invoke(group, ["fails"])
    assert result.exit_code == 2 and "方案有误 / bad plan" in result.output
    assert CliRunner().invoke(group, ["works"]).output == "ok\n"


def test_a_bad_survey_form_given_to_an_import_exits_2(tmp_path):
    answers = write(tmp_path / "r.csv", "编号,社区编码,填写日期\nr1,A,2025-06-01\n")
    broken = write(tmp_path / "broken.xlsx", "not a workbook")
    result = invoke(
        "import", "responses", answers, "--instrument", broken, "--db", tmp_path / "x.db"
    )
    assert result.exit_code == 2 and "broken.xlsx" in result.output
