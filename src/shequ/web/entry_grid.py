"""What the data-entry grid shows: one street at a time, picked by walking down from the
user's scope, and every stored value as its exact text.

A city or province user never loads every community into the grid: the page opens on the
first street of the chosen unit, and one picker per level (the children of one unit each)
moves to another street.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from ..framework.levels import LEVEL_ORDER

STREET = LEVEL_ORDER["street"]


def exact_text(value: float | None) -> str:
    """A stored value as typed, never in exponent form and never rounded:
    2 500 000 → ``2500000``, 1 174 790 000 → ``1174790000``, 0.1 → ``0.1``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return np.format_float_positional(float(value), trim="-")


def pick_street(
    units: pd.DataFrame, allowed: set[str], scope: str, start: str
) -> tuple[str, list[dict[str, Any]]]:
    """(the unit the grid shows, the pickers above it).

    ``units`` are the units of the day (code, name, level, parent_code); ``start`` the
    unit asked for (within ``scope``). A unit at street level or below is shown as it is;
    a unit above is walked down to its first child (by code) until a street. Each picker
    lists the children of one unit of the chain from ``scope`` to the shown unit, with
    the chain's next unit selected."""
    mine = units[units["code"].isin(allowed)]
    level = dict(zip(mine["code"], mine["level"].map(LEVEL_ORDER), strict=True))
    parent = dict(zip(mine["code"], mine["parent_code"], strict=True))
    children = mine.sort_values("code").groupby("parent_code")["code"].apply(list).to_dict()
    shown = start
    while level.get(shown, STREET) < STREET and children.get(shown):
        shown = children[shown][0]
    chain = [shown]
    while chain[-1] != scope and parent.get(chain[-1]) in level:
        chain.append(parent[chain[-1]])
    chain.reverse()
    names = dict(zip(mine["code"], mine["name"], strict=True))
    pickers = []
    for above, chosen in itertools.pairwise(chain):
        if level.get(chosen, STREET) > STREET:
            break  # communities are the grid's columns, not a picker
        options = [(c, names[c]) for c in children.get(above, [])]
        pickers.append({"parent": above, "selected": chosen, "options": options})
    return shown, pickers
