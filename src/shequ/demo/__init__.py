"""A realistic sample city (示范市), generated reproducibly and loaded through the same
import path a user uses; `run.run_demo` is what ``make run`` and ``shequ demo`` call."""

from . import city as city
from . import run as run
