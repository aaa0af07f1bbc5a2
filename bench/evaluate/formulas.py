"""The 13 indicators the benchmark evaluates, as the peers (pandas, hand-written SQL) hard-code
them, and a check that the plan still defines them that way.

Each entry is ``code: (numerator, denominator, factor)`` in the plan's own notation: a
numerator is a data element or ``element >= 1`` (1 when true, 0 when false); a denominator
is a data element, ``"1"`` (count the reporting units) or None (no denominator).
``new_service_centres`` sums its numerator over the years `ACCUMULATE_FROM` through the
evaluated one.
"""

from __future__ import annotations

from shequ.framework.models import Indicator, Plan

FORMULAS: dict[str, tuple[str, str | None, float]] = {
    "living_area_per_capita": ("residential_floor_area_m2", "resident_population", 1.0),
    "green_coverage": ("green_area_m2", "land_area_m2", 100.0),
    "public_green_per_capita": ("public_green_area_m2", "resident_population", 1.0),
    "service_centre_coverage": ("service_centres >= 1", "1", 100.0),
    "culture_centre_coverage": ("culture_centres >= 1", "1", 100.0),
    "sports_centre_coverage": ("sports_centres >= 1", "1", 100.0),
    "service_radius_coverage": (
        "residents_within_500m_service_centre",
        "resident_population",
        100.0,
    ),
    "new_service_centres": ("service_centres_opened", None, 1.0),
    "participation_rate": ("participants", "adult_population", 100.0),
    "culture_satisfaction": ("culture_satisfied", "culture_answered", 100.0),
    "safety_feeling": ("feel_safe", "safety_answered", 100.0),
    "criminal_case_rate": ("criminal_cases", "resident_population", 10_000.0),
    "public_security_case_rate": ("public_security_cases", "resident_population", 100.0),
}
CODES = tuple(FORMULAS)
ACCUMULATED = "new_service_centres"
ACCUMULATE_FROM = 2021
AT_LEAST_ONE = " >= 1"


def numerator_element(code: str) -> str:
    """The data element a numerator reads (``service_centres >= 1`` → ``service_centres``)."""
    return FORMULAS[code][0].removesuffix(AT_LEAST_ONE)


def elements(code: str) -> tuple[str, ...]:
    """Data elements an indicator reads: a unit reports it when all of them are present."""
    denominator = FORMULAS[code][1]
    found = [numerator_element(code)]
    if denominator not in (None, "1"):
        found.append(denominator)
    return tuple(found)


def check_plan(plan: Plan) -> list[Indicator]:
    """The plan's 13 indicators; raise if the plan no longer defines them as `FORMULAS` does
    (the peers would then compute something else than shequ)."""
    chosen = []
    for code, (numerator, denominator, factor) in FORMULAS.items():
        ind = plan.indicator(code)
        expected_from = ACCUMULATE_FROM if code == ACCUMULATED else None
        found = (ind.numerator, ind.denominator, ind.factor, ind.accumulate_from)
        if found != (numerator, denominator, factor, expected_from):
            msg = f"plan changed: {code} is {found}, the benchmark's peers hard-code " + str(
                (numerator, denominator, factor, expected_from)
            )
            raise SystemExit(msg)
        chosen.append(ind)
    return chosen
