"""The parts of a questionnaire: choices, questions, groups and repeats, as `load_instrument`
builds them and `Instrument` holds them; and the ``range`` question's parameters."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    name: str
    label: str
    label_en: str
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    name: str
    type: str
    label: str
    label_en: str
    list_name: str | None = None
    required: bool = False
    relevant: str = ""
    cell: str = ""
    hint: str = ""
    hint_en: str = ""
    constraint: str = ""
    constraint_message: str = ""
    constraint_message_en: str = ""
    required_if: str = ""
    required_message: str = ""
    required_message_en: str = ""
    calculation: str = ""
    choice_filter: str = ""
    default: str = ""
    appearance: str = ""
    group: str = ""
    parameters: str = ""
    or_other: bool = False
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """A group or repeat; ``path`` is its names from the top, joined by ``/``."""

    name: str
    label: str
    label_en: str
    path: str
    repeat: bool = False
    relevant: str = ""
    repeat_count: str = ""
    appearance: str = ""
    cell: str = ""


def range_parameters(text: str) -> tuple[float, float, float]:
    """``start=1 end=10 step=1`` (pyxform's defaults) → (start, end, step)."""
    values = {"start": 1.0, "end": 10.0, "step": 1.0}
    for part in text.replace(",", " ").replace(";", " ").split():
        key, _, value = part.partition("=")
        if key.strip().lower() not in values:
            raise ValueError(f"range 参数“{part}”无效 / bad range parameter '{part}'")
        try:
            values[key.strip().lower()] = float(value)
        except ValueError:
            raise ValueError(f"range 参数“{part}”无效 / bad range parameter '{part}'") from None
    if values["step"] <= 0 or values["end"] == values["start"]:
        raise ValueError(f"range 参数“{text}”无效 / bad range parameters '{text}'")
    return values["start"], values["end"], values["step"]
