"""Chinese by default, English with ``?lang=en`` (remembered in a cookie)."""

from __future__ import annotations

from fastapi import Request

from ..framework import labels

LANG_COOKIE = "shequ_lang"

WORDS: dict[str, tuple[str, str]] = labels.section("web")


def lang_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh"
    return "en" if chosen.lower().startswith("en") else "zh"


def translator(lang: str):
    def t(key: str) -> str:
        pair = WORDS.get(key)
        return key if pair is None else labels.pick(pair, lang)

    return t


def status_label(status: str, lang: str) -> str:
    return labels.pick(labels.STATUS.get(status, (status, status)), lang)
