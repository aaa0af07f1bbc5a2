"""Near-duplicates: the same problem in the same block of the same community is one group,
with small wording changes; another block, another community or another problem is not."""

from __future__ import annotations

import pandas as pd

from shequ.voice.duplicates import block_of, group_ids

TEXTS = [
    (1, "A", "", "3号楼楼道灯坏了，晚上很黑"),
    (2, "A", "", "3号楼的楼道灯坏了！晚上太黑了"),  # same problem, reworded -> group 1
    (3, "A", "", "又是3号楼楼道灯坏了，晚上很黑，请尽快处理"),  # -> group 1
    (4, "A", "", "5号楼楼道灯坏了，晚上很黑"),  # another block -> own group
    (5, "B", "", "3号楼楼道灯坏了，晚上很黑"),  # another community -> own group
    (6, "A", "", "3号楼电梯经常困人"),  # same block, another problem -> own group
    (7, "A", "东门", "垃圾清运不及时"),
    (8, "A", "东门", "垃圾清运不及时！！"),  # same location given -> group 7
]


def test_groups_follow_community_block_and_wording() -> None:
    frame = pd.DataFrame(TEXTS, columns=["id", "org_unit", "location", "text"])
    assert group_ids(frame).tolist() == [1, 1, 1, 4, 5, 6, 7, 7]


def test_the_block_comes_from_the_location_or_the_text() -> None:
    assert block_of("3号楼2单元漏水") == "2单元|3号楼"
    assert block_of("漏水", "东门") == "东门"
    assert block_of("小区漏水") == ""


def test_groups_are_led_by_the_earliest_suggestion() -> None:
    frame = pd.DataFrame(
        {
            "id": [10, 11],
            "org_unit": ["A", "A"],
            "text": ["路灯不亮了", "路灯不亮"],
            "received_at": pd.to_datetime(["2025-03-02", "2025-03-01"]),
        }
    )
    assert group_ids(frame).tolist() == [11, 11]
