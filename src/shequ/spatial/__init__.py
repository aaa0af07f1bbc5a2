"""Coordinates, walking networks, coverage, capacity-aware accessibility and siting.

Array-level API (metres in the network's metric CRS): `network` (WalkNetwork, snap,
from_edges), `coverage.nearest_distances`, `access.catchment_pairs` /
`access.two_step_fca`, `siting.maximal_covering` / `siting.set_covering`; `crs` converts
WGS-84/CGCS2000/GCJ-02/BD-09 lon/lat. Files come in through `imports` (boundaries,
facilities, population, networks incl. OpenStreetMap, candidate sites).
"""

from . import access as access
from . import coverage as coverage
from . import crs as crs
from . import network as network
from . import siting as siting
