"""Files in: detection, parsing, validation, quarantine of bad rows, idempotent loads.

`orgunits.import_org_units` and `values.import_values` read CSV (UTF-8, UTF-8 with BOM,
GBK/GB18030) or XLSX, report every bad row with its row, column and reason in Chinese and
English, write those rows to a quarantine CSV beside the input, and load the rest in one
transaction (or nothing, with ``strict=True``).
"""

from . import orgunits as orgunits
from . import report as report
from . import values as values
