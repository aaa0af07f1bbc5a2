"""The Word report's optional scenario section: one scenario beside the baseline."""

from __future__ import annotations

from ..framework import labels
from ._docx_parts import add_note, add_table
from .context import ScenarioSection


def add_scenario(doc, section: ScenarioSection, lang: str) -> None:
    """Heading, the flips table (or a note that nothing flips), the cost, and the note that
    real data were not changed."""
    words = {key: labels.pick(pair, lang) for key, pair in labels.section("scenario").items()}
    doc.add_heading(words["section"], level=1)
    line = (
        f"{words['name']}：{section.name}（{section.period}）"
        if lang == "zh"
        else (f"{words['name']}: {section.name} ({section.period})")
    )
    doc.add_paragraph(line + (f" — {section.description}" if section.description else ""))
    if section.flips:
        add_table(doc, [words[k] for k in section.headers], section.flips)
    else:
        add_note(doc, words["no_flips"])
    for cost in section.cost:
        doc.add_paragraph(
            f"{words['cost']}：{cost}" if lang == "zh" else f"{words['cost']}: {cost}"
        )
    add_note(doc, words["note"])
