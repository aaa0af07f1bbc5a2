#!/usr/bin/env bash
# The peers' venv for the spatial benchmarks (bench only; pandana is AGPL-3 and never a
# dependency of shequ). NumPy < 2 because pandana 0.7 does not import with NumPy 2;
# spopt 0.7.0 because 0.8 needs Python >= 3.12. PuLP's wheel bundles the CBC solver.
# Usage: bash bench/spatial/setup_peers.sh [/tmp/peers-venv]
set -euo pipefail
VENV="${1:-${SHEQU_PEERS_VENV:-/tmp/peers-venv}}"
if [ ! -x "$VENV/bin/python" ]; then
  python3.11 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
fi
"$VENV/bin/pip" install -q "numpy<2" "pandas<3" "pandana==0.7" osmnx networkx "spopt==0.7.0" \
  pulp access geopandas pyrosm psutil pyarrow
"$VENV/bin/python" -c "import pandana, osmnx, spopt, access, pyrosm; print('peers venv ready:', '$VENV')"
