"""The XLSForm vocabulary shequ knows: question types (with pyxform's aliases), metadata,
the types and columns refused by name, and language columns (``label::English (en)``)."""

from __future__ import annotations

import re

# canonical type → aliases pyxform accepts (question_type_dictionary / aliases)
_ALIASES = {
    "text": ("string", "q string", "add text prompt", "barcode", "q barcode", "add barcode prompt"),
    "integer": ("int", "q int", "add integer prompt"),
    "decimal": ("q decimal", "add decimal prompt"),
    "range": (),
    "date": ("q date", "add date prompt"),
    "time": (),
    "datetime": (
        "date time",
        "q date time",
        "add date time prompt",
        "q datetime",
        "add datetime prompt",
    ),
    "geopoint": ("location", "gps", "q geopoint", "q location", "add location prompt"),
    "note": ("q note", "add note prompt"),
    "acknowledge": ("trigger", "q acknowledge", "add acknowledge prompt"),
    "calculate": ("q calculate", "add calculate prompt"),
    "hidden": (),
    "start": ("get start time", "start time"),
    "end": ("get end time", "end time"),
    "today": ("get today",),
    "deviceid": ("imei", "device id", "get device id", "uri:deviceid"),
    "username": ("uri:username",),
    "email": ("uri:email",),
    "phonenumber": ("phone number", "get phone number", "uri:phonenumber"),
    "subscriberid": ("subscriber id", "get subscriber id", "uri:subscriberid"),
    "simserial": ("sim id", "get sim id", "uri:simserial"),
}
_SELECTS = {
    "select_one": (
        "select one",
        "select1",
        "q select1",
        "select one using",
        "select one from",
        "add select one prompt using",
    ),
    "select_multiple": (
        "select all that apply",
        "select multiple using",
        "select all that apply from",
        "select multiple from",
        "q select",
        "add select multiple prompt using",
    ),
}
TYPE_ALIASES = {a: t for t, names in {**_ALIASES, **_SELECTS}.items() for a in (t, *names)}
SELECT_ALIASES = {a: t for t, names in _SELECTS.items() for a in (t, *names)}

ANSWERED = (
    "text",
    "integer",
    "decimal",
    "range",
    "date",
    "time",
    "datetime",
    "geopoint",
    "select_one",
    "select_multiple",
    "acknowledge",
)
METADATA = (
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "email",
    "phonenumber",
    "subscriberid",
    "simserial",
)
COMPUTED = ("calculate", "hidden")
SUPPORTED = (*ANSWERED, "note", *COMPUTED, *METADATA)
GROUPS = {
    "begin group": "begin group",
    "begin_group": "begin group",
    "begin lgroup": "begin group",
    "end group": "end group",
    "end_group": "end group",
    "end lgroup": "end group",
    "begin repeat": "begin repeat",
    "begin_repeat": "begin repeat",
    "begin looped group": "begin repeat",
    "end repeat": "end repeat",
    "end_repeat": "end repeat",
    "end looped group": "end repeat",
}

# types refused by name, with the reason in Chinese and English
REFUSED_TYPES = {
    "select_one_from_file": ("选项来自外部文件", "choices come from an external file"),
    "select_multiple_from_file": ("选项来自外部文件", "choices come from an external file"),
    "select one from file": ("选项来自外部文件", "choices come from an external file"),
    "select multiple from file": ("选项来自外部文件", "choices come from an external file"),
    "select_one_external": ("外部选项表", "external choices"),
    "select one external": ("外部选项表", "external choices"),
    "rank": ("排序题", "ranking"),
    "photo": ("照片附件", "attachments"),
    "image": ("照片附件", "attachments"),
    "q picture": ("照片附件", "attachments"),
    "q image": ("照片附件", "attachments"),
    "add image prompt": ("照片附件", "attachments"),
    "add photo prompt": ("照片附件", "attachments"),
    "audio": ("录音附件", "attachments"),
    "q audio": ("录音附件", "attachments"),
    "add audio prompt": ("录音附件", "attachments"),
    "video": ("视频附件", "attachments"),
    "q video": ("视频附件", "attachments"),
    "add video prompt": ("视频附件", "attachments"),
    "file": ("文件附件", "attachments"),
    "add file prompt": ("文件附件", "attachments"),
    "background-audio": ("后台录音", "background recording"),
    "audit": ("操作日志附件", "audit log attachments"),
    "geotrace": ("线轨迹", "traces"),
    "q geotrace": ("线轨迹", "traces"),
    "geoshape": ("面形状", "shapes"),
    "q geoshape": ("面形状", "shapes"),
    "start-geopoint": ("后台定位", "background location"),
    "background-geopoint": ("后台定位", "background location"),
    "osm": ("OSM 地图采集", "OpenStreetMap capture"),
    "xml-external": ("外部数据文件", "external data files"),
    "csv-external": ("外部数据文件", "external data files"),
    "begin loop": ("循环组（loop）", "loops over a choice list"),
    "end loop": ("循环组（loop）", "loops over a choice list"),
    "cascading select": ("级联选择（旧写法）", "legacy cascading selects"),
    "cascading_select": ("级联选择（旧写法）", "legacy cascading selects"),
    "percentage": ("百分比题（旧写法）", "the legacy percentage type"),
    "number of days in last month": ("旧题型", "legacy types"),
    "number of days in last six months": ("旧题型", "legacy types"),
    "number of days in last year": ("旧题型", "legacy types"),
}

# survey columns: read; presentation only (kept, nothing to check); refused when non-empty
SURVEY_COLUMNS = (
    "type",
    "name",
    "label",
    "hint",
    "guidance_hint",
    "required",
    "required_message",
    "relevant",
    "relevance",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "default",
    "repeat_count",
    "parameters",
    "appearance",
    "read_only",
    "media",
    "image",
    "big-image",
    "audio",
    "video",
    "autoplay",
    "label_fill",
    "sms_field",
    "note",
    "comments",
    "instance_name",
)
REFUSED_COLUMNS = {
    "trigger": ("触发重算（trigger）", "recalculation triggers (trigger)"),
    "save_to": ("实体（entities）", "entities (save_to)"),
    "body": ("XForm 原始属性（body::）", "raw XForm attributes (body::)"),
    "bind": ("XForm 原始属性（bind::）", "raw XForm attributes (bind::)"),
    "instance": ("XForm 原始属性（instance::）", "raw XForm attributes (instance::)"),
    "control": ("XForm 原始属性（control::）", "raw XForm attributes (control::)"),
}
HEADER_ALIASES = {
    "calculate": "calculation",
    "caption": "label",
    "constraining_message": "constraint_message",
    "requiredmsg": "required_message",
    "readonly": "read_only",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "command": "type",
    "tag": "name",
    "value": "name",
    "list name": "list_name",
    "listname": "list_name",
    "list_name": "list_name",
    "constraint message": "constraint_message",
    "required message": "required_message",
    "choice filter": "choice_filter",
    "repeat count": "repeat_count",
    "media::image": "image",
    "media::audio": "audio",
    "media::video": "video",
    "media::big-image": "big-image",
}
SETTINGS_KNOWN = (
    "form_id",
    "form_title",
    "version",
    "default_language",
    "instance_name",
    "style",
    "allow_choice_duplicates",
    "namespaces",
    "clean_text_values",
    "auto_send",
    "auto_delete",
    "submission_url",
    "name",
    "id_string",
    "title",
    "prefix",
    "delimiter",
    "omit_instanceID",
    "sms_keyword",
    "sms_separator",
    "sms_allow_media",
    "sms_date_format",
    "sms_datetime_format",
    "sms_response",
    "set_form_id",
    "set_form_title",
    "client_editable",
    "rapid_submission",
)
SETTINGS_REFUSED = {
    "public_key": ("加密表单（public_key）", "encrypted forms (public_key)"),
}

_LANGUAGE = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\)\s*$")
_NAMES = {
    "english": "en",
    "中文": "zh",
    "chinese": "zh",
    "简体中文": "zh",
    "汉语": "zh",
    "普通话": "zh",
    "繁體中文": "zh",
    "français": "fr",
    "french": "fr",
    "español": "es",
    "spanish": "es",
    "swahili": "sw",
    "kiswahili": "sw",
    "arabic": "ar",
    "hindi": "hi",
    "portuguese": "pt",
    "russian": "ru",
    "german": "de",
    "default": "default",
}


def language(text: str) -> str:
    """``English (en)`` → ``en``; ``中文 (zh-CN)`` → ``zh``; ``English`` → ``en``; a
    name shequ does not know stays as written (lower case)."""
    found = _LANGUAGE.match(text.strip())
    if found:
        return found["code"].replace("_", "-").split("-")[0].lower()
    name = text.strip().lower()
    if re.fullmatch(r"[a-z]{2,3}([-_][a-z0-9]+)*", name):
        return name.replace("_", "-").split("-")[0]
    return _NAMES.get(name, name)


# pyxform's old single-colon spelling (``label:English``, ``bind:relevant``) and the
# XForm names under ``bind::`` / ``control::`` that mean an XLSForm column
_LEGACY_PREFIXES = (
    "label",
    "hint",
    "bind",
    "control",
    "media",
    "constraint_message",
    "required_message",
    "guidance_hint",
    "image",
    "audio",
    "video",
)
BIND_COLUMNS = {
    "relevant": "relevant",
    "constraint": "constraint",
    "jr:constraintmsg": "constraint_message",
    "required": "required",
    "jr:requiredmsg": "required_message",
    "calculate": "calculation",
    "readonly": "read_only",
    "appearance": "appearance",
    "jr:count": "repeat_count",
}


def split_header(header: str) -> tuple[str, str | None]:
    """``label::English (en)`` → (``label``, ``en``); ``media::image`` → (``image``, None);
    ``constraint message`` → (``constraint_message``, None); ``bind:relevant`` →
    (``relevant``, None); ``label:English`` → (``label``, ``en``)."""
    text = " ".join(header.strip().split())
    head, colon, tail = text.partition(":")
    if colon and not tail.startswith(":") and head.strip().lower() in _LEGACY_PREFIXES:
        text = f"{head.strip()}::{tail.strip()}"
    root, sep, rest = text.partition("::")
    if sep and root.strip().lower() in ("bind", "control"):
        mapped = BIND_COLUMNS.get(rest.strip().lower())
        if mapped:
            return mapped, None
    lowered = text.lower()
    if lowered in HEADER_ALIASES:
        return HEADER_ALIASES[lowered], None
    base, sep, rest = text.partition("::")
    base = HEADER_ALIASES.get(base.strip().lower(), base.strip().lower())
    if base == "media" and sep:
        kind, _, lang = rest.partition("::")
        return kind.strip().lower(), (language(lang) if lang else None)
    if not sep:
        return base.replace(" ", "_"), None
    if base in REFUSED_COLUMNS:
        return f"{base}::{rest.strip()}", None
    return base.replace(" ", "_"), language(rest)
