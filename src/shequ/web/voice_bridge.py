"""The residents' voice service functions (``shequ.voice``), when this build has them.

The suggestions desk, the public survey and the suggestion form call the voice package;
until it is part of the build they show a clear placeholder and the API answers 503.
"""

from __future__ import annotations

import importlib.util

from fastapi import HTTPException


def available() -> bool:
    return importlib.util.find_spec("shequ.voice") is not None


def require() -> None:
    if not available():
        msg = (
            "居民之声模块尚未接入本版本 / the residents' voice module is not part of this build yet"
        )
        raise HTTPException(503, msg)
