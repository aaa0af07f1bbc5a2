"""DHIS2 dataValueSets in and out, as DHIS2's Web API writes them (JSON and CSV).

In: a dataValueSet (set-level ``period``/``orgUnit``/``attributeOptionCombo`` apply to
values that leave them out) becomes the long import form with DHIS2's
``categoryOptionCombo`` (``default`` when absent), ``comment``, ``followup``,
``storedBy`` and ``deleted``, checked by the same rules as every file
(`shequ.ingest.values.check_values`) and written by the one audited writer
(`shequ.store.imports.write_values`) under DHIS2's ``importStrategy`` and ``dryRun``
(`shequ.ingest.dhis2_import`). Out: stored values (one per combo) as a dataValueSet
stating its id schemes.

Identifiers: ``idScheme`` / ``dataElementIdScheme`` / ``orgUnitIdScheme`` /
``categoryOptionComboIdScheme`` are ``CODE`` (shequ's own codes, the default) or ``UID``
(DHIS2's UIDs, translated by the mapping of `shequ.store.dhis2_ids`; ``ID`` is read as
``UID`` as DHIS2 does). Periods: DHIS2 writes ``2025``, ``2025Q3`` and ``202507``;
shequ writes the month ``2025-07``; other DHIS2 period types (``2026W27``, ``2026S1``)
are refused as periods shequ does not support.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import sheets
from ..errors import ImportFileError
from ..store.tables.core import DEFAULT_COMBO

_DHIS2_MONTH = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")
COLUMNS = [
    "data_element",
    "org_unit",
    "period",
    "category_option_combo",
    "value",
    "comment",
    "followup",
    "stored_by",
    "deleted",
    "attribute_option_combo",
]
SCHEMES = {"CODE": "CODE", "UID": "UID", "ID": "UID"}
STRATEGIES = {
    "CREATE_AND_UPDATE": "CREATE_AND_UPDATE",
    "NEW_AND_UPDATES": "CREATE_AND_UPDATE",
    "CREATE": "CREATE",
    "NEW": "CREATE",
    "UPDATE": "UPDATE",
    "UPDATES": "UPDATE",
    "DELETE": "DELETE",
    "DELETES": "DELETE",
}
_SCHEME_PARAMS = {
    "data_element": "dataElementIdScheme",
    "org_unit": "orgUnitIdScheme",
    "category_option_combo": "categoryOptionComboIdScheme",
}
# DHIS2's CSV header names → ours (DHIS2 writes "catoptcombo", "lastupd"/"lastupdated")
_CSV = {
    "dataelement": "data_element",
    "period": "period",
    "orgunit": "org_unit",
    "catoptcombo": "category_option_combo",
    "categoryoptioncombo": "category_option_combo",
    "attroptcombo": "attribute_option_combo",
    "attributeoptioncombo": "attribute_option_combo",
    "value": "value",
    "storedby": "stored_by",
    "comment": "comment",
    "followup": "followup",
    "deleted": "deleted",
}
_CSV_IGNORED = {"lastupd", "lastupdated", "created"}  # set by the receiving system


@dataclass(frozen=True)
class Options:
    """DHIS2 import/export options: id scheme per kind, import strategy, dry run."""

    schemes: dict[str, str] = field(default_factory=lambda: dict.fromkeys(_SCHEME_PARAMS, "CODE"))
    strategy: str = "CREATE_AND_UPDATE"
    dry_run: bool = False

    def public(self) -> dict[str, Any]:
        """The options as DHIS2 names them (echoed in summaries and exports)."""
        return {
            "idSchemes": {_SCHEME_PARAMS[k]: v for k, v in self.schemes.items()},
            "importStrategy": self.strategy,
            "dryRun": self.dry_run,
        }


def _truth(value: object) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def _choice(value: object, table: dict[str, str], name: str) -> str:
    key = str(value).strip().upper()
    if key not in table:
        allowed = ", ".join(sorted(set(table.values())))
        msg = (
            f"{name}={value} 不受 shequ 支持（可用：{allowed}）/ {name}={value} is not "
            f"supported by shequ (supported: {allowed})"
        )
        raise ImportFileError(msg)
    return table[key]


def options_from(params: dict[str, Any], payload: dict[str, Any] | None = None) -> Options:
    """Options from query parameters, then a dataValueSet's own ``idScheme`` attributes
    (the parameter wins). An unsupported scheme or strategy is refused by name."""
    given = {
        **{k: v for k, v in (payload or {}).items() if k.endswith("IdScheme") or k == "idScheme"},
        **params,
    }
    general = given.get("idScheme")
    schemes = {}
    for kind, param in _SCHEME_PARAMS.items():
        raw = given.get(param) or general or "CODE"
        schemes[kind] = _choice(raw, SCHEMES, param if given.get(param) else "idScheme")
    strategy = _choice(
        given.get("importStrategy") or "CREATE_AND_UPDATE", STRATEGIES, "importStrategy"
    )
    return Options(schemes, strategy, _truth(given.get("dryRun", False)))


def period_in(dhis2: str) -> str:
    """A DHIS2 period code as shequ writes it (``202507`` → ``2025-07``)."""
    text = str(dhis2).strip()
    found = _DHIS2_MONTH.match(text)
    return f"{found.group(1)}-{found.group(2)}" if found else text


def period_out(code: str) -> str:
    """A shequ period code as DHIS2 writes it (``2025-07`` → ``202507``)."""
    return code.replace("-", "") if len(code) == 7 and code[4] == "-" else code


def _cell(value: object) -> str:
    """A JSON value as the text of a cell: JSON ``true`` stays ``true`` (not Python's
    ``True``), null is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_data_value_set(payload: dict[str, Any]) -> pd.DataFrame:
    """The raw cells of a JSON dataValueSet in the long import form (`COLUMNS`)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("dataValues", []), list):
        msg = "不是 DHIS2 dataValueSet（缺少 dataValues 列表）/ not a DHIS2 dataValueSet (no dataValues list)"
        raise ImportFileError(msg)
    rows = []
    for item in payload.get("dataValues") or []:
        item = item if isinstance(item, dict) else {}
        rows.append(
            {
                "data_element": _cell(item.get("dataElement")),
                "org_unit": _cell(item.get("orgUnit", payload.get("orgUnit"))),
                "period": period_in(_cell(item.get("period", payload.get("period")))),
                "category_option_combo": _cell(item.get("categoryOptionCombo")) or DEFAULT_COMBO,
                "value": _cell(item.get("value")),
                "comment": _cell(item.get("comment")) or None,
                "followup": _truth(item.get("followup", False)),
                "stored_by": _cell(item.get("storedBy")) or None,
                "deleted": _truth(item.get("deleted", False)),
                "attribute_option_combo": _cell(
                    item.get("attributeOptionCombo", payload.get("attributeOptionCombo"))
                ),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)


def from_csv(text: str) -> pd.DataFrame:
    """The raw cells of a DHIS2 CSV data value set (header row as DHIS2 writes it)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower().replace("_", "") for h in next(reader, [])]
    unknown = [h for h in header if h not in _CSV and h not in _CSV_IGNORED]
    if "dataelement" not in header or unknown:
        msg = (
            f"DHIS2 CSV 表头无法识别：{', '.join(unknown) or '缺少 dataelement'} / DHIS2 CSV "
            f"header not understood: {', '.join(unknown) or 'no dataelement column'} (expected "
            "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,lastupdated,"
            "comment,followup,deleted)"
        )
        raise ImportFileError(msg)
    values = [
        {
            "dataElement": "",
            **{_json_name(h): v for h, v in zip(header, row, strict=False) if h in _CSV},
        }
        for row in reader
        if any(c.strip() for c in row)
    ]
    return from_data_value_set({"dataValues": values})


def _json_name(header: str) -> str:
    return {
        "dataelement": "dataElement",
        "orgunit": "orgUnit",
        "catoptcombo": "categoryOptionCombo",
        "categoryoptioncombo": "categoryOptionCombo",
        "attroptcombo": "attributeOptionCombo",
        "attributeoptioncombo": "attributeOptionCombo",
        "storedby": "storedBy",
    }.get(header, header)


def _value_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def to_data_value_set(frame: pd.DataFrame, options: Options) -> dict[str, Any]:
    """Stored values (detail rows, ids already in ``options``' schemes) as a dataValueSet
    that names its id schemes."""
    out = []
    for r in frame.itertuples(index=False):
        value = {
            "dataElement": r.data_element,
            "period": period_out(r.period),
            "orgUnit": r.org_unit,
            "categoryOptionCombo": r.category_option_combo,
            "value": _value_text(r.value),
            "storedBy": r.stored_by or r.updated_by,
            "lastUpdated": pd.Timestamp(r.updated_at).isoformat(timespec="seconds"),
            "followup": bool(r.followup),
        }
        if isinstance(r.comment, str) and r.comment:
            value["comment"] = r.comment
        out.append(value)
    schemes = options.public()["idSchemes"]
    scheme = next(iter(set(schemes.values()))) if len(set(schemes.values())) == 1 else "MIXED"
    return {"idScheme": scheme, **schemes, "dataValues": out}


def to_csv(frame: pd.DataFrame, options: Options) -> str:
    """The same values as DHIS2's CSV data value set."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "dataelement",
            "period",
            "orgunit",
            "catoptcombo",
            "attroptcombo",
            "value",
            "storedby",
            "lastupdated",
            "comment",
            "followup",
            "deleted",
        ]
    )
    for v in to_data_value_set(frame, options)["dataValues"]:
        writer.writerow(
            sheets.safe_row(
                [
                    v["dataElement"],
                    v["period"],
                    v["orgUnit"],
                    v["categoryOptionCombo"],
                    "",
                    v["value"],
                    v["storedBy"],
                    v["lastUpdated"],
                    v.get("comment", ""),
                    str(v["followup"]).lower(),
                    "false",
                ]
            )
        )
    return buffer.getvalue()
