"""Composite evaluation (综合评价): the numerical layer.

Pure numpy functions on a decision matrix of shape (units, indicators):

* `normalise` — raw values → direction-aware 0–100 scores (`NORMALISERS`);
* `weights` — equal, expert, AHP and entropy weights and their combination (`WEIGHTINGS`);
* `aggregate` — arithmetic and geometric means (`AGGREGATORS`), TOPSIS, ranks;
* `coordination` — the coupling coordination degree of the dimensions.

``run`` (the pipeline over an evaluation's results) and ``sensitivity`` (the Monte Carlo
of the ranks) build on them; import those modules directly.
"""

from . import aggregate as aggregate
from . import coordination as coordination
from . import normalise as normalise
from . import weights as weights
