"""What is measured and aimed for: dimensions, data elements, indicators, targets, plans;
the hierarchy's levels and their order (`levels`); the bilingual word table (`labels`).

The default plan ships as YAML (``plans/national.yaml``, with the example city's
overrides in ``plans/example_city.yaml``); users add or edit indicators in YAML only. The
words every output shows are in ``labels.yaml``.
"""

from . import expressions as expressions
from . import labels as labels
from . import levels as levels
from . import loader as loader
from . import models as models
from . import periods as periods
