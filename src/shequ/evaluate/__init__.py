"""Evaluation: indicator values for every org unit and period, rolled up the tree as ratios
of sums, compared with the plan's targets, and persisted as an evaluation run.

The indicator computation (`indicators`) is written once, as Ibis expressions, and runs on
any engine in `backends` (DuckDB in-process by default, SQLite, PostgreSQL).
"""

from . import attainment as attainment
from . import backends as backends
from . import indicators as indicators
from . import output as output
from . import run as run
