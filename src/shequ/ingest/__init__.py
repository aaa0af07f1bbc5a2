"""Files in: the public pipeline every importer runs, and the org-unit and values importers.

`readers` reads CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX and vector layers into raw
cells; `cells` parses them (codes, levels, dates, periods); `report` collects every bad
row with its row, column and reason in Chinese and English and writes the quarantine CSV;
`pipeline.run_import` validates and loads the rest in one transaction (or nothing, with
``strict=True``) under one import batch. `orgunits.import_org_units` and
`values.import_values` are built on it, as are the importers of `shequ.spatial.imports`
and `shequ.voice.imports`.
"""

from . import cells as cells
from . import orgunits as orgunits
from . import pipeline as pipeline
from . import readers as readers
from . import report as report
from . import values as values
