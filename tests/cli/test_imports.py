"""``shequ import …``: exit codes scripts can trust (0 ok, 1 some rows quarantined, 2 nothing
done) and the evaluation of what was imported."""

import pandas as pd

from tests._files import write
from tests.cli._invoke import UNITS, invoke


def test_import_and_evaluate_exit_codes_and_output(tmp_path):
    db = tmp_path / "c.db"
    assert invoke("init", "--db", db).exit_code == 0
    units = write(tmp_path / "u.csv", UNITS)
    assert invoke("import", "orgunits", units, "--db", db).exit_code == 0
    good = write(
        tmp_path / "v.csv",
        "org_unit,period,常住人口,住宅建筑面积\nA,2025,1000,50000\nB,2025,1000,30000\n",
    )
    assert invoke("import", "values", good, "--db", db).exit_code == 0
    partial = write(tmp_path / "p.csv", "org_unit,period,常住人口\nA,2024,10\nNOPE,2024,5\n")
    result = invoke("import", "values", partial, "--db", db, "--lang", "en")
    assert result.exit_code == 1 and "unknown org unit 'NOPE'" in result.output
    bad = write(tmp_path / "b.csv", "org_unit,period,常住人口\nNOPE,2024,5\n")
    result = invoke("import", "values", bad, "--db", db)
    assert result.exit_code == 2 and "未知的组织单位" in result.output
    out = tmp_path / "r.csv"
    result = invoke("evaluate", "--period", "2025", "--db", db, "--output", out)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype={"org_unit": str})
    required = [
        "indicator",
        "org_unit",
        "period",
        "value",
        "numerator",
        "denominator",
        "target",
        "status",
        "reporting_units",
        "expected_units",
    ]
    assert set(required) <= set(frame.columns)
    street = frame[(frame.indicator == "living_area_per_capita") & (frame.org_unit == "S")].iloc[0]
    # (50000 + 30000) / (1000 + 1000) = 40.0 -> ">= 40" met, both communities report
    assert (street.value, street.status, street.reporting_units) == (40.0, "met", 2)


def test_every_importer_of_the_table_is_a_command_in_its_order():
    from shequ.cli import imports

    names = [c.name for c in imports.import_app.registered_commands]
    assert names == [i.name for i in imports.IMPORTERS]
    assert names[:2] == ["orgunits", "values"] and len(names) == 10
    result = invoke("import", "--help")
    positions = [result.output.index(f" {name} ") for name in names]
    assert positions == sorted(positions)


def test_import_facilities_reads_the_plan_it_is_given(tmp_path):
    db = tmp_path / "c.db"
    invoke("import", "orgunits", write(tmp_path / "u.csv", UNITS), "--db", db)
    facilities = write(
        tmp_path / "f.csv",
        "code,type,name,lon,lat,org_unit\nF1,service_centre,一号中心,116.002,39.9052,A\n",
    )
    result = invoke("import", "facilities", facilities, "--plan", "example_city", "--db", db)
    assert result.exit_code == 0, result.output
