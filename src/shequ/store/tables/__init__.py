"""Every table of the store, one module per part of the system of record.

`core` holds the declarative `Base`, the column helpers (`utcnow`, `SINCE_EVER`,
`UNTIL_FURTHER`) and the tables of the org-unit tree, values, imports, runs, audit and
tasks; `spatial`, `voice`, `accounts`, `jobs`, `approvals`, `dhis2` (UID mapping),
`notify`, `scenarios` and `loop` hold the tables of their
part. Importing this package registers every table on ``core.Base.metadata`` (the
metadata the Alembic migrations are checked against); the queries live beside it, one
module per kind (`shequ.store.orgunits`, `values`, `runs`, `accounts`, ...).
"""

from . import accounts as accounts
from . import approvals as approvals
from . import core as core
from . import dhis2 as dhis2
from . import jobs as jobs
from . import loop as loop
from . import notify as notify
from . import scenarios as scenarios
from . import spatial as spatial
from . import voice as voice
