"""The hand-written peer at national scale: the province benchmark's DuckDB SQL of the 13
indicators (`bench/evaluate/peer_sql.py`), run over the national store, results to Parquet.

``python bench/national/peer.py STORE OUT.parquet --period 2025`` (a process of its own, so
that the benchmark reads its time and peak memory like shequ's).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "evaluate"))
import peer_sql

from shequ.framework.periods import parse_period


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--period", action="append", required=True)
    args = parser.parse_args()
    periods = [parse_period(p) for p in args.period]
    clock = time.perf_counter()
    con = peer_sql.connect(args.store)
    quoted = str(args.out).replace("'", "''")
    con.execute(f"COPY ({peer_sql.build_sql(periods)}) TO '{quoted}' (FORMAT parquet)")
    print(f"sql {time.perf_counter() - clock:.2f} s")


if __name__ == "__main__":
    main()
