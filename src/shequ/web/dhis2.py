"""DHIS2 dataValueSets JSON: our data values in and out, so DHIS2 users can move data.

DHIS2 writes periods ``2025`` (yearly), ``2025Q3`` (quarterly) and ``202507`` (monthly);
shequ writes the month as ``2025-07``. Values are strings in DHIS2 and numbers here. Data
elements and org units are matched by code (``idScheme=code``).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

_DHIS2_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


def period_in(dhis2: str) -> str:
    """A DHIS2 period code as shequ writes it (``202507`` → ``2025-07``)."""
    text = str(dhis2).strip()
    found = _DHIS2_MONTH.match(text)
    return f"{found.group(1)}-{found.group(2)}" if found else text


def period_out(code: str) -> str:
    """A shequ period code as DHIS2 writes it (``2025-07`` → ``202507``)."""
    return code.replace("-", "") if len(code) == 7 and code[4] == "-" else code


def _value_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def to_data_value_set(frame: pd.DataFrame) -> dict[str, Any]:
    """Stored values (data_element, org_unit, period, value) as a dataValueSet."""
    return {
        "dataValues": [
            {
                "dataElement": r.data_element,
                "period": period_out(r.period),
                "orgUnit": r.org_unit,
                "value": _value_text(r.value),
            }
            for r in frame.itertuples(index=False)
        ]
    }


def from_data_value_set(payload: dict[str, Any]) -> pd.DataFrame:
    """The raw cells of a dataValueSet in the long import form (line = position + 1).

    Set-level ``period`` / ``orgUnit`` apply to values that leave them out, as in DHIS2.
    """
    rows = []
    for item in payload.get("dataValues") or []:
        rows.append(
            {
                "data_element": item.get("dataElement", ""),
                "org_unit": item.get("orgUnit", payload.get("orgUnit", "")),
                "period": period_in(item.get("period", payload.get("period", ""))),
                "value": "" if item.get("value") is None else str(item.get("value")),
            }
        )
    return pd.DataFrame(rows, columns=["data_element", "org_unit", "period", "value"], dtype=object)


def import_summary(
    counts: dict[str, int], problems: list[dict[str, Any]], total: int
) -> dict[str, Any]:
    """A DHIS2-style import summary: status, counts and one conflict per problem."""
    return {
        "status": "ERROR" if problems else "SUCCESS",
        "importCount": {
            "imported": counts.get("inserted", 0),
            "updated": counts.get("updated", 0),
            "ignored": total - counts.get("inserted", 0) - counts.get("updated", 0),
            "deleted": 0,
        },
        "conflicts": [
            {
                "object": p["column"],
                "value": f"{p['reason_zh']} / {p['reason_en']}",
                "index": p["cell"],
            }
            for p in problems
        ],
    }
