"""Running the ``shequ`` command in tests, and the small tree most CLI tests import."""

from typer.testing import CliRunner

from shequ.cli import app
from tests._files import write

runner = CliRunner()

UNITS = (
    "code,name,parent_code,level\nC,示范市,,市\nS,一街道,C,街道\nA,甲社区,S,社区\nB,乙社区,S,社区\n"
)


def invoke(*args: object):
    """``shequ ARGS…`` (each argument as text); the result has exit_code and output."""
    return runner.invoke(app, [str(a) for a in args])


def two_communities(tmp_path):
    """Communities A and B with living area and participation for 2025 (store path)."""
    db = tmp_path / "c.db"
    invoke("import", "orgunits", write(tmp_path / "u.csv", UNITS), "--db", db)
    # only living area (1 of the 3 infrastructure indicators) and participation have data
    values = write(
        tmp_path / "v.csv",
        """
        org_unit,period,常住人口,住宅建筑面积,adult_population,participants
        A,2025,1000,50000,1000,600
        B,2025,1000,30000,1000,900
    """,
    )
    assert invoke("import", "values", values, "--db", db).exit_code == 0
    return db
