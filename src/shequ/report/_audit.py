"""The report appendix's statistical audit of the composite (see `evaluate.composite.audit`):
one row per dimension of the sub-units' level, as text cells both the Word and the HTML/PDF
report print."""

from __future__ import annotations

import pandas as pd

from ..framework import labels
from .context import ReportContext


def audit_rows(context: ReportContext, words: dict[str, str], lang: str) -> list[list[str]]:
    """[dimension, items, units, α, first component's share, correlations] per dimension."""
    found = context.audit
    if found is None or found.dimensions.empty:
        return []
    pairs = found.correlations
    rows = []
    for r in found.dimensions.itertuples(index=False):
        mine = pairs[pairs["dimension"] == r.dimension]
        rows.append(
            [
                _dimension(context, r.dimension, words, lang),
                str(r.items),
                str(r.units),
                labels.number(r.cronbach_alpha, 2),
                "—" if pd.isna(r.pca_first_share) else f"{r.pca_first_share:.0%}",
                "；".join(
                    f"{_name(context, a, lang)}~{_name(context, b, lang)} {v:+.2f}"
                    for a, b, v in zip(
                        mine["indicator_a"], mine["indicator_b"], mine["r"], strict=True
                    )
                )
                or "—",
            ]
        )
    return rows


def audit_intro(context: ReportContext, words: dict[str, str], lang: str) -> str:
    level = context.audit_level or ""
    return words["audit_intro"].format(
        level=labels.pick(labels.LEVEL.get(level, (level, level)), lang)
    )


def _dimension(context: ReportContext, code: str, words: dict[str, str], lang: str) -> str:
    if code == "overall":
        return words["overall_dimensions"]
    dim = context.plan.dimension(code)
    return dim.name if lang == "zh" else dim.name_en


def _name(context: ReportContext, code: str, lang: str) -> str:
    try:
        ind = context.plan.indicator(code)
    except KeyError:  # the overall row correlates dimensions
        dim = context.plan.dimension(code)
        return dim.name if lang == "zh" else dim.name_en
    return ind.name if lang == "zh" else ind.name_en


def add_audit(doc, context, t: dict, lang: str, *, table) -> None:
    """The statistical audit as a Word appendix section (``table`` draws the docx table)."""
    audited = audit_rows(context, t, lang)
    if audited:
        doc.add_heading(t["audit"], level=2)
        doc.add_paragraph(audit_intro(context, t, lang))
        keys = ["dimension", "items", "scored_units", "alpha", "pc1", "correlations"]
        table(doc, t, keys, audited, widths=[2.6, 1.2, 1.2, 1.6, 2.0, 6.0], numeric=(1, 2, 3, 4))
