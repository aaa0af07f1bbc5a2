"""The system of record: schema, migrations, the org-unit tree, reading and writing rows.

SQLite (one file, WAL) by default; PostgreSQL when given a ``postgresql://`` URL. Both use
the same SQLAlchemy tables (`tables`) and the same Alembic migrations (``migrations/``).
"""

from . import audit as audit
from . import db as db
from . import orgunits as orgunits
from . import runs as runs
from . import tables as tables
from . import values as values
