"""The columns of XLSForm sheets: canonical keys, languages, the ``settings`` and
``choices`` sheets, for `_build`."""

from __future__ import annotations

from . import _types as vocab
from ._parts import Choice

TRANSLATED = (
    "label",
    "hint",
    "guidance_hint",
    "constraint_message",
    "required_message",
    "image",
    "big-image",
    "audio",
    "video",
)
YES = {
    "yes": True,
    "true": True,
    "true()": True,
    "1": True,
    "是": True,
    "no": False,
    "false": False,
    "false()": False,
    "0": False,
    "否": False,
}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class Columns:
    """The columns of one sheet: canonical key per header, languages, notes."""

    def __init__(self, sheet, default_language: str, notes: list[str], problems: list[str]):
        self.keys: dict[str, tuple[str, str | None]] = {}
        self.languages: list[str] = []
        for raw in sheet.headers.values():
            base, lang = vocab.split_header(raw)
            if base in TRANSLATED:
                lang = lang or default_language or "default"
                if lang not in self.languages:
                    self.languages.append(lang)
            self.keys[raw] = (base, lang)
        for where in sheet.duplicates:
            problems.append(f"{where}: 列名重复 / repeated column header")

    def row(self, raw_row: dict) -> dict[str, tuple[str, str]]:
        """``{"label::en": (text, cell), "relevant": (text, cell), ...}``."""
        out = {}
        for raw, (value, cell) in raw_row.items():
            if raw == "__row__":
                continue
            base, lang = self.keys[raw]
            key = f"{base}::{lang}" if lang else base
            out[key] = (_text(value), cell)
        return out


def texts(row: dict, base: str, name: str = "") -> tuple[str, str, dict[str, str]]:
    """(Chinese-or-main text, English text, other languages) of a translated column."""
    found = {
        k.partition("::")[2]: v[0] for k, v in row.items() if k.partition("::")[0] == base and v[0]
    }
    if base in row and row[base][0]:
        found.setdefault("default", row[base][0])
    main = found.get("zh") or found.get("default") or next(iter(found.values()), "") or name
    english = found.get("en") or main
    others = {f"{base}::{k}": v for k, v in found.items() if k not in ("zh", "en", "default")}
    return main, english, others


def settings(sheet, problems: list[str], notes: list[str]) -> dict[str, str]:
    if sheet is None or not sheet.rows:
        return {}
    out: dict[str, str] = {}
    for raw, (value, cell) in sheet.rows[0].items():
        if raw == "__row__":
            continue
        key = raw.strip().lower()
        base, _, lang = key.partition("::")
        if base in vocab.SETTINGS_REFUSED:
            zh, en = vocab.SETTINGS_REFUSED[base]
            problems.append(f"{cell}: shequ 不支持{zh} / {en} is not supported by shequ")
        elif base not in vocab.SETTINGS_KNOWN:
            notes.append(f"{cell}: 未知设置“{raw}”，已忽略 / unknown setting '{raw}': ignored")
        if base == "form_title" and lang:
            key = f"form_title::{vocab.language(lang)}"
        out[key] = _text(value)
    return out


def choices(sheet, default_language, settings, problems, notes) -> dict[str, list]:

    out: dict[str, list] = {}
    if sheet is None:
        return out
    columns = Columns(sheet, default_language, notes, problems)
    duplicates_ok = YES.get(settings.get("allow_choice_duplicates", "").lower(), False)
    for raw in sheet.rows:
        row = columns.row(raw)
        (list_name, at), (name, name_at) = row.get("list_name", ("", "")), row.get("name", ("", ""))
        if not list_name or not name:
            where = at or name_at or raw["__row__"][1]
            problems.append(
                f"{where}: 选项缺少 list_name 或 name / a choice needs list_name and name"
            )
            continue
        label, label_en, others = texts(row, "label", name)
        extra = {
            k: v
            for k, (v, _) in row.items()
            if k not in ("list_name", "name") and k.partition("::")[0] not in TRANSLATED
        }
        if not duplicates_ok and any(c.name == name for c in out.get(list_name, [])):
            problems.append(
                f"{name_at}: 选项“{name}”在列表 {list_name} 中重复 / choice "
                f"'{name}' repeated in list {list_name}"
            )
        out.setdefault(list_name, []).append(Choice(name, label, label_en, {**extra, **others}))
    return out


def binding(cell: tuple[str, str]) -> tuple[str, str]:
    """pyxform reads yes / no (true / false) in ``relevant`` as ``true()`` / ``false()``."""
    text, at = cell
    flag = YES.get(text.lower())
    return ("true()" if flag else "false()") if flag is not None else text, at
