"""The bilingual word table: the words every output shows (terminal, web pages, Word,
Excel, PDF, charts), in Chinese and English, and how values are written in them.

The words are kept in ``labels.yaml`` beside this module, one section per kind of word
(target statuses, trends, levels, coordination classes, task outcomes) or per output that
has words of its own (``web``, ``docx``, ``xlsx``, ``html``, ``chart``). Every entry is a
``(中文, English)`` pair; a word that several outputs show is written once and reused, so
a translation is changed in one place. The file is read once, when this module is
imported.
"""

from __future__ import annotations

from importlib import resources

import yaml

Pair = tuple[str, str]


def _read() -> dict[str, dict[str, Pair]]:
    text = (resources.files(__package__) / "labels.yaml").read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return {name: {key: (zh, en) for key, (zh, en) in words.items()} for name, words in raw.items()}


_TABLE = _read()

STATUS = _TABLE["status"]
TREND = _TABLE["trend"]
LEVEL = _TABLE["level"]
COORDINATION = _TABLE["coordination"]
TASK = _TABLE["task"]
QUESTION = _TABLE["question"]
# status colours (hex, no '#'): green met, red not met, amber no data, grey no target
STATUS_COLOUR = {"met": "C6EFCE", "not_met": "FFC7CE", "no_data": "FFEB9C", "no_target": "EDEDED"}


def section(name: str) -> dict[str, Pair]:
    """The words of one section of the table, ``{key: (中文, English)}``, e.g. ``"web"``."""
    return _TABLE[name]


def by_language(name: str) -> dict[str, dict[str, str]]:
    """The words of one section as ``{"zh": {key: 中文}, "en": {key: English}}``."""
    words = _TABLE[name]
    return {lang: {key: pick(pair, lang) for key, pair in words.items()} for lang in ("zh", "en")}


def pick(pair: Pair, lang: str) -> str:
    """The Chinese word of ``pair`` for ``lang="zh"``, else the English one."""
    return pair[0] if lang == "zh" else pair[1]


def number(value: float | None, decimals: int) -> str:
    """A value as printed in documents; a missing one is a dash, never 0."""
    if value is None or value != value:  # NaN
        return "—"
    return f"{value:,.{decimals}f}"


def target_text(comparator: str | None, target: float | None, decimals: int) -> str:
    """A target as printed in documents, e.g. ``≥ 40.0``; no target is a dash."""
    if not isinstance(comparator, str) or target is None or target != target:
        return "—"
    shown = "≤" if comparator == "reduce_by" else comparator.replace(">=", "≥").replace("<=", "≤")
    return f"{shown} {number(target, decimals)}"
