"""Defaults the spatial commands take from the plan: which radius a facility type uses,
and how a coverage target such as ``100%`` is read."""

from __future__ import annotations

import re

from ..framework.models import Plan
from . import facility_types
from .inputs import SpatialInputError

_ELEMENT = re.compile(r"^residents_within_(\d+(?:\.\d+)?)m_(\w+)$")


def default_radius(plan: Plan | None, facility_type: str) -> float:
    """The radius of the plan's coverage data element for this type (e.g. 500 from
    ``residents_within_500m_service_centre``), else the type's ``radius_m``."""
    code = facility_types.lookup(plan).get(facility_type.strip().lower(), facility_type)
    if plan is not None:
        for element in plan.data_elements:
            match = _ELEMENT.match(element.code)
            if match and match[2] == code:
                return float(match[1])
    known = facility_types.registry(plan)
    return known[code].radius_m if code in known else 500.0


def parse_share(text: str) -> float:
    """``100%``, ``95 %``, ``0.95`` or ``95`` as a share between 0 and 1."""
    raw = str(text).strip().rstrip("%").strip()
    try:
        value = float(raw)
    except ValueError:
        raise SpatialInputError(
            f"目标“{text}”无效（如 100%）/ invalid target '{text}' (e.g. 100%)"
        ) from None
    share = value / 100 if (str(text).strip().endswith("%") or value > 1) else value
    if not 0 < share <= 1:
        raise SpatialInputError(f"目标应在 0–100% 之间 / target must be within 0–100%: {text}")
    return share
