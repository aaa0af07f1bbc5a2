"""Participation through keyed pseudonyms: stable under one key, unrelated under another,
each adult counted once across activities, raw numbers never stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from shequ.errors import VoiceError
from shequ.store.db import Store
from shequ.voice import participation
from shequ.voice.imports.attendance import import_attendance
from tests._files import write

# 11010519491231002X: born 1949-12-31 (adult); 110105201203150018: born 2012-03-15 (a child)
PERSON_1 = "11010519491231002X"
CHILD = "110105201203150018"


def test_pseudonyms_are_stable_under_one_key_and_differ_under_another() -> None:
    a = participation.pseudonym(PERSON_1, b"key-one-for-tests")
    assert a == participation.pseudonym(" 11010519491231002x ", b"key-one-for-tests")  # normalised
    assert a != participation.pseudonym(PERSON_1, b"key-two-for-tests")
    assert participation.pseudonym(
        "138-1234-5678", b"key-one-for-tests"
    ) == participation.pseudonym("13812345678", b"key-one-for-tests")
    assert PERSON_1 not in a and len(a) == 32


def test_a_bad_identifier_and_a_missing_key_are_refused(monkeypatch, tmp_path: Path) -> None:
    with pytest.raises(VoiceError):
        participation.pseudonym("12345", b"a-valid-key-for-tests")
    monkeypatch.delenv("SHEQU_PSEUDONYM_KEY", raising=False)
    with pytest.raises(VoiceError, match="keygen"):
        participation.load_key(tmp_path / "absent.key")
    path = participation.create_key_file(tmp_path / "k" / "pseudonym.key")
    first = participation.load_key(path)
    participation.create_key_file(path)  # an existing key is never replaced
    assert participation.load_key(path) == first and len(first) == 64


def test_adulthood_comes_from_the_id_birth_date() -> None:
    import datetime as dt

    # born 2007-06-01: 17 on 2025-05-31, 18 on 2025-06-01
    born_2007 = "110105200706010011"
    assert participation.adult_on(born_2007, dt.date(2025, 5, 31)) is False
    assert participation.adult_on(born_2007, dt.date(2025, 6, 1)) is True
    assert participation.adult_on("13812345678", dt.date(2025, 6, 1)) is None


SHEET = f"""
活动编号,活动类型,活动名称,社区编码,活动日期,姓名,身份证号/手机号,是否成年
m1,居民会议,议事会,A,2025-03-01,张三,{PERSON_1},
m2,听证会,听证,A,2025-04-01,张三,{PERSON_1.lower()},
m3,志愿服务,清洁,B,2025-05-01,张三,{PERSON_1},
m1,居民会议,议事会,A,2025-03-01,李四,13812345678,
m2,听证会,听证,A,2025-04-01,李四,138 1234 5678,
m3,志愿服务,清洁,B,2025-05-01,王五,13900001111,
m3,志愿服务,清洁,B,2025-05-01,小明,{CHILD},
m3,志愿服务,清洁,B,2025-05-01,小红,13700002222,否
m4,投票表决,投票,B,2024-12-30,赵六,13600003333,
"""


def test_each_adult_counts_once_across_activities_and_communities(
    city: Store, key: bytes, tmp_path: Path
) -> None:
    report = import_attendance(city, write(tmp_path / "signin.csv", SHEET))
    assert report.exit_code == 0, report.problems
    with city.begin() as conn:
        counted = participation.participants(conn, "2025").set_index("org_unit")["participants"]
        stored = " ".join(
            str(v) for row in conn.execute(text("SELECT * FROM attendance")) for v in row
        )
    # 2025 adults: person 1 (A twice, B once -> home A), 138… (A twice), 139… (B once).
    # The child (ID born 2012) and 小红 (marked 否) are not adults; 赵六 came in 2024.
    # A = 2, B = 1: three distinct adults, the street S1 would sum to 3 (not 4).
    assert counted.to_dict() == {"A": 2, "B": 1}
    assert PERSON_1 not in stored and "13812345678" not in stored and "张三" not in stored
    assert import_attendance(city, write(tmp_path / "signin.csv", SHEET)).inserted == 0


def test_the_demo_key_lives_outside_the_store_folder(monkeypatch, tmp_path: Path) -> None:
    # issue 13 #7: the demo wrote its key beside the store
    monkeypatch.delenv("SHEQU_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("SHEQU_PSEUDONYM_KEY_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    out = tmp_path / "demo"
    out.mkdir()
    (out / "pseudonym.key").write_text("a" * 64)  # left by an earlier demo: moved, not kept
    key = participation.demo_key(out)
    assert key == b"a" * 64 and not list(out.rglob("*.key"))
    kept = tmp_path / "home" / ".config" / "shequ" / "demo-pseudonym.key"
    assert kept.read_bytes() == key and participation.demo_key(out) == key  # stable re-runs
    assert kept.stat().st_mode & 0o077 == 0  # readable by its owner only
    monkeypatch.setenv("SHEQU_PSEUDONYM_KEY_FILE", str(out / "k.key"))
    with pytest.raises(VoiceError, match="must not be kept in the data's folder"):
        participation.demo_key(out)
    monkeypatch.setenv("SHEQU_PSEUDONYM_KEY", "an-explicit-key-for-the-demo")
    assert participation.demo_key(out) == b"an-explicit-key-for-the-demo"


@pytest.mark.parametrize("bad", ["", "k", "short-key-15byt"])
def test_an_empty_or_short_key_is_refused_wherever_it_comes_from(
    bad: str, monkeypatch, tmp_path: Path, city: Store
) -> None:
    # issue 13 #7: an empty or 1-character pseudonym key was accepted
    assert len(bad.encode()) < participation.MIN_KEY_BYTES
    with pytest.raises(VoiceError, match=r"至少需要 16 字节.*at least 16") as refused:
        participation.pseudonym(PERSON_1, bad.encode())
    assert refused.value.field == "key"
    monkeypatch.setenv("SHEQU_PSEUDONYM_KEY", bad)  # set, even empty: refused, not skipped
    with pytest.raises(VoiceError, match="SHEQU_PSEUDONYM_KEY"):
        participation.load_key()
    monkeypatch.delenv("SHEQU_PSEUDONYM_KEY")
    (tmp_path / "short.key").write_text(bad + "\n")
    with pytest.raises(VoiceError, match=r"short\.key"):
        participation.load_key(tmp_path / "short.key")
    sheet = (
        f"活动编号,活动类型,社区编码,活动日期,身份证号/手机号\nm1,居民会议,A,2025-03-01,{PERSON_1}"
    )
    with pytest.raises(VoiceError, match="at least 16"):
        import_attendance(city, write(tmp_path / "s.csv", sheet), key=bad.encode())
    assert participation.pseudonym(PERSON_1, b"x" * participation.MIN_KEY_BYTES)
