"""What is measured and aimed for: dimensions, data elements, indicators, targets, plans.

The default plan ships as YAML (``plans/national.yaml``, with the example city's
overrides in ``plans/example_city.yaml``); users add or edit indicators in YAML only.
"""

from . import expressions as expressions
from . import loader as loader
from . import models as models
from . import periods as periods
