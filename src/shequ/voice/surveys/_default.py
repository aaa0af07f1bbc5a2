"""The default resident-satisfaction questionnaire: the rows of the shipped XLSX.

``python -m shequ.voice.surveys._default`` rewrites ``resident_satisfaction.xlsx`` from
these rows; a test checks that the shipped file says the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

SURVEY = [
    (
        "type",
        "name",
        "label::zh",
        "label::en",
        "required",
        "relevant",
        "constraint",
        "constraint_message::zh",
        "constraint_message::en",
    ),
    ("select_one age_group", "age_group", "您的年龄段", "Your age group", "yes", ""),
    (
        "select_one satisfaction",
        "overall_satisfaction",
        "您对本社区的总体满意程度",
        "Overall, how satisfied are you with your community?",
        "yes",
        "",
    ),
    (
        "select_one satisfaction",
        "public_service_satisfaction",
        "您对社区公共服务（养老、医疗、家政等）的满意程度",
        "How satisfied are you with public services (elderly care, medical, home help)?",
        "yes",
        "",
    ),
    (
        "select_one satisfaction",
        "culture_satisfaction",
        "您对社区文化生活的满意程度",
        "How satisfied are you with cultural life in the community?",
        "yes",
        "",
    ),
    (
        "text",
        "culture_reason",
        "对文化生活不满意的主要原因",
        "Main reason you are not satisfied",
        "no",
        "${culture_satisfaction} <= 2",
    ),
    (
        "select_one safety",
        "safety_feeling",
        "您在社区生活的安全感",
        "How safe do you feel here?",
        "yes",
        "",
    ),
    ("select_one happiness", "happiness", "您的幸福感", "How happy are you?", "yes", ""),
    (
        "select_one gain",
        "gain",
        "近一年社区发展给您带来的获得感",
        "How much has community development given you this year?",
        "yes",
        "",
    ),
    (
        "text",
        "comments",
        "其他意见和建议",
        "Other comments and suggestions",
        "no",
        "",
        "string-length(.) <= 200",
        "请控制在200字以内",
        "200 characters at most",
    ),
]
_LEVELS = {
    "satisfaction": (
        ("很不满意", "Very dissatisfied"),
        ("不太满意", "Dissatisfied"),
        ("一般", "Neutral"),
        ("比较满意", "Satisfied"),
        ("很满意", "Very satisfied"),
    ),
    "safety": (
        ("很不安全", "Very unsafe"),
        ("不太安全", "Unsafe"),
        ("一般", "Neutral"),
        ("比较安全", "Safe"),
        ("很安全", "Very safe"),
    ),
    "happiness": (
        ("很不幸福", "Very unhappy"),
        ("不太幸福", "Unhappy"),
        ("一般", "Neutral"),
        ("比较幸福", "Happy"),
        ("很幸福", "Very happy"),
    ),
    "gain": (
        ("很少", "Very little"),
        ("较少", "Little"),
        ("一般", "Some"),
        ("较多", "Much"),
        ("很多", "Very much"),
    ),
}
CHOICES = [("list_name", "name", "label::zh", "label::en")]
CHOICES += [
    ("age_group", n, zh, en)
    for n, zh, en in (
        ("18_34", "18–34岁", "18–34"),
        ("35_59", "35–59岁", "35–59"),
        ("60_plus", "60岁及以上", "60+"),
    )
]
CHOICES += [
    (lst, str(i + 1), zh, en)
    for lst, levels in _LEVELS.items()
    for i, (zh, en) in enumerate(levels)
]
SETTINGS = [
    ("form_id", "version", "form_title", "form_title::en"),
    ("resident_satisfaction", "2025.2", "社区居民满意度调查问卷", "Resident satisfaction survey"),
]


def write(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for i, (title, rows) in enumerate(
        (("survey", SURVEY), ("choices", CHOICES), ("settings", SETTINGS))
    ):
        ws = book.active if i == 0 else book.create_sheet()
        ws.title = title
        for row in rows:
            ws.append(list(row))
    book.save(path)
    return path


if __name__ == "__main__":
    write(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).with_name("resident_satisfaction.xlsx")
    )
