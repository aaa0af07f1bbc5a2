"""Phone and ID numbers that residents type into free text are masked; other numbers stay."""

from __future__ import annotations

import pytest

from shequ.voice.masking import contains_identifier, mask


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("请联系13812345678", "请联系138****5678"),
        ("电话 138-1234-5678 或 139 8765 4321", "电话 138****5678 或 139****4321"),
        # an 18-character ID with the X check character (upper or lower case)
        ("身份证11010519491231002X", "身份证110105********002X"),
        ("身份证11010519491231002x", "身份证110105********002X"),
        ("ID 440524188001010014 登记", "ID 440524********0014 登记"),
    ],
)
def test_mobiles_and_ids_are_masked(text: str, masked: str) -> None:
    assert mask(text) == masked
    assert not contains_identifier(mask(text))


@pytest.mark.parametrize(
    "text",
    [
        "物业费一年12000元，面积89.5平方米",  # amounts
        "2025年3月1日反映，20250301已登记",  # dates
        "工单号 202503011234567890123",  # a 21-digit order number is not an ID or a phone
        "12345678901 不是手机号",  # 11 digits but not 13x-19x
        "10号楼3单元502室",  # house numbers
        "订单 1381234567890",  # 13 digits starting like a phone: not a phone
    ],
)
def test_other_numbers_are_left_alone(text: str) -> None:
    assert mask(text) == text
