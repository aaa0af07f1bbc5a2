"""The assembled ``shequ`` command: bilingual help listing every command."""

from tests.cli._invoke import invoke


def test_help_is_bilingual():
    result = invoke("--help")
    assert result.exit_code == 0
    assert "社区发展" in result.output and "community development" in result.output
    for command in ("init", "import", "evaluate", "demo", "plan"):
        assert command in result.output
