"""Phone and ID numbers that residents type into free text are masked; other numbers stay."""

from __future__ import annotations

import pytest

from shequ.voice.masking import contains_identifier, mask, mask_answers


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


# --- issue 13 #7: numbers written the ways residents write them -------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # country codes, kept as typed, the number masked
        ("电话+8613812345678", "电话+86138****5678"),
        ("电话 +86 138 1234 5678", "电话 +86 138****5678"),
        ("电话86-138-1234-5678，谢谢", "电话86-138****5678，谢谢"),
        ("8613812345678", "86138****5678"),
        ("0086 13812345678", "0086 138****5678"),
        ("(+86)13812345678", "(+86)138****5678"),
        # separators
        ("手机138.1234.5678", "手机138****5678"),
        ("手机 138 1234 5678 转", "手机 138****5678 转"),
        ("手机138-1234-5678", "手机138****5678"),
        ("微信wx13812345678", "微信wx138****5678"),
        # full-width digits, plus and dash: found after NFKC, the punctuation kept
        ("联系１３８１２３４５６７８，好的！（急）", "联系138****5678，好的！（急）"),
        ("＋８６　１３８－１２３４－５６７８。", "+86 138****5678。"),
        # 15-digit (old) ID numbers: region, YYMMDD, 3 digits
        ("旧身份证110105491231002号", "旧身份证110105******002号"),
        ("证件 110105 491231 002", "证件 110105******002"),
        # 18-digit with x, and with spaces between the parts; full-width
        ("身份证 110105 19491231 002x", "身份证 110105********002X"),
        ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证110105********002X"),
    ],
)
def test_phone_and_id_numbers_in_every_written_form_are_masked(text: str, masked: str) -> None:
    # issue 13 #7: +86…, 86…, 138.1234.5678, full-width digits, 15-digit IDs were stored in clear
    assert mask(text) == masked
    assert contains_identifier(text) and not contains_identifier(masked)


@pytest.mark.parametrize(
    "text",
    [
        "工单号 202503011234567",  # 15 digits whose 'birth date' 011234 is no date
        "金额 １２０００元，面积８９.５平方米",  # full-width amounts
        "１０号楼３单元５０２室",  # full-width house numbers
        "订单 861381234567890",  # 15 digits: neither 86 + a mobile nor an old ID
    ],
)
def test_other_numbers_stay_in_every_written_form(text: str) -> None:
    # issue 13 #7: folding for detection does not rewrite the rest of the text
    assert mask(text) == text


def test_text_answers_of_a_survey_are_masked_and_the_rest_pass() -> None:
    # issue 13 #7: survey comments were stored in clear
    answers = {
        "comments": "请回电１３８ １２３４ ５６７８",
        "age_group": "35_59",
        "n": 3,
        "m": ["a"],
    }
    assert mask_answers(answers) == {
        "comments": "请回电138****5678",
        "age_group": "35_59",
        "n": 3,
        "m": ["a"],
    }
