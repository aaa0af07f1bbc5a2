"""Mask phone and ID numbers that residents type into free text.

Masked wherever text is kept or shown: suggestion texts and replies are masked on intake,
so the store never holds them in clear. What is masked:

* mainland mobile numbers: 11 digits starting 13–19, alone or written 138-1234-5678 /
  138 1234 5678 → ``138****5678``;
* resident ID numbers: 18 characters, 6-digit region, a plausible birth date, 3 digits and a
  check character 0–9 or X → ``110101********123X`` (birth date hidden).

Other numbers stay as typed: amounts (12000元), dates (20250301), house numbers, and runs of
digits that are longer than a phone or ID number (order numbers).
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![0-9A-Za-z])")
_ID = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})((?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)


def mask(text: str) -> str:
    """``text`` with every mobile number and ID number masked (see the module docstring)."""
    if not text:
        return text
    text = _ID.sub(lambda m: f"{m[1]}********{m[3].upper()}", text)
    return _MOBILE.sub(lambda m: f"{m[1]}****{m[3]}", text)


def contains_identifier(text: str) -> bool:
    """Whether ``text`` holds something `mask` would hide."""
    return bool(_ID.search(text) or _MOBILE.search(text))
