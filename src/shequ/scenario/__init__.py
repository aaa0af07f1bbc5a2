"""Scenarios (调整策略 before acting): new facilities and changed values, evaluated against
the targets on a temporary copy of the store, side by side with the baseline.

`actions` turns what a planner gives (``--facility``, ``--value``, a file of sites that
``shequ site`` proposed) into action rows; `sandbox` copies what the evaluation reads into
a temporary SQLite store; `compare` evaluates baseline and scenario and finds the targets
that flip.
"""

from . import actions as actions
from . import compare as compare
from . import sandbox as sandbox
