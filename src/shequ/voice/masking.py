"""Mask phone and ID numbers that residents type into free text.

Masked before any free text a resident gives is stored: suggestion texts, locations and
replies (on intake, by the desk and by the import), survey answers (`mask_answers`), activity
titles of sign-in sheets, and the free-text columns of quarantine files (`mask_raw`). What
is masked:

* mainland mobile numbers: 11 digits starting 13–19 (also right after letters: wx138…),
  alone or written 138-1234-5678 /
  138 1234 5678 / 138.1234.5678, with or without a country code (+86, 0086, 86, with or
  without a space or hyphen after it) → ``138****5678`` (the country code kept as typed);
* resident ID numbers: 18 characters (6-digit region, a plausible birth date, 3 digits and a
  check character 0–9 or X/x) → ``110101********123X``, and the old 15-digit ones (region,
  YYMMDD, 3 digits) → ``110101******123`` (birth date hidden); the three parts may be
  separated by a space or a hyphen.

Full-width and other compatibility forms (``１３８－１２３４－５６７８``, ``＋８６``, ideographic
spaces) are found too: the text is folded character by character with Unicode NFKC before
matching, so every position in the folded text is the same position in the text. Only the
matched numbers are rewritten (in ASCII); the rest of the text keeps its own characters
(NFKC of the whole text would turn Chinese full-width punctuation ，：（） into ASCII).

Other numbers stay as typed: amounts (12000元), dates (20250301), house numbers, and runs of
digits that are longer than a phone or ID number (order numbers). A 13-digit run that reads
86 + a mobile number is masked: it cannot be told from a phone number written with its
country code.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

_SEP = r"[ \-.\u2010-\u2015\u2212]?"
_MOBILE = re.compile(
    r"(?=[0-9+])(?<![0-9+])"
    rf"((?:(?:\+|00)\s?86|86){_SEP})?"
    rf"(1[3-9][0-9]){_SEP}([0-9]{{4}}){_SEP}([0-9]{{4}})"
    r"(?![0-9])",
    re.ASCII,
)
_DAY = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID = re.compile(
    r"(?=[0-9])(?<![0-9A-Za-z])([0-9]{6})[ \-]?"
    rf"((?:18|19|20)[0-9]{{2}}{_DAY})[ \-]?"
    r"([0-9]{3}[0-9Xx])(?![0-9A-Za-z])",
    re.ASCII,
)
_OLD_ID = re.compile(
    rf"(?=[0-9])(?<![0-9A-Za-z])([0-9]{{6}})[ \-]?([0-9]{{2}}{_DAY})[ \-]?([0-9]{{3}})(?![0-9A-Za-z])",
    re.ASCII,
)
#: every match holds 11 digits with at most one separator between two of them: a text
#: without such a run is returned as it is, after one quick search
_CANDIDATE = re.compile(rf"[0-9](?:{_SEP}[0-9]){{10}}", re.ASCII)


#: what the patterns look at: digits, the separators and the country code's plus sign
_MATCHED = frozenset("0123456789+-. Xx\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
#: where their compatibility forms live: the BMP (full-width forms, circled digits,
#: ideographic space), mathematical digits, enclosed and segmented digits
_BLOCKS = ((0x80, 0xD7FF), (0xE000, 0xFFFF), (0x1D400, 0x1D7FF), (0x1F100, 0x1F1FF),
           (0x1FBF0, 0x1FBF9))  # fmt: skip


@functools.cache
def _fold_table() -> dict[int, str]:
    """Code point → its NFKC form, for every character whose NFKC form is one matched
    character (166 of them; built once, ~0.1 s)."""
    table = {}
    for lo, hi in _BLOCKS:
        for point in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(point))
            if len(folded) == 1 and folded in _MATCHED and folded != chr(point):
                table[point] = folded
    return table


@functools.cache
def _foldable() -> frozenset[str]:
    return frozenset(chr(p) for p in _fold_table())


def _fold(text: str) -> str:
    """``text`` with each character that NFKC turns into a digit, separator, plus or X
    replaced by that one character: the same length, so positions carry over."""
    if text.isascii() or _foldable().isdisjoint(text):
        return text
    return text.translate(_fold_table())


def _rewrite(text: str, folded: str, pattern: re.Pattern, replace) -> tuple[str, str]:
    parts, folded_parts, last = [], [], 0
    for m in pattern.finditer(folded):
        new = replace(m)
        parts += [text[last : m.start()], new]
        folded_parts += [folded[last : m.start()], new]
        last = m.end()
    if not parts:
        return text, folded
    return "".join([*parts, text[last:]]), "".join([*folded_parts, folded[last:]])


def mask(text: str) -> str:
    """``text`` with every mobile number and ID number masked (see the module docstring)."""
    if not text or not isinstance(text, str):
        return text
    folded = _fold(text)
    if not _CANDIDATE.search(folded):
        return text
    text, folded = _rewrite(text, folded, _ID, lambda m: f"{m[1]}********{m[3].upper()}")
    text, folded = _rewrite(text, folded, _OLD_ID, lambda m: f"{m[1]}******{m[3]}")
    text, _ = _rewrite(text, folded, _MOBILE, lambda m: f"{m[1] or ''}{m[2]}****{m[4]}")
    return text


def contains_identifier(text: str) -> bool:
    """Whether ``text`` holds something `mask` would hide."""
    folded = _fold(text or "")
    return any(p.search(folded) for p in (_ID, _OLD_ID, _MOBILE))


def mask_answers(answers: dict[str, object]) -> dict[str, object]:
    """Survey answers with every text answer masked (numbers, choices and lists of choices
    pass through; a choice name never looks like a phone number)."""
    out: dict[str, object] = {}
    for name, value in answers.items():
        if isinstance(value, str):
            out[name] = mask(value)
        elif isinstance(value, list):
            out[name] = [mask(v) if isinstance(v, str) else v for v in value]
        else:
            out[name] = value
    return out


def mask_answers_json(answers: str) -> str:
    """`mask_answers` on answers stored as JSON text (as `SurveyResponse.answers`)."""
    return json.dumps(mask_answers(json.loads(answers)), ensure_ascii=False, sort_keys=True)


def mask_columns(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy of ``frame`` with the text cells of ``columns`` (those present) masked."""
    present = [c for c in columns if c in frame.columns]
    return frame.assign(**{c: frame[c].map(mask) for c in present}) if present else frame


def mask_raw(raw: pd.DataFrame, aliases: dict[str, str], fields: Iterable[str]) -> None:
    """Mask, in place, the columns of a file as read whose header is an alias of ``fields``.

    For an importer's validation step: the quarantine file is written from this frame, so
    its free texts are stored masked too. Headers are matched as importers match them
    (trimmed, lower case, without spaces).
    """
    wanted = set(fields)
    for column in raw.columns:
        key = str(column).strip().lower().replace(" ", "")
        if aliases.get(key) in wanted:
            raw[column] = raw[column].map(mask)
