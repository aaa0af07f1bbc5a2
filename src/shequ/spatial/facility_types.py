"""Facility types: the built-in ones and those a plan adds (``facility_types`` in YAML).

Built-ins register exactly as plan types do, as `FacilityType` objects, so every lookup
goes through one table: by code, Chinese name or English name.
"""

from __future__ import annotations

from ..framework.models import FacilityType, Plan

BUILTIN: tuple[FacilityType, ...] = (
    FacilityType(code="service_centre", name="社区服务中心", name_en="Community service centre"),
    FacilityType(code="culture_centre", name="文化活动中心", name_en="Culture centre"),
    FacilityType(code="sports_facility", name="体育设施", name_en="Sports facility"),
    FacilityType(code="clinic", name="社区卫生服务站", name_en="Community clinic", radius_m=1000),
    FacilityType(code="elderly_care", name="养老服务设施", name_en="Elderly care", radius_m=500),
    FacilityType(code="kindergarten", name="幼儿园", name_en="Kindergarten", radius_m=300),
)


def registry(plan: Plan | None = None) -> dict[str, FacilityType]:
    """Facility types by code: built-ins, then the plan's (a plan type replaces a built-in)."""
    types = {t.code: t for t in BUILTIN}
    if plan is not None:
        types.update({t.code: t for t in plan.facility_types})
    return types


def lookup(plan: Plan | None = None) -> dict[str, str]:
    """Type code by any of its names (code, Chinese, English; case-insensitive)."""
    out: dict[str, str] = {}
    for t in registry(plan).values():
        for key in (t.code, t.name, t.name_en):
            out[key.strip().lower()] = t.code
    return out


def coverage_element(facility_type: str, radius: float) -> str:
    """The data element coverage writes: ``residents_within_500m_service_centre``."""
    return f"residents_within_{radius:g}m_{facility_type}"
