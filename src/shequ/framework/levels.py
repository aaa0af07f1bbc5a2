"""The levels of the org-unit hierarchy, from the top down: 省 province, 市 city, 区（县）
district, 街道（乡镇）street, 社区（村）community, 网格 grid.

Every unit has one of these levels, and a unit's parent sits at a level above it. Code
that sorts units or rows by level uses `LEVEL_ORDER` (province 0 … grid 5); their names
in Chinese and English are ``labels.LEVEL``.
"""

from __future__ import annotations

LEVELS: tuple[str, ...] = ("province", "city", "district", "street", "community", "grid")
LEVEL_ORDER: dict[str, int] = {level: rank for rank, level in enumerate(LEVELS)}
