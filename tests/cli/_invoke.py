"""Running the ``shequ`` command in tests, and the small tree most CLI tests import."""

from typer.testing import CliRunner

from shequ.cli import app

runner = CliRunner()

UNITS = (
    "code,name,parent_code,level\nC,示范市,,市\nS,一街道,C,街道\nA,甲社区,S,社区\nB,乙社区,S,社区\n"
)


def invoke(*args: object):
    """``shequ ARGS…`` (each argument as text); the result has exit_code and output."""
    return runner.invoke(app, [str(a) for a in args])
