"""``shequ dhis2 map|ids|import``: a UID mapping file and a DHIS2 file through the API's code."""

import json

from shequ.store import values as store_values
from shequ.store.db import open_store
from tests._files import write
from tests.cli._invoke import UNITS, invoke


def test_map_then_import_a_uid_file_dry_run_first(tmp_path):
    db = tmp_path / "s.db"
    invoke("import", "orgunits", write(tmp_path / "u.csv", UNITS), "--db", db)
    mapping = write(
        tmp_path / "m.csv",
        "kind,uid,code\ndata_element,f7n9E0hX8qk,resident_population\norg_unit,DiszpKrYNg8,A\n"
        "category_option_combo,Ag60plusUID,age_60_plus\ncategory_option_combo,Ag0to59UID,age_0_59\n",
    )
    loaded = invoke("dhis2", "map", mapping, "--db", db)
    assert loaded.exit_code == 0 and "inserted 4" in loaded.output
    assert "f7n9E0hX8qk,resident_population" in invoke("dhis2", "ids", "--db", db).output
    payload = {
        "period": "2025",
        "orgUnit": "DiszpKrYNg8",
        "dataValues": [
            {"dataElement": "f7n9E0hX8qk", "categoryOptionCombo": "Ag60plusUID", "value": "300"},
            {"dataElement": "f7n9E0hX8qk", "categoryOptionCombo": "Ag0to59UID", "value": "700"},
        ],
    }
    file = write(tmp_path / "set.json", json.dumps(payload))
    dry = invoke("dhis2", "import", file, "--db", db, "--id-scheme", "UID", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert '"imported": 2' in dry.output
    with open_store(db).begin() as conn:
        assert store_values.read(conn).empty
    real = invoke("dhis2", "import", file, "--db", db, "--id-scheme", "UID")
    assert real.exit_code == 0 and '"imported": 2' in real.output
    with open_store(db).begin() as conn:
        total = store_values.read(conn)
    assert total["value"].tolist() == [1000.0]  # 300 + 700


def test_a_bad_mapping_row_is_named_and_nothing_loads(tmp_path):
    db = tmp_path / "s.db"
    invoke("init", "--db", db)
    mapping = write(tmp_path / "m.csv", "kind,uid,code\nindicator,abc,x\norg_unit,,A\n")
    result = invoke("dhis2", "map", mapping, "--db", db)
    assert result.exit_code == 2
    assert "row 2 kind: 'indicator'" in result.output and "row 3 uid: empty" in result.output
